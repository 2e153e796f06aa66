"""Review 2: attacks on the partner side (protected fields, personal data) as a hostile
RPC client. Each test asserts the secure behaviour and fails while the hole is open."""
import base64
import json

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user

from .common import KamCommon


class TestReview2Attacks(KamCommon):

    def _personal_default(self, user, field_name, value):
        """What the web client's "Set Default" does for the user's own defaults."""
        field = self.env['ir.model.fields']._get('res.partner', field_name)
        self.env['ir.default'].with_user(user).create({
            'field_id': field.id, 'user_id': user.id, 'json_value': json.dumps(value)})

    def test_personal_default_makes_key_account_partner_manager(self):
        """A partner manager without KAM stores a personal default for the key-account
        flag and tier, then creates a contact: default_get applies them, create only
        checks the values it was sent."""
        self._personal_default(self.partner_manager, 'kam_is_key_account', True)
        self._personal_default(self.partner_manager, 'kam_tier_id', self.tier_strategic.id)
        with self.assertRaises(AccessError):
            self.env['res.partner'].with_user(self.partner_manager).create({'name': 'Self-Made Key Account'})

    def test_personal_default_sets_manager_salesman(self):
        """Same route for the key-account manager, by a salesperson without KAM."""
        self._personal_default(self.salesman, 'kam_manager_id', self.kam_user.id)
        with self.assertRaises(AccessError):
            self.env['res.partner'].with_user(self.salesman).create({'name': 'Assigned Behind Their Back'})

    def test_erasure_leaves_the_export_file(self):
        """Export, then erase: the JSON export (an attachment nobody deletes) still holds
        the notes and the assessments the erasure was asked to remove."""
        self.contact.write({'kam_attitude': 'opposed', 'kam_habits': 'Habit-Erase-Me-9e1d'})
        self.env['kam.contact.note'].with_user(self.kam_user).create({
            'contact_id': self.contact.id, 'family': 'Family-Erase-Me-4c2a'})
        Partner = self.env['res.partner'].with_user(self.kam_manager)
        action = Partner.browse(self.contact.id).action_kam_export_personal_data()
        attachment_id = int(action['url'].split('/web/content/')[1].split('?')[0])
        Partner.browse(self.contact.id).action_kam_erase_personal_data()
        leftovers = self.env['ir.attachment'].sudo().browse(attachment_id).exists()
        self.assertFalse(
            leftovers and b'Erase-Me' in base64.b64decode(leftovers.datas),
            "the personal-data export still holds what was erased")

    def _company_2_only(self, login, role):
        return new_test_user(
            self.env, login=login, groups=f'kam_key_account.group_kam_{role}',
            company_id=self.company_2.id, company_ids=[self.company_2.id])

    def test_note_company_written_by_client(self):
        """company_id of a personal note is a stored related field without inverse: the
        account's KAM user writes False over RPC, and a supervisor who works only for
        another company reads the note (the multi-company rule accepts company False)."""
        note = self.env['kam.contact.note'].with_user(self.kam_user).create(
            {'contact_id': self.contact.id, 'character': 'Company-1-Only-3f9b'})
        outsider = self._company_2_only('kam_r2_sup_c2', 'supervisor')
        self.assertNotIn(note.id, self.env['kam.contact.note'].with_user(outsider).search([]).ids)
        # As over RPC: the refused call is rolled back (assertRaises keeps a savepoint).
        with self.assertRaises(ValidationError):
            note.write({'company_id': False})
            note.flush_recordset()
        self.assertNotIn(
            note.id, self.env['kam.contact.note'].with_user(outsider).search([]).ids,
            "a supervisor of another company reads a company-1 personal note")

    def test_figure_company_written_by_client(self):
        """Same with an operating figure: its KAM user writes company_id over RPC and a
        KAM user of another company reads the account's figures."""
        figure = self.env['kam.account.figure'].with_user(self.kam_user).create({
            'partner_id': self.account.id, 'fiscal_year': 2024, 'revenue': 10})
        outsider = self._company_2_only('kam_r2_user_c2', 'user')
        self.assertNotIn(figure.id, self.env['kam.account.figure'].with_user(outsider).search([]).ids)
        # As over RPC: the refused call is rolled back (assertRaises keeps a savepoint).
        with self.assertRaises(ValidationError):
            figure.write({'company_id': self.company_2.id})
            figure.flush_recordset()
        self.assertNotIn(
            figure.id, self.env['kam.account.figure'].with_user(outsider).search([]).ids,
            "a KAM user of another company reads a company-1 account's figures")

    def test_every_related_company_follows_its_parent(self):
        """The same stored related company on the other child records a user may write:
        their delegation, a problem of their visit (and, for managers, chain steps)."""
        delegation = self.env['kam.approval.delegation'].with_user(self.kam_user).create({
            'substitute_id': self.kam_user_2.id, 'date_to': '2099-01-01'})
        step = self.env.ref('kam_key_account.kam_approval_step_screening_supervisor').with_user(self.kam_manager)
        for record, value in ((delegation, self.company_2.id), (delegation, False), (step, self.company_2.id)):
            with self.subTest(model=record._name, value=value), self.assertRaises(ValidationError):
                record.write({'company_id': value})
                record.flush_recordset()
        self.assertEqual(delegation.company_id, self.kam_user.company_id)
        self.assertFalse(step.company_id)
