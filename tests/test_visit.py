"""Key-account visits, V1-V11, on the calendar."""
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form

from .common import KamCommon


class KamVisitCommon(KamCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage = {code: cls.env.ref(f'kam_key_account.kam_stage_visit_{code}')
                     for code in ('planned', 'booked', 'prepared', 'done', 'summarised', 'cancelled')}
        # The supervisor leads the salespeople's sales team.
        cls.team = cls.env['crm.team'].create({
            'name': 'East China Key Accounts', 'user_id': cls.kam_supervisor.id,
            'member_ids': [(6, 0, (cls.kam_user | cls.kam_user_2).ids)]})
        cls.contact.email = 'zhao.jianguo@example.com'
        cls.department = cls.env['kam.department'].create({
            'name': 'Quality Control', 'responsible_id': cls.kam_manager.id})
        cls.start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=3)
        cls.company.kam_visit_budget_threshold = 5000

    def _visit(self, user=None, **values):
        user = user or self.kam_user
        return self.env['kam.visit'].with_user(user).create(dict({
            'partner_id': self.account.id,
            'contact_id': self.contact.id,
            'contact_ids': [(6, 0, self.contact.ids)],
            'purpose': 'Present the new product line',
            'start': self.start,
            'stop': self.start + timedelta(hours=2),
            'location': 'Customer HQ, Shanghai',
            'budget_amount': 1200,
        }, **values))


class TestVisit(KamVisitCommon):

    def test_whole_visit_by_a_salesperson(self):
        # V1-V2: planned in the form, the contact's habits beside the chosen timing.
        self.contact.write({'kam_preferred_contact_time': 'Tuesday mornings', 'kam_preferred_contact_manner': 'visit'})
        with Form(self.env['kam.visit'].with_user(self.kam_user)) as form:
            form.partner_id = self.account
            form.contact_id = self.contact
            self.assertEqual(form.contact_preferred_time, 'Tuesday mornings')
            form.timing_manner = 'visit'
            form.timing_reason = 'He decides on Tuesday mornings'
            form.purpose = 'Present the new product line'
            form.start = self.start
            form.stop = self.start + timedelta(hours=2)
            form.location = 'Customer HQ'
            form.contact_ids.add(self.contact)
            form.budget_amount = 800
        visit = form.record.with_user(self.kam_user)
        self.assertTrue(visit.name.startswith('VIS/'))
        self.assertEqual(visit.stage_id, self.stage['planned'])
        self.assertEqual(visit.visitor_ids, self.kam_user)
        self.assertEqual(len(visit.checklist_ids), 8, "V5 from the checklist template")
        # V3: booked on the calendar, the customer not invited yet.
        visit.action_book()
        event = visit.event_id
        self.assertRecordValues(visit, [{'appointment_state': 'booked', 'stage_id': self.stage['booked'].id}])
        self.assertEqual((event.res_model, event.res_id, event.kam_visit_id), ('kam.visit', visit.id, visit))
        self.assertEqual(event.privacy, 'private')
        self.assertFalse(event.recurrency)
        self.assertEqual(event.partner_ids, self.kam_user.partner_id)
        visit.action_confirm_appointment()
        self.assertEqual(event.partner_ids, self.kam_user.partner_id | self.contact, "invited once confirmed")
        # V5: prepared once every line is ticked.
        with self.assertRaisesText(UserError, 'Tick every line'):
            visit.action_mark_prepared()
        visit.checklist_ids.write({'done': True})
        visit.action_mark_prepared()
        self.assertEqual(visit.stage_id, self.stage['prepared'])
        # V6: made, with the latest information.
        visit.write({'actual_start': self.start, 'actual_stop': self.start + timedelta(hours=1),
                     'latest_info': '<p>New plant in Suzhou</p>'})
        visit.action_done()
        self.assertEqual(visit.stage_id, self.stage['done'])
        self.assertTrue(visit.on_time)
        # V7-V8 on the visit.
        visit.action_create_opportunity()
        visit.write({'problem_ids': [(0, 0, {'description': 'Late deliveries in Q3', 'department_id': self.department.id})]})
        self.assertEqual(visit.problem_ids.responsible_id, self.kam_manager)
        # V9: summarised.
        with self.assertRaisesText(UserError, 'Write the summary'):
            visit.action_summarise()
        visit.write({'summary_analysis': '<p>Good reception</p>', 'lessons': 'Bring samples',
                     'next_steps': 'Send a quotation', 'customer_views': 'Interested'})
        with self.assertRaisesText(UserError, 'Late deliveries in Q3'):
            visit.action_summarise()
        visit.problem_ids.resolution = 'New carrier from October'
        visit.problem_ids.action_solve()
        visit.action_summarise()
        self.assertEqual(visit.stage_id, self.stage['summarised'])
        # V10: the visit record form.
        html = self.env['ir.actions.report']._render_qweb_html(
            'kam_key_account.report_kam_visit_record', visit.ids)[0].decode()
        for text in ('Target Customer Visit Record', visit.name, 'Customer HQ', 'Interested',
                     'Send a quotation', 'Late deliveries in Q3', 'New plant in Suzhou'):
            self.assertIn(text, html)
        # The account knows its last visit.
        self.account.invalidate_recordset(['kam_last_visit_date', 'kam_visit_count'])
        self.assertEqual(self.account.kam_last_visit_date, self.start)
        self.assertEqual(self.account.kam_visit_count, 1)

    # ---- V3: the calendar ---------------------------------------------------------

    def test_visit_changes_move_the_event(self):
        visit = self._visit()
        visit.action_book()
        new_start = self.start + timedelta(days=1)
        visit.write({'start': new_start, 'stop': new_start + timedelta(hours=3), 'location': 'Suzhou plant'})
        self.assertRecordValues(visit.event_id, [{
            'start': new_start, 'stop': new_start + timedelta(hours=3), 'location': 'Suzhou plant'}])
        visit.visitor_ids |= self.kam_supervisor
        self.assertIn(self.kam_supervisor.partner_id, visit.event_id.partner_ids)
        self.assertNotIn(self.contact, visit.event_id.partner_ids)

    def test_event_changes_move_the_visit(self):
        visit = self._visit()
        visit.action_book()
        new_start = self.start + timedelta(days=2)
        visit.event_id.write({'start': new_start, 'stop': new_start + timedelta(hours=2), 'location': 'Video call'})
        self.assertRecordValues(visit, [{'start': new_start, 'stop': visit.event_id.stop, 'location': 'Video call'}])
        self.assertEqual(visit.event_id.stop, new_start + timedelta(hours=2))
        visit.event_id.allday = True
        self.assertTrue(visit.allday)

    def test_deleting_the_event_returns_the_visit_to_be_booked(self):
        visit = self._visit()
        visit.action_book()
        visit.event_id.unlink()
        self.assertRecordValues(visit, [{'appointment_state': 'to_book', 'event_id': False,
                                         'stage_id': self.stage['planned'].id}])
        visit.action_book()
        self.assertTrue(visit.event_id)

    def test_a_done_visit_stops_syncing(self):
        visit = self._visit()
        visit.action_confirm_appointment()
        visit.write({'actual_start': self.start, 'actual_stop': self.start + timedelta(hours=1)})
        visit.action_done()
        visit.event_id.write({'start': self.start + timedelta(days=9), 'stop': self.start + timedelta(days=9, hours=1)})
        self.assertEqual(visit.start, self.start)
        visit.write({'location': 'Changed afterwards'})
        self.assertNotEqual(visit.event_id.location, 'Changed afterwards')

    def test_no_mail_to_customers_before_confirmation(self):
        visit = self._visit()
        Mail = self.env['mail.mail'].sudo()
        to_customer = [('recipient_ids', 'in', self.contact.ids)]
        visit.action_book()
        visit.write({'start': self.start + timedelta(hours=4), 'stop': self.start + timedelta(hours=5)})
        self.assertFalse(Mail.search(to_customer), "no invitation or change notice before confirmation")
        self.assertFalse(visit.event_id.attendee_ids.filtered(lambda a: a.partner_id == self.contact))
        visit.action_confirm_appointment()
        self.assertTrue(visit.event_id.attendee_ids.filtered(lambda a: a.partner_id == self.contact))
        self.assertTrue(Mail.search(to_customer), "invited once confirmed")

    # ---- V7, V8, V11 ------------------------------------------------------------------

    def test_opportunity_is_linked_and_reported(self):
        visit = self._visit()
        action = visit.action_create_opportunity()
        lead = self.env['crm.lead'].browse(action['res_id'])
        self.assertRecordValues(lead, [{
            'kam_visit_id': visit.id, 'partner_id': self.contact.id, 'user_id': self.kam_user.id,
            'team_id': self.team.id, 'type': 'opportunity'}])
        self.assertEqual(lead.source_id, self.env.ref('kam_key_account.utm_source_kam_visit'))
        self.assertEqual(visit.lead_ids, lead)
        self.assertEqual(visit.lead_count, 1)
        notice = visit.message_ids.filtered(lambda m: 'New opportunity' in str(m.body))
        self.assertIn(self.kam_supervisor.partner_id, notice.partner_ids, "the supervisor is notified")
        self.assertEqual(lead.kam_tier_id, self.tier_key)

    def test_problems_are_activities_until_solved(self):
        visit = self._visit()
        visit.write({'problem_ids': [
            (0, 0, {'description': 'Invoice errors', 'department_id': self.department.id}),
            (0, 0, {'description': 'Needs training', 'responsible_id': self.kam_user_2.id,
                    'due_date': fields.Date.today() + timedelta(days=3)}),
        ]})
        first, second = visit.problem_ids.sorted('id')
        self.assertEqual(first.activity_id.user_id, self.kam_manager)
        self.assertEqual(second.activity_id.user_id, self.kam_user_2)
        self.assertEqual(second.activity_id.date_deadline, fields.Date.today() + timedelta(days=3))
        self.assertEqual((first.activity_id.res_model, first.activity_id.res_id), ('kam.visit', visit.id))
        self.assertEqual(visit.open_problem_count, 2)
        notice = visit.message_ids.filtered(lambda m: 'Problems raised' in str(m.body))
        self.assertIn(self.kam_supervisor.partner_id, notice.partner_ids)
        activity = first.activity_id
        first.with_user(self.kam_manager).write({'resolution': 'Credit note sent'})
        first.with_user(self.kam_manager).action_solve()
        self.assertNotIn(activity, visit.activity_ids, "solving closes the activity")
        self.assertTrue(not activity.exists() or not activity.active)
        self.assertEqual(visit.open_problem_count, 1)
        # The department's responsible sees the problem raised to them, nothing else.
        Problem = self.env['kam.visit.problem'].with_user(self.kam_user_2)
        self.assertEqual(Problem.search([('visit_id', '=', visit.id)]), second)

    def test_follow_up_a_week_after_a_development_visit(self):
        premeeting = self.env['calendar.event'].create({
            'name': 'Pre-visit discussion', 'start': fields.Datetime.now() - timedelta(hours=3),
            'stop': fields.Datetime.now() - timedelta(hours=2), 'partner_ids': [(6, 0, self.kam_supervisor.partner_id.ids)]})
        visit = self._visit(user=self.kam_supervisor, visit_type='development', premeeting_event_id=premeeting.id)
        visit.action_book()
        visit.action_confirm_appointment()
        visit.action_done()
        follow_up = self.env['mail.activity'].search([
            ('res_model', '=', 'res.partner'), ('res_id', '=', self.account.id),
            ('summary', 'ilike', visit.name)])
        self.assertEqual(follow_up.user_id, self.kam_supervisor)
        # The leader's today (Asia/Shanghai), which is not UTC's for eight hours a day.
        today = fields.Date.context_today(visit)
        self.assertEqual(follow_up.date_deadline, today + timedelta(days=7))
        # Configurable; routine visits get none.
        self.company.kam_visit_followup_days = 3
        routine = self._visit()
        routine.action_confirm_appointment()
        routine.action_done()
        self.assertFalse(self.env['mail.activity'].search([('summary', 'ilike', routine.name)]))
        other = self._visit(user=self.kam_supervisor, visit_type='development', premeeting_event_id=premeeting.id)
        other.action_confirm_appointment()
        other.action_done()
        self.assertEqual(self.env['mail.activity'].search([('summary', 'ilike', other.name)]).date_deadline,
                         today + timedelta(days=3))

    # ---- development visits and the budget ----------------------------------------------

    def test_development_visits_are_for_supervisors_and_above(self):
        with self.assertRaisesText(ValidationError, 'supervisors or above'):
            self._visit(visit_type='development')
        visit = self._visit(user=self.kam_supervisor, visit_type='development')
        with self.assertRaisesText(ValidationError, 'supervisors or above'):
            visit.visitor_ids |= self.kam_user

    def test_development_visit_waits_for_the_pre_visit_meeting(self):
        meeting = self.env['calendar.event'].create({
            'name': 'Pre-visit discussion', 'start': fields.Datetime.now() + timedelta(hours=1),
            'stop': fields.Datetime.now() + timedelta(hours=2), 'partner_ids': [(6, 0, self.kam_supervisor.partner_id.ids)]})
        visit = self._visit(user=self.kam_supervisor, visit_type='development')
        visit.action_book()
        with self.assertRaisesText(UserError, 'pre-visit discussion meeting'):
            visit.action_confirm_appointment()
        visit.premeeting_event_id = meeting
        with self.assertRaisesText(UserError, 'pre-visit discussion meeting'):
            visit.action_confirm_appointment()
        meeting.write({'start': fields.Datetime.now() - timedelta(hours=2), 'stop': fields.Datetime.now() - timedelta(hours=1)})
        visit.action_confirm_appointment()
        self.assertEqual(visit.appointment_state, 'confirmed')

    def test_budget_above_threshold_needs_the_supervisors_approval(self):
        small = self._visit(budget_amount=5000)
        self.assertFalse(small.budget_over_threshold, "at the threshold is fine")
        small.action_confirm_appointment()
        big = self._visit(budget_amount=8000, gifts='Tea set')
        self.assertTrue(big.budget_over_threshold)
        with self.assertRaisesText(UserError, "request the supervisor's approval"):
            big.action_confirm_appointment()
        big.action_request_approval()
        self.assertEqual(big.approval_reviewer_ids, self.kam_supervisor, "the visitor's team leader")
        with self.assertRaises(AccessError):
            big.with_user(self.kam_manager).action_approve()
        big.with_user(self.kam_supervisor).action_approve()
        self.assertEqual(big.approval_state, 'approved')
        big.action_confirm_appointment()
        self.assertEqual(big.appointment_state, 'confirmed')
        # Below the threshold no step applies: approved at once, nobody bothered.
        small.action_request_approval()
        self.assertEqual(small.approval_state, 'approved')
        self.company.kam_visit_budget_threshold = 100
        self.assertTrue(small.budget_over_threshold, "the company's threshold decides")

    def test_raising_an_approved_budget_needs_a_new_approval(self):
        big = self._visit(budget_amount=8000)
        big.action_request_approval()
        big.with_user(self.kam_supervisor).action_approve()
        big.write({'budget_amount': 50000})
        self.assertEqual(big.approval_state, 'draft', "the approval was for 8,000")
        with self.assertRaisesText(UserError, "request the supervisor's approval"):
            big.action_confirm_appointment()

    def test_deleting_a_visit_deletes_its_event(self):
        visit = self._visit()
        visit.action_book()
        event = visit.event_id
        visit.unlink()
        self.assertFalse(event.exists())

    def test_only_those_who_may_edit_the_visit_move_its_event(self):
        stranger = self.env['res.users'].create({
            'name': 'Stranger', 'login': 'kam_t_stranger', 'group_ids': [self.env.ref('base.group_user').id]})
        visit = self._visit()
        visit.write({'visitor_ids': [(4, self.kam_user_2.id)]})
        visit.action_book()
        with self.assertRaisesText(UserError, 'only those who may edit the visit'):
            visit.event_id.with_user(stranger).write({'location': 'Elsewhere'})
        self.assertEqual(visit.location, 'Customer HQ, Shanghai')
        later = self.start + timedelta(days=1)
        visit.event_id.with_user(self.kam_user_2).write({'start': later, 'stop': later + timedelta(hours=2)})
        self.assertEqual(visit.start, later, "a fellow visitor moves it")

    def test_budget_without_team_leader_goes_to_the_supervisors(self):
        self.team.user_id = False
        big = self._visit(budget_amount=9000)
        big.action_request_approval()
        self.assertIn(self.kam_supervisor, big.approval_reviewer_ids)

    # ---- bad input and rights ---------------------------------------------------------

    def test_bad_input(self):
        with self.assertRaisesText(ValidationError, 'cannot end before it starts'):
            self._visit(stop=self.start - timedelta(hours=1))
        with self.assertRaisesText(ValidationError, 'cannot be negative'):
            self._visit(budget_amount=-10)
        with self.assertRaisesText(ValidationError, 'needs the account'):
            self.env['kam.visit'].with_user(self.kam_user).create({'purpose': 'No account'})
        with self.assertRaisesText(AccessError, 'set by its actions'):
            self._visit(start=False, stop=False, appointment_state='booked')
        visit = self._visit(start=False, stop=False)
        with self.assertRaisesText(UserError, 'before booking it'):
            visit.action_book()
        with self.assertRaisesText(UserError, 'cannot go from Planned to Done'):
            visit.stage_id = self.stage['done']
        visit.actual_start = self.start
        with self.assertRaisesText(ValidationError, 'cannot have ended before it started'):
            visit.actual_stop = self.start - timedelta(minutes=5)
        self.assertEqual(visit.stage_id, self.stage['planned'], "nothing lost")

    def test_visibility(self):
        mine = self._visit()
        theirs = self._visit(user=self.kam_user_2, partner_id=self.account_2.id, contact_id=False, contact_ids=False)
        Visit = self.env['kam.visit']
        self.assertEqual(Visit.with_user(self.kam_user).search([('id', 'in', (mine | theirs).ids)]), mine)
        self.assertEqual(Visit.with_user(self.kam_supervisor).search([('id', 'in', (mine | theirs).ids)]), mine | theirs)
        with self.assertRaises(AccessError):
            theirs.with_user(self.kam_user).read(['purpose'])

    def test_cancel_removes_the_event(self):
        visit = self._visit()
        visit.action_book()
        event = visit.event_id
        visit.action_cancel()
        self.assertEqual(visit.stage_id, self.stage['cancelled'])
        self.assertFalse(event.exists())

    def test_views_load(self):
        for view_type in ('kanban', 'calendar', 'list', 'form', 'search', 'pivot', 'graph', 'activity'):
            views = self.env['kam.visit'].with_user(self.kam_user).get_views([(False, view_type)])
            self.assertIn(view_type, views['views'])


class TestVisitPerformance(KamVisitCommon):

    def _kanban_spec(self):
        return {
            'name': {}, 'visit_type': {}, 'start': {}, 'appointment_state': {}, 'activity_state': {},
            'partner_id': {'fields': {'display_name': {}}},
            'tier_id': {'fields': {'display_name': {}}},
            'stage_id': {'fields': {'display_name': {}}},
            'visitor_ids': {'fields': {'display_name': {}}},
            'activity_ids': {'fields': {}},
        }

    def _count_kanban_queries(self, visits):
        self.env.invalidate_all()
        Visit = self.env['kam.visit'].with_user(self.kam_supervisor)
        before = self.cr.sql_log_count
        Visit.web_search_read([('id', 'in', visits.ids)], self._kanban_spec())
        return self.cr.sql_log_count - before

    def test_kanban_of_80_costs_what_a_kanban_of_10_does(self):
        partners = self.env['res.partner'].create([
            {'name': f'Account {i}', 'is_company': True, 'kam_tier_id': self.tier_key.id} for i in range(8)])
        visits = self.env['kam.visit'].create([{
            'partner_id': partners[i % 8].id, 'start': self.start + timedelta(hours=i),
            'visitor_ids': [(6, 0, (self.kam_user | self.kam_user_2).ids)], 'user_id': self.kam_user.id,
        } for i in range(80)])
        self.env.flush_all()
        self._count_kanban_queries(visits[:10])  # warm the caches
        self.assertEqual(self._count_kanban_queries(visits[:10]), self._count_kanban_queries(visits))

    def test_account_visit_dates_are_computed_in_batch(self):
        partners = self.env['res.partner'].create([{'name': f'Dated {i}', 'is_company': True} for i in range(20)])
        self.env['kam.visit'].create([{'partner_id': p.id, 'start': self.start} for p in partners])
        self.env.invalidate_all()
        with self.assertQueryCount(4):  # three grouped reads and the access check
            partners.mapped('kam_next_visit_date')
        self.assertEqual(set(partners.mapped('kam_next_visit_date')), {self.start})
