from odoo.tests import HttpCase, new_test_user


class TestDevelopmentPlanTour(HttpCase):

    def test_development_manager_wins_an_account(self):
        env = self.env(context=dict(self.env.context, lang='en_US'))
        manager = new_test_user(env, login='kam_tour_dev_manager', groups='kam_key_account.group_kam_user',
                                name='Tour Development Manager', lang='en_US')
        supervisor = new_test_user(env, login='kam_tour_dev_supervisor', groups='kam_key_account.group_kam_supervisor',
                                   name='Tour Dev Supervisor')
        approver = new_test_user(env, login='kam_tour_dev_approver', groups='kam_key_account.group_kam_manager',
                                 name='Tour Dev Approver')
        env.ref('kam_key_account.kam_approval_step_development_supervisor').write(
            {'approver_kind': 'users', 'user_ids': [(6, 0, supervisor.ids)]})
        env.ref('kam_key_account.kam_approval_step_development_manager').write(
            {'approver_kind': 'users', 'user_ids': [(6, 0, approver.ids)]})
        prospect = env['res.partner'].create({'name': 'Tour Prospect Ltd', 'is_company': True,
                                              'kam_manager_id': manager.id})
        plan = env['kam.development.plan'].with_user(manager).create({
            'partner_id': prospect.id, 'expected_sales': 1_000_000, 'expected_profit': 200_000})
        plan.action_request_approval()
        plan.with_user(supervisor).action_approve()
        plan.with_user(approver).action_approve()
        plan.action_start_contacting()
        plan.write({'record_line_ids': [(0, 0, {'duration': 1.0, 'method': 'phone'})]})
        self.start_tour('/odoo/kam-development-plans', 'kam_development_plan_tour', login='kam_tour_dev_manager')
        self.assertEqual(plan.stage_code, 'won')
        self.assertEqual(plan.screening_id.partner_id, prospect)
