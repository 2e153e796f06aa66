from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form

from .common import KamCommon


class TestPartnerKeyAccountFields(KamCommon):

    def test_partner_manager_without_kam_role_cannot_write_tier(self):
        account = self.account.with_user(self.partner_manager)
        account.name = 'Renamed by a partner manager'  # an ordinary write still works
        for values in ({'kam_tier_id': self.tier_strategic.id}, {'kam_manager_id': self.kam_user_2.id},
                       {'kam_is_key_account': True}, {'kam_confirmed_date': '2025-01-01'}):
            with self.subTest(values=values), self.assertRaisesText(AccessError, 'Only Key Accounts Managers'):
                account.write(values)
        self.assertEqual(self.account.kam_tier_id, self.tier_key, "nothing saved")
        with self.assertRaises(AccessError):
            self.env['res.partner'].with_user(self.partner_manager).create({
                'name': 'Sneaky', 'is_company': True, 'kam_tier_id': self.tier_strategic.id})

    def test_partner_manager_without_kam_role_cannot_touch_assessments(self):
        """The assessments carry the Key Accounts group: the ORM refuses them first."""
        account = self.account.with_user(self.partner_manager)
        for values in ({'kam_annual_sales': 1}, {'kam_habits': 'Guess'}, {'kam_figure_ids': [(5,)]}):
            with self.subTest(values=values), self.assertRaisesText(AccessError, 'enough rights'):
                account.write(values)
        with self.assertRaisesText(AccessError, 'enough rights'):
            self.contact.with_user(self.partner_manager).write({'kam_attitude': 'opposed'})
        with self.assertRaisesText(AccessError, 'enough rights'):
            self.env['res.partner'].with_user(self.partner_manager).create({
                'name': 'Sneaky', 'parent_id': self.account.id, 'kam_influence': 'high'})
        self.assertEqual(self.contact.kam_influence, 'high', "nothing saved")

    def test_kam_user_and_supervisor_cannot_write_tier(self):
        for user in (self.kam_user, self.kam_supervisor):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.account.with_user(user).kam_tier_id = self.tier_strategic

    def test_kam_manager_writes_tier_and_it_is_tracked(self):
        self.account.with_user(self.kam_manager).write({
            'kam_tier_id': self.tier_strategic.id, 'kam_manager_id': self.kam_user_2.id})
        self.assertEqual(self.account.kam_tier_id, self.tier_strategic)
        self.flush_tracking()
        message = self.env['mail.message'].search(
            [('model', '=', 'res.partner'), ('res_id', '=', self.account.id)], limit=1)
        tracked = message.sudo().tracking_value_ids.field_id.mapped('name')
        self.assertIn('kam_tier_id', tracked)
        self.assertIn('kam_manager_id', tracked)

    def test_engine_writes_through_sudo(self):
        self.account.with_user(self.kam_user).sudo().kam_is_key_account = True
        self.assertTrue(self.account.kam_is_key_account)

    def test_manager_must_work_for_the_partner_company(self):
        outsider = self.env['res.users'].create({
            'name': 'Outsider', 'login': 'kam_t_outsider', 'company_id': self.company_2.id,
            'company_ids': [self.company_2.id],
            'group_ids': [self.env.ref('kam_key_account.group_kam_user').id]})
        with self.assertRaisesText(ValidationError, 'do not work for'):
            self.account.kam_manager_id = outsider
        self.assertEqual(self.account.kam_manager_id, self.kam_user)

    def test_manager_must_have_a_kam_role(self):
        with self.assertRaisesText(ValidationError, 'Key Accounts role'):
            self.account.kam_manager_id = self.partner_manager

    def test_tier_of_another_company_is_refused(self):
        platinum = self.env['kam.tier'].create({
            'name': 'Platinum', 'code': 'PLT2', 'sequence': 40, 'min_annual_sales': 90_000_000,
            'company_id': self.company_2.id})
        with self.assertRaisesText(ValidationError, 'belongs to'):
            self.account.kam_tier_id = platinum

    def test_form_is_readonly_for_non_managers(self):
        form = Form(self.account.with_user(self.kam_user))
        self.assertTrue(form._get_modifier('kam_tier_id', 'readonly'))
        form = Form(self.account.with_user(self.kam_manager))
        self.assertFalse(form._get_modifier('kam_tier_id', 'readonly'))
        form.kam_tier_id = self.tier_potential
        form.save()
        self.assertEqual(self.account.kam_tier_id, self.tier_potential)

    def test_key_accounts_kanban_groups_every_tier(self):
        groups = self.env['res.partner'].with_user(self.kam_user).with_context(read_group_expand=True).web_read_group(
            [('is_company', '=', True), ('kam_tier_id', '!=', False)], ['kam_tier_id'], ['__count'])
        tier_ids = [g['kam_tier_id'][0] for g in groups['groups'] if g['kam_tier_id']]
        for tier in (self.tier_potential, self.tier_key, self.tier_strategic):
            self.assertIn(tier.id, tier_ids, "group_expand shows empty tiers too")

    def test_no_stored_computed_field_on_partner(self):
        """Installing must not compute a new stored field for every partner: any stored
        computed field this module adds to res.partner needs its column from the pre-init hook."""
        added = [name for name, field in self.env['res.partner']._fields.items()
                 if field._module == 'kam_key_account' and field.store and field.compute]
        self.assertEqual(added, [])
        self.env.cr.execute("""
            SELECT 1 FROM information_schema.columns
             WHERE table_name = 'res_partner' AND column_name = 'kam_is_key_account'""")
        self.assertTrue(self.env.cr.fetchall())
        plain = self.env['res.partner'].create({'name': 'Plain'})
        self.assertEqual(self.env['res.partner'].search([('kam_is_key_account', '=', False),
                                                         ('id', '=', plain.id)]), plain)
