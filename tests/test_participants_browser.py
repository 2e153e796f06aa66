from odoo.tests import HttpCase, new_test_user


class TestParticipantBrowser(HttpCase):

    def test_department_responsible_without_kam_role_solves_from_their_activity(self):
        technician = new_test_user(self.env, login='kam_tour_technician', groups='base.group_user',
                                   name='Tour Technician', password='kam_tour_technician', lang='en_US')
        salesperson = new_test_user(self.env, login='kam_tour_part_sales', groups='kam_key_account.group_kam_user',
                                    name='Tour Salesperson')
        department = self.env['kam.department'].create({'name': 'Tour Technical', 'responsible_id': technician.id})
        account = self.env['res.partner'].create({'name': 'Tour Participant Account', 'is_company': True})
        visit = self.env['kam.visit'].with_user(salesperson).create({
            'partner_id': account.id, 'purpose': 'Quarterly review', 'budget_amount': 900})
        problem = self.env['kam.visit.problem'].with_user(salesperson).create({
            'visit_id': visit.id, 'description': 'Tour spindle vibration', 'department_id': department.id})
        self.assertFalse(technician.has_group('kam_key_account.group_kam_user'))
        self.start_tour('/odoo/my-problems', 'kam_participant_solves_problem', login='kam_tour_technician')
        self.assertRecordValues(problem, [{
            'state': 'done', 'resolution': 'Rebalanced the spindle on site', 'solved_by_id': technician.id}])
        self.assertFalse(problem.activity_id.active)
