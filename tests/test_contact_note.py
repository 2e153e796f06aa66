from odoo.exceptions import AccessError, ValidationError

from .common import KamCommon


class TestContactNotes(KamCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Note = cls.env['kam.contact.note']
        cls.note = Note.create({'contact_id': cls.contact.id, 'character': 'Decisive',
                                'family': 'Two children'})
        cls.note_2 = Note.create({'contact_id': cls.contact_2.id, 'interests': 'Cycling'})

    def test_account_is_the_commercial_partner(self):
        self.assertEqual(self.note.account_id, self.account)
        self.assertEqual(self.note.company_id, self.account.company_id)

    def test_account_manager_reads_only_their_accounts_notes(self):
        Note = self.env['kam.contact.note'].with_user(self.kam_user)
        self.assertEqual(Note.search([('id', 'in', (self.note | self.note_2).ids)]), self.note)
        self.assertEqual(self.note.with_user(self.kam_user).family, 'Two children')
        with self.assertRaises(AccessError):
            self.note_2.with_user(self.kam_user).read(['interests'])

    def test_other_kam_user_is_denied(self):
        with self.assertRaises(AccessError):
            self.note.with_user(self.kam_user_2).read(['family'])
        with self.assertRaises(AccessError):
            other = self.env['res.partner'].create({'name': 'Sun Li', 'parent_id': self.account.id})
            self.env['kam.contact.note'].with_user(self.kam_user_2).create({
                'contact_id': other.id, 'character': 'Guess'})

    def test_supervisor_and_above_read_all(self):
        for user in (self.kam_supervisor, self.kam_manager, self.kam_gm):
            notes = self.env['kam.contact.note'].with_user(user).search(
                [('id', 'in', (self.note | self.note_2).ids)])
            self.assertEqual(notes, self.note | self.note_2, user.login)

    def test_users_without_kam_role_are_denied(self):
        with self.assertRaises(AccessError):
            self.note.with_user(self.partner_manager).read(['character'])
        # The counter itself is a Key Accounts field: the ORM refuses it before any count.
        with self.assertRaisesText(AccessError, 'kam_contact_note_count'):
            self.account.with_user(self.partner_manager).read(['kam_contact_note_count'])

    def test_note_count_and_no_tracking(self):
        self.assertEqual(self.account.with_user(self.kam_user).kam_contact_note_count, 1)
        self.assertNotIn('mail.thread', self.env['kam.contact.note']._inherit or [])
        self.assertFalse(any(getattr(f, 'tracking', False) for f in self.env['kam.contact.note']._fields.values()))

    def test_notes_cannot_be_moved_to_an_account_one_does_not_manage(self):
        note = self.note.with_user(self.kam_user)
        colleague = self.env['res.partner'].create({'name': 'Ma Lin', 'parent_id': self.account_2.id})
        with self.assertRaises(AccessError):
            note.write({'account_id': self.account_2.id, 'contact_id': colleague.id})
        with self.assertRaises(AccessError):
            note.write({'account_id': self.account_2.id})
        self.assertEqual(self.note.account_id, self.account)

    def test_note_is_written_for_a_contact_of_its_account(self):
        with self.assertRaisesText(ValidationError, 'does not work for'):
            self.env['kam.contact.note'].create({'contact_id': self.contact.id, 'account_id': self.account_2.id})

    def test_note_stays_with_the_account_when_the_person_moves(self):
        """PIPL/GDPR: a note does not follow the person to a new employer."""
        self.contact.parent_id = self.account_2
        self.assertEqual(self.contact.commercial_partner_id, self.account_2)
        self.assertEqual(self.note.account_id, self.account, "never recomputed")
        self.assertFalse(self.env['kam.contact.note']._fields['account_id'].compute)
        with self.assertRaises(AccessError):
            self.note.with_user(self.kam_user_2).read(['family'])
        self.assertFalse(self.env['kam.contact.note'].with_user(self.kam_user_2).search(
            [('contact_id', '=', self.contact.id)]))
        self.assertEqual(self.account_2.with_user(self.kam_user_2).kam_contact_note_count, 1, "only note_2")
        # The new account's manager starts their own notes on the person.
        new_note = self.env['kam.contact.note'].with_user(self.kam_user_2).create(
            {'contact_id': self.contact.id, 'interests': 'Tennis'})
        self.assertEqual(new_note.account_id, self.account_2)
        self.assertFalse(self.note.with_user(self.kam_user).pressures, "the old one is still readable by its manager")

    def test_notes_follow_the_new_manager(self):
        self.account.kam_manager_id = self.kam_user_2
        self.assertTrue(self.note.with_user(self.kam_user_2).family)
        with self.assertRaises(AccessError):
            self.note.with_user(self.kam_user).read(['family'])
