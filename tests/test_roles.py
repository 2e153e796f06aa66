from .common import GROUP, KamCommon

ROLES = ['user', 'supervisor', 'manager', 'director', 'general_manager']


class TestRoles(KamCommon):

    def test_roles_form_an_implied_chain(self):
        groups = [self.env.ref(GROUP % role) for role in ROLES]
        self.assertEqual(len({g.privilege_id for g in groups}), 1, "one Key Accounts privilege")
        self.assertEqual(groups[0].privilege_id.name, 'Key Accounts')
        for lower, higher in zip(groups, groups[1:]):
            self.assertIn(lower, higher.implied_ids)
            self.assertIn(lower, higher.all_implied_ids)
        self.assertIn(groups[0], groups[-1].all_implied_ids, "GM implies every lower role")

    def test_each_role_holds_exactly_the_roles_below_it(self):
        users = [self.kam_user, self.kam_supervisor, self.kam_manager, self.kam_director, self.kam_gm]
        for rank, user in enumerate(users):
            for other_rank, role in enumerate(ROLES):
                self.assertEqual(user.has_group(GROUP % role), other_rank <= rank,
                                 f"{user.login} / {role}")

    def test_kam_user_is_a_salesperson(self):
        self.assertTrue(self.kam_user.has_group('sales_team.group_sale_salesman'))
        lead = self.env['crm.lead'].with_user(self.kam_user).create({
            'name': 'Lead by a KAM user', 'partner_id': self.account.id})
        self.assertEqual(lead.user_id, self.kam_user)

    def test_admin_is_general_manager(self):
        self.assertTrue(self.env.ref('base.user_admin').has_group(GROUP % 'general_manager'))

    def test_partner_manager_has_no_kam_role(self):
        self.assertFalse(self.partner_manager.has_group(GROUP % 'user'))
