"""People outside Key Accounts take part (issue 9): a department responsible without any
KAM role works the visit problems assigned to them, reads their visit without its internal
fields and no other visit; the archive room reads confirmed screenings only."""
from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service.model import call_kw
from odoo.tests import new_test_user

from .common import GROUP
from .test_visit import KamVisitCommon

INTERNAL_VISIT_FIELDS = ('budget_amount', 'budget_company_amount', 'gifts', 'summary_analysis', 'lessons',
                         'shortcomings', 'improvements', 'next_steps', 'checklist_ids', 'lead_ids')


def rpc(env, model, method, args, user, context=None, kwargs=None):
    """What the JSON-RPC endpoint does: call_kw as the user with the client's context,
    then the end of the request."""
    result = call_kw(env[model].with_user(user), method, args, dict(kwargs or {}, context=context or {}))
    env.flush_all()
    env.invalidate_all()
    return result


class KamParticipantCommon(KamVisitCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The technical department's responsible: an employee without any Key Accounts role.
        cls.technician = new_test_user(
            cls.env, login='kam_t_technician', groups='base.group_user', name='Technician Wang',
            email='wang@example.com', company_id=cls.company.id)
        cls.tech_head = new_test_user(
            cls.env, login='kam_t_tech_head', groups='base.group_user', name='Technical Director Liu',
            email='liu@example.com', company_id=cls.company.id)
        cls.technical = cls.env['kam.department'].create({
            'name': 'Technical', 'responsible_id': cls.technician.id, 'manager_id': cls.tech_head.id})
        cls.visit = cls.env['kam.visit'].with_user(cls.kam_user).create({
            'partner_id': cls.account.id, 'contact_id': cls.contact.id, 'purpose': 'Quarterly review',
            'start': cls.start, 'budget_amount': 900, 'gifts': 'Tea set', 'lessons': 'Bring the engineer',
        })
        cls.other_visit = cls.env['kam.visit'].with_user(cls.kam_user).create({
            'partner_id': cls.account.id, 'purpose': 'Another visit', 'start': cls.start})
        cls.problem = cls.env['kam.visit.problem'].with_user(cls.kam_user).create({
            'visit_id': cls.visit.id, 'description': 'Spindle vibration above tolerance',
            'department_id': cls.technical.id})
        cls.flush_tracking(cls)


class TestParticipantAccess(KamParticipantCommon):

    def test_problem_goes_to_the_department_responsible_as_an_activity(self):
        problem = self.problem
        self.assertEqual(problem.responsible_id, self.technician)
        self.assertEqual(problem.state, 'open')
        activity = problem.activity_id
        self.assertTrue(activity.active)
        self.assertEqual((activity.res_model, activity.res_id, activity.user_id),
                         ('kam.visit', self.visit.id, self.technician))
        self.assertEqual(activity.date_deadline, problem.due_date)

    def test_participant_reads_the_visit_without_its_internal_fields(self):
        visit = self.visit.with_user(self.technician)
        self.assertEqual(self.env['kam.visit'].with_user(self.technician).search([]), self.visit,
                         "the visit of their problem, no other")
        self.assertEqual(visit.partner_id, self.account)
        self.assertEqual(visit.problem_ids, self.problem)
        for name in INTERNAL_VISIT_FIELDS:
            with self.subTest(field=name), self.assertRaises(AccessError):
                visit.read([name])
        self.assertNotIn('budget_amount', rpc(self.env, 'kam.visit', 'fields_get', [], self.technician))
        with self.assertRaises(AccessError):
            self.other_visit.with_user(self.technician).read(['name'])
        with self.assertRaises(AccessError):
            rpc(self.env, 'kam.visit', 'write', [self.visit.ids, {'purpose': 'Changed'}], self.technician)
        with self.assertRaises(AccessError):
            rpc(self.env, 'kam.visit', 'create', [{'partner_id': self.account.id}], self.technician)

    def test_every_visit_view_loads_for_a_participant(self):
        Visit = self.env['kam.visit'].with_user(self.technician)
        for view_type in ('form', 'list', 'kanban', 'calendar', 'pivot', 'graph', 'search', 'activity'):
            with self.subTest(view_type=view_type):
                views = Visit.get_views([(False, view_type)])
                fields_ = views['models']['kam.visit']['fields']
                self.assertFalse(set(INTERNAL_VISIT_FIELDS) & set(fields_), "internal fields left out")
                if view_type != 'search':
                    self.visit.with_user(self.technician).web_read({name: {} for name in fields_})
        form = Visit.get_views([(False, 'form')])['views']['form']['arch']
        self.assertNotIn('budget_amount', form)
        # No workflow button or clickable stage that would end in an access error.
        header = etree.fromstring(form).find('.//header')
        # (Approve and reject show only to the step's reviewer, whatever their role.)
        self.assertFalse([button.get('name') for button in header.iter('button')
                          if button.get('invisible') != 'not can_approve'])
        statusbar = header.find("field[@name='stage_id']")
        self.assertNotIn('clickable', statusbar.get('options', ''))
        kam_form = self.env['kam.visit'].with_user(self.kam_user).get_views([(False, 'form')])['views']['form']['arch']
        kam_header = etree.fromstring(kam_form).find('.//header')
        self.assertIn('action_done', [button.get('name') for button in kam_header.iter('button')])
        self.assertIn('clickable', kam_header.find("field[@name='stage_id']").get('options'))
        spec = {'problem_ids': {'fields': {'description': {}, 'state': {}, 'responsible_id': {}}},
                'activity_ids': {'fields': {'summary': {}}}, 'message_ids': {}}
        self.visit.with_user(self.technician).web_read(spec)

    def test_every_problem_view_loads_for_a_participant(self):
        Problem = self.env['kam.visit.problem'].with_user(self.technician)
        for view_type in ('form', 'list', 'kanban', 'pivot', 'graph', 'search'):
            with self.subTest(view_type=view_type):
                views = Problem.get_views([(False, view_type)])
                if view_type != 'search':
                    self.problem.with_user(self.technician).web_read(
                        {name: {} for name in views['models']['kam.visit.problem']['fields']})
        self.assertFalse(self.problem.with_user(self.technician).can_edit)
        self.assertTrue(self.problem.with_user(self.kam_user).can_edit)

    def test_my_problems_menu_is_for_every_employee(self):
        menu = self.env.ref('kam_key_account.kam_my_problems_menu_root')
        visible = self.env['ir.ui.menu'].with_user(self.technician)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        self.assertNotIn(self.env.ref('kam_key_account.kam_menu_root').id, visible)

    def test_participant_writes_only_their_piece(self):
        problem = self.problem.with_user(self.technician)
        for vals in ({'description': 'Nothing to see'}, {'due_date': '2030-01-01'},
                     {'responsible_id': self.employee.id}, {'visit_id': self.other_visit.id},
                     {'state': 'carried_over'}, {'activity_id': False}, {'solved_by_id': self.kam_gm.id},
                     {'escalated_date': '2020-01-01 00:00:00'}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                rpc(self.env, 'kam.visit.problem', 'write', [problem.ids, vals], self.technician)
        with self.assertRaises(AccessError):
            rpc(self.env, 'kam.visit.problem', 'create',
                [{'visit_id': self.visit.id, 'description': 'Planted'}], self.technician)
        with self.assertRaises(AccessError):
            rpc(self.env, 'kam.visit.problem', 'unlink', [problem.ids], self.technician)
        rpc(self.env, 'kam.visit.problem', 'action_start', [problem.ids], self.technician)
        self.assertEqual(self.problem.state, 'in_progress')

    def test_another_employee_sees_nothing(self):
        self.assertFalse(self.env['kam.visit.problem'].with_user(self.employee).search([]))
        self.assertFalse(self.env['kam.visit'].with_user(self.employee).search([]))
        with self.assertRaises(AccessError):
            self.visit.with_user(self.employee).read(['name'])
        portal = new_test_user(self.env, login='kam_t_part_portal', groups='base.group_portal')
        with self.assertRaises(AccessError):
            self.env['kam.visit.problem'].with_user(portal).search([])

    def test_department_manager_reads_the_problems_of_their_department(self):
        self.assertEqual(self.env['kam.visit.problem'].with_user(self.tech_head).search([]), self.problem)
        self.assertEqual(self.env['kam.visit'].with_user(self.tech_head).search([]), self.visit)

    def test_participant_reads_neither_the_visit_chatter_nor_its_other_activities(self):
        self.visit.with_user(self.kam_user).message_post(
            body='Rejected: budget too high for this account', subtype_xmlid='mail.mt_note')
        self.visit.with_user(self.kam_user).activity_schedule(
            'mail.mail_activity_data_todo', summary='Prepare the gifts', user_id=self.kam_user.id)
        notified = self.visit.with_user(self.kam_user).message_post(
            body='Wang, please look at the spindle first', subtype_xmlid='mail.mt_note',
            partner_ids=self.technician.partner_id.ids)
        Message = self.env['mail.message'].with_user(self.technician)
        domain = [('model', '=', 'kam.visit'), ('res_id', '=', self.visit.id)]
        # What they are notified of: the note addressed to them, and their problem's assignment.
        seen = Message.search(domain)
        self.assertEqual(seen.filtered(lambda m: m.message_type != 'user_notification'), notified)
        self.assertEqual(seen.sudo().mapped('partner_ids'), self.technician.partner_id)
        fetched = Message._message_fetch(domain=None, thread=self.visit.with_user(self.technician))['messages']
        self.assertEqual(fetched.filtered(lambda m: m.message_type != 'user_notification'), notified)
        internal = self.visit.message_ids.filtered(lambda m: 'budget too high' in str(m.body))
        with self.assertRaises(AccessError):
            internal.with_user(self.technician).read(['body'])
        self.assertEqual(self.env['mail.activity'].with_user(self.technician).search(
            [('res_model', '=', 'kam.visit'), ('res_id', '=', self.visit.id)]), self.problem.activity_id)
        # Key Accounts users still read the whole chatter; the problem's own thread is the participant's.
        self.assertIn(internal, self.env['mail.message'].with_user(self.kam_user).search(domain))
        self.problem.with_user(self.technician).message_post(body='Measured again: 12 µm', message_type='comment')

    def test_parent_department_manager_opens_what_is_escalated_to_them(self):
        metrology = self.env['kam.department'].create({
            'name': 'Metrology', 'parent_id': self.technical.id, 'responsible_id': self.employee.id})
        problem = self.env['kam.visit.problem'].with_user(self.kam_user).create({
            'visit_id': self.other_visit.id, 'description': 'Gauge drift', 'department_id': metrology.id,
            'due_date': '2020-01-01'})
        self.assertIn(problem, self.env['kam.visit.problem']._cron_escalate_overdue())
        self.assertEqual(metrology.manager_ids, self.tech_head)
        self.assertEqual(self.env['kam.visit.problem'].with_user(self.tech_head).search([]), self.problem | problem)
        self.assertEqual(self.env['kam.visit'].with_user(self.tech_head).search([]), self.visit | self.other_visit)
        # Managers up the chain follow the tree as it changes.
        metrology.parent_id = False
        self.assertFalse(metrology.manager_ids)
        self.assertEqual(self.env['kam.visit.problem'].with_user(self.tech_head).search([]), self.problem)

    def test_responsible_works_for_the_visit_company(self):
        elsewhere = self.env['res.company'].create({'name': 'Elsewhere Ltd.'})
        outsider = new_test_user(self.env, login='kam_t_outsider', groups='base.group_user',
                                 company_id=elsewhere.id, company_ids=[elsewhere.id])
        with self.assertRaisesText(ValidationError, 'does not work for'):
            self.problem.with_user(self.kam_user).responsible_id = outsider
        self.assertEqual(self.problem.responsible_id, self.technician)

    def test_account_and_company_of_a_problem_follow_its_visit(self):
        other = self.env['res.partner'].create({'name': 'Not the account', 'is_company': True})
        for vals in ({'partner_id': other.id}, {'company_id': self.env['res.company'].create({'name': 'X'}).id}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                rpc(self.env, 'kam.visit.problem', 'write', [self.problem.ids, vals], self.kam_user)
        problem_id = rpc(self.env, 'kam.visit.problem', 'create',
                         [{'visit_id': self.visit.id, 'description': 'Planted', 'partner_id': other.id}],
                         self.kam_user, context={'default_partner_id': other.id})
        self.assertEqual(self.env['kam.visit.problem'].browse(problem_id).partner_id, self.account)
        self.assertEqual(self.problem.partner_id, self.account)


class TestProblemLifecycle(KamParticipantCommon):

    def test_solved_over_rpc_by_marking_the_activity_done(self):
        activity = self.problem.activity_id
        with self.assertRaisesText(UserError, 'feedback'):
            rpc(self.env, 'mail.activity', 'action_feedback', [activity.ids], self.technician,
                kwargs={'feedback': '  '})
        self.assertEqual(self.problem.state, 'open')
        self.assertTrue(activity.active)
        rpc(self.env, 'mail.activity', 'action_feedback', [activity.ids], self.technician,
            kwargs={'feedback': 'Rebalanced the spindle on site'})
        self.assertRecordValues(self.problem, [{
            'state': 'done', 'resolution': 'Rebalanced the spindle on site', 'solved_by_id': self.technician.id}])
        self.assertTrue(self.problem.solved_date)
        self.assertFalse(activity.active, "archived as done, once")
        done_messages = self.visit.message_ids.filtered(lambda m: m.mail_activity_type_id and 'Rebalanced' in str(m.body))
        self.assertEqual(len(done_messages), 1)

    def test_solved_from_the_problem_closes_its_own_activity_only(self):
        second = self.env['kam.visit.problem'].with_user(self.kam_user).create({
            'visit_id': self.visit.id, 'description': 'Manual in English only', 'department_id': self.technical.id})
        self.assertNotEqual(second.activity_id, self.problem.activity_id)
        problem = self.problem.with_user(self.technician)
        with self.assertRaisesText(ValidationError, 'resolution'):
            problem.action_solve()
        problem.resolution = 'Replaced the bearing'
        rpc(self.env, 'kam.visit.problem', 'action_solve', [problem.ids + problem.ids], self.technician)
        self.assertEqual(self.problem.state, 'done')
        self.assertFalse(self.problem.activity_id.active)
        self.assertEqual(self.problem.activity_id.feedback, 'Replaced the bearing')
        self.assertTrue(second.activity_id.active, "the other problem's activity of the same type and user stays")
        self.assertEqual(second.state, 'open')
        # Reopened: a new activity.
        problem.action_reopen()
        self.assertEqual(self.problem.state, 'open')
        self.assertTrue(self.problem.activity_id.active)
        self.assertFalse(self.problem.solved_by_id)

    def test_direct_write_of_solved_needs_a_resolution(self):
        with self.assertRaises(ValidationError):
            rpc(self.env, 'kam.visit.problem', 'write', [self.problem.ids, {'state': 'done'}], self.technician)
        self.assertEqual(self.problem.state, 'open')

    def test_reassigning_moves_the_activity(self):
        activity = self.problem.activity_id
        self.problem.with_user(self.kam_user).write({'responsible_id': self.employee.id, 'due_date': '2031-05-04'})
        self.assertEqual(self.problem.activity_id, activity, "moved, not recreated")
        self.assertEqual(activity.user_id, self.employee)
        self.assertEqual(str(activity.date_deadline), '2031-05-04')
        self.assertEqual(self.env['kam.visit'].with_user(self.technician).search([]).ids, [])
        self.assertEqual(self.env['kam.visit'].with_user(self.employee).search([]), self.visit)

    def test_deleting_a_problem_removes_its_activity(self):
        activity = self.problem.activity_id
        self.problem.with_user(self.kam_user).unlink()
        self.assertFalse(activity.exists())

    def test_summarising_needs_problems_solved_or_carried_over(self):
        visit = self.visit.with_user(self.kam_user)
        visit._approval_write({'stage_id': self.stage['done'].id, 'actual_start': self.start, 'actual_stop': self.start})
        visit.write({'summary_analysis': '<p>Good visit</p>'})
        with self.assertRaisesText(UserError, 'Spindle vibration'):
            visit.action_summarise()
        self.problem.with_user(self.kam_user).action_carry_over()
        self.assertEqual(self.problem.state, 'carried_over')
        self.assertTrue(self.problem.activity_id.active, "a carried-over problem stays to be solved")
        visit.action_summarise()
        self.assertEqual(visit.stage_id, self.stage['summarised'])
        # Carried over, it stays on the account, and its responsible still solves it.
        action = self.env.ref('kam_key_account.kam_visit_problem_action_partner')
        self.assertEqual(action.domain, "[('partner_id', '=', active_id)]")
        to_solve = self.env['kam.visit.problem'].with_user(self.kam_user).search(
            [('partner_id', '=', self.account.id), ('state', 'in', ('open', 'in_progress', 'carried_over'))])
        self.assertEqual(to_solve, self.problem, "the account's Open Problems list it")
        button = f'name="{action.id}"'
        self.assertIn(button, self.env['res.partner'].with_user(self.kam_user).get_views([(False, 'form')])['views']['form']['arch'])
        self.assertNotIn(button, self.env['res.partner'].with_user(self.technician).get_views([(False, 'form')])['views']['form']['arch'])
        rpc(self.env, 'mail.activity', 'action_feedback', [self.problem.activity_id.ids], self.technician,
            kwargs={'feedback': 'Fixed at the next maintenance'})
        self.assertEqual(self.problem.state, 'done')

    def test_escalation_is_idempotent(self):
        self.problem.with_user(self.kam_user).due_date = '2020-01-01'
        self.assertTrue(self.problem.is_overdue)
        Problem = self.env['kam.visit.problem']
        self.assertIn(self.problem, Problem.search([('is_overdue', '=', True)]))
        escalated = Problem._cron_escalate_overdue()
        self.assertEqual(escalated, self.problem)
        self.assertTrue(self.problem.escalated_date)
        notice = self.visit.message_ids.filtered(lambda m: 'escalated' in str(m.body))
        self.assertEqual(len(notice), 1)
        self.assertEqual(notice.partner_ids, self.tech_head.partner_id)
        self.assertFalse(Problem._cron_escalate_overdue(), "nothing twice")
        cron = self.env.ref('kam_key_account.ir_cron_kam_visit_problem_escalate')
        self.assertEqual((cron.model_id.model, cron.code), ('kam.visit.problem', 'model._cron_escalate_overdue()'))
        self.assertEqual(len(self.visit.message_ids.filtered(lambda m: 'escalated' in str(m.body))), 1)

    def test_escalation_goes_up_to_a_parent_department_manager(self):
        quality = self.env['kam.department'].create({
            'name': 'Metrology', 'parent_id': self.technical.id, 'responsible_id': self.employee.id})
        self.assertEqual(quality.display_name, 'Technical / Metrology')
        problem = self.env['kam.visit.problem'].with_user(self.kam_user).create({
            'visit_id': self.visit.id, 'description': 'Gauge drift', 'department_id': quality.id,
            'due_date': '2020-01-01'})
        self.assertIn(problem, self.env['kam.visit.problem']._cron_escalate_overdue())
        with self.assertRaises(ValidationError):
            self.technical.parent_id = quality


class TestArchivist(KamParticipantCommon):

    def test_archivist_reads_confirmed_screenings_only(self):
        archivist = new_test_user(self.env, login='kam_t_archivist', groups='kam_key_account.group_kam_archivist',
                                  company_id=self.company.id)
        group = self.env.ref('kam_key_account.group_kam_archivist')
        self.assertNotEqual(group.privilege_id, self.env.ref(GROUP % 'user').privilege_id,
                            "a privilege of its own: one user can be both")
        Screening = self.env['kam.screening']
        partner = self.env['res.partner'].create({'name': 'Filed Co', 'is_company': True})
        common = {'annual_sales': 6_000_000, 'proposed_manager_id': self.kam_user.id}
        confirmed = Screening.create({'partner_id': partner.id, **common})
        draft = Screening.create({'partner_id': self.account_2.id, **common})
        confirmed._approval_write({'approval_state': 'approved'})
        attachment = self.env['ir.attachment'].create({
            'name': 'risk.pdf', 'res_model': 'kam.screening', 'res_id': confirmed.id, 'raw': b'%PDF-1.4'})
        mine = Screening.with_user(archivist)
        self.assertEqual(mine.search([('id', 'in', (confirmed | draft).ids)]), confirmed)
        for view_type in ('form', 'list'):
            fields_ = mine.get_views([(False, view_type)])['models']['kam.screening']['fields']
            confirmed.with_user(archivist).web_read({name: {} for name in fields_})
        attachment.with_user(archivist).read(['raw'])
        with self.assertRaises(AccessError):
            draft.with_user(archivist).read(['name'])
        with self.assertRaises(AccessError):
            confirmed.with_user(archivist).write({'needs': 'Changed'})
        with self.assertRaises(AccessError):
            attachment.with_user(archivist).write({'name': 'changed.pdf'})


class TestOpportunityAssessment(KamParticipantCommon):

    def test_first_assessment_opens_the_lead_and_notifies_the_departments(self):
        visit = self.visit.with_user(self.kam_user)
        visit.write({'opportunity_ids': [(0, 0, {
            'name': 'Retrofit of line 3', 'expected_revenue': 480000, 'priority': '2',
            'department_ids': [(6, 0, self.technical.ids)]})]})
        line = visit.opportunity_ids
        self.assertRecordValues(line.lead_id, [{
            'name': 'Retrofit of line 3', 'expected_revenue': 480000, 'priority': '2',
            'kam_visit_id': self.visit.id, 'type': 'opportunity'}])
        notice = self.visit.message_ids.filtered(lambda m: 'Retrofit of line 3' in str(m.body))
        self.assertEqual(len(notice), 1)
        self.assertIn(self.technician.partner_id, notice.partner_ids, "the department concerned is told")
        self.assertIn(self.kam_supervisor.partner_id, notice.partner_ids, "and the supervisor")
        with self.assertRaises(AccessError):
            rpc(self.env, 'kam.visit.opportunity', 'write', [line.ids, {'lead_id': False}], self.kam_user)
        with self.assertRaises(AccessError):
            rpc(self.env, 'kam.visit.opportunity', 'create',
                [{'visit_id': self.visit.id, 'name': 'Planted'}], self.kam_user_2)
        with self.assertRaises(AccessError):
            self.visit.with_user(self.technician).read(['opportunity_ids'])


class TestParticipantPerformance(KamParticipantCommon):

    def test_query_budget_of_twenty_problems(self):
        """Raising 20 problems (20 activities, one notice) and solving them in one call."""
        visit = self.visit.with_user(self.kam_user)
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(400):  # 371: one activity_schedule per problem (the decided idiom)
            visit.write({'problem_ids': [(0, 0, {'description': f'Problem {i}', 'department_id': self.technical.id})
                                         for i in range(20)]})
            self.env.flush_all()
        problems = visit.problem_ids - self.problem
        self.assertEqual(len(problems.activity_id), 20)
        problems.write({'resolution': 'Fixed'})
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(210):  # 194: each activity marked done posts its own message
            problems.action_solve()
            self.env.flush_all()
        self.assertEqual(set(problems.mapped('state')), {'done'})
