"""Personal data of decision makers (PIPL, GDPR): exported and erased on request by a
KAM Manager, and never copied into chatter, tracking, mails or printouts."""
import base64
import json
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError

from .common import KamCommon

SECRET = {
    'character': 'Secretly-Impatient-7f3a',
    'pressures': 'Board-Pressure-91bc',
    'interests': 'Deep-Sea-Fishing-55de',
    'family': 'Three-Daughters-0c42',
}


class KamPersonalDataCommon(KamCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contact.write({
            'email': 'zhao.jianguo@example.com', 'kam_attitude': 'opposed',
            'kam_preferred_contact_time': 'Tuesday mornings', 'kam_preferred_contact_manner': 'phone',
            'kam_habits': 'Habit-Tea-At-Ten-2b7e', 'kam_reports_to_id': False})
        cls.note = cls.env['kam.contact.note'].with_user(cls.kam_user).create(
            dict(SECRET, contact_id=cls.contact.id))
        cls.lead = cls.env['crm.lead'].create({
            'name': 'Opportunity with Zhao', 'partner_id': cls.contact.id, 'type': 'opportunity'})
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=3)
        cls.visit = cls.env['kam.visit'].with_user(cls.kam_user).create({
            'partner_id': cls.account.id, 'contact_id': cls.contact.id,
            'contact_ids': [(6, 0, cls.contact.ids)], 'purpose': 'Present the new product line',
            'start': start, 'stop': start + timedelta(hours=2), 'location': 'Customer HQ',
            'budget_amount': 100})
        cls.screening = cls.env['kam.screening'].with_user(cls.kam_user).create({
            'partner_id': cls.account.id, 'annual_sales': 6_000_000,
            'proposed_manager_id': cls.kam_user.id, 'company_id': cls.company.id})
        cls.flush_tracking(cls)


class TestErasePersonalData(KamPersonalDataCommon):

    def test_manager_erases_notes_and_profile_business_records_stay(self):
        self.contact.with_user(self.kam_manager).action_kam_erase_personal_data()
        self.assertFalse(self.note.exists())
        self.assertRecordValues(self.contact, [{
            'kam_contact_role': False, 'kam_influence': False, 'kam_attitude': False,
            'kam_reports_to_id': False, 'kam_preferred_contact_time': False,
            'kam_preferred_contact_manner': False, 'kam_habits': False,
            'name': 'Zhao Jianguo', 'email': 'zhao.jianguo@example.com'}])
        self.assertTrue(self.lead.exists() and self.visit.exists() and self.screening.exists())
        self.assertEqual(self.visit.contact_id, self.contact)
        self.assertEqual(self.lead.partner_id, self.contact)

    def test_erasure_is_logged_without_the_content(self):
        self.contact.with_user(self.kam_manager).action_kam_erase_personal_data()
        self.flush_tracking()
        messages = self.env['mail.message'].search([('model', '=', 'res.partner'), ('res_id', '=', self.contact.id)])
        self.assertIn('personal data erased', ' '.join(messages.mapped('body')))
        for text in (*SECRET.values(), 'Habit-Tea-At-Ten-2b7e', 'Tuesday mornings'):
            self.assertFalse([m for m in messages if text in (m.body or '')], text)
        self.assertFalse(messages.sudo().tracking_value_ids.filtered(
            lambda t: 'Habit-Tea' in (t.old_value_char or '') + (t.old_value_text or '')))

    def test_only_managers_erase(self):
        for user in (self.kam_user, self.kam_supervisor, self.partner_manager):
            with self.subTest(user=user.login), self.assertRaisesText(AccessError, 'Only Key Accounts Managers'):
                self.contact.with_user(user).action_kam_erase_personal_data()
        self.assertTrue(self.note.exists())
        self.assertEqual(self.contact.kam_attitude, 'opposed')

    def test_buttons_only_for_managers(self):
        def arch(user):
            return self.env['res.partner'].with_user(user).get_views([(False, 'form')])['views']['form']['arch']
        self.assertIn('action_kam_erase_personal_data', arch(self.kam_manager))
        self.assertIn('action_kam_export_personal_data', arch(self.kam_manager))
        for user in (self.kam_supervisor, self.partner_manager):
            self.assertNotIn('action_kam_erase_personal_data', arch(user))
            self.assertNotIn('action_kam_export_personal_data', arch(user))


class TestExportPersonalData(KamPersonalDataCommon):

    def _export(self, user):
        action = self.contact.with_user(user).action_kam_export_personal_data()
        self.assertEqual(action['type'], 'ir.actions.act_url')
        self.assertIn('download=true', action['url'])
        attachment_id = int(action['url'].split('/web/content/')[1].split('?')[0])
        return self.env['ir.attachment'].browse(attachment_id)

    def test_manager_downloads_the_persons_data(self):
        attachment = self._export(self.kam_manager)
        data = json.loads(base64.b64decode(attachment.datas))
        self.assertEqual(data['partner']['name'], 'Zhao Jianguo')
        self.assertEqual(data['partner']['company'], self.account.name)
        self.assertEqual(data['profile']['kam_attitude'], 'opposed')
        self.assertEqual(data['profile']['kam_habits'], 'Habit-Tea-At-Ten-2b7e')
        self.assertEqual(data['profile']['kam_preferred_contact_manner'], 'phone')
        self.assertEqual(len(data['personal_notes']), 1)
        note = data['personal_notes'][0]
        for name, text in SECRET.items():
            self.assertEqual(note[name], text)
        self.assertEqual(note['account'], self.account.display_name)

    def test_only_managers_export_and_only_they_open_the_file(self):
        for user in (self.kam_user, self.kam_supervisor, self.partner_manager):
            with self.subTest(user=user.login), self.assertRaisesText(AccessError, 'Only Key Accounts Managers'):
                self.contact.with_user(user).action_kam_export_personal_data()
        attachment = self._export(self.kam_manager)
        self.assertFalse(attachment.res_model, "bound to no record: not readable through the contact")
        for user in (self.kam_user, self.kam_supervisor, self.kam_director):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                attachment.with_user(user).read(['datas'])


class TestNotesNeverLeak(KamPersonalDataCommon):
    """No personal note text in chatter, tracking, mails or printed forms."""

    def test_no_note_in_messages_tracking_mails_or_reports(self):
        # Edit the notes again and move the account along, as a working day would.
        self.note.with_user(self.kam_user).write({'character': SECRET['character'] + ' still',
                                                  'family': SECRET['family']})
        self.account.with_user(self.kam_manager).kam_tier_id = self.tier_strategic
        self.visit.with_user(self.kam_user).message_post(body='Visit prepared')
        self.flush_tracking()
        Message = self.env['mail.message'].sudo()
        Tracking = self.env['mail.tracking.value'].sudo()
        Mail = self.env['mail.mail'].sudo()
        for text in SECRET.values():
            with self.subTest(text=text):
                self.assertFalse(Message.search([('body', 'ilike', text)]))
                self.assertFalse(Message.search([('subject', 'ilike', text)]))
                self.assertFalse(Tracking.search(['|', '|', '|',
                    ('old_value_char', 'ilike', text), ('new_value_char', 'ilike', text),
                    ('old_value_text', 'ilike', text), ('new_value_text', 'ilike', text)]))
                self.assertFalse(Mail.search([('body_html', 'ilike', text)]))
        Report = self.env['ir.actions.report']
        printouts = (
            ('kam_key_account.action_report_kam_visit_record', self.visit),
            ('kam_key_account.action_report_kam_screening_risk', self.screening),
        )
        for report, records in printouts:
            html = Report._render_qweb_html(report, records.ids)[0].decode()
            self.assertIn(self.account.name, html, report)
            for text in SECRET.values():
                self.assertNotIn(text, html, report)

    def test_note_model_has_no_chatter(self):
        Note = self.env['kam.contact.note']
        self.assertNotIn('mail.thread', Note._inherit or [])
        self.assertFalse([name for name, field in Note._fields.items() if getattr(field, 'tracking', False)])
