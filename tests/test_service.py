"""Service teams and service & support requests (R1-R5, issue 12)."""
import logging
from datetime import timedelta

from psycopg2.errors import CheckViolation

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import new_test_user
from odoo.tools import mute_logger

from .common import KamCommon, ProcessContract

_logger = logging.getLogger(__name__)


class KamServiceCommon(KamCommon):
    """A team on the account (the manager line from its kam_manager_id, a technician
    without a Key Accounts role, a finance colleague), the catalogue's types."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.type_seminar = ref('kam_key_account.kam_service_type_seminar')
        cls.type_payment = ref('kam_key_account.kam_service_type_payment_terms')
        cls.type_custom = ref('kam_key_account.kam_service_type_custom_products')
        cls.type_training = ref('kam_key_account.kam_service_type_training')
        cls.type_warranty = ref('kam_key_account.kam_service_type_warranty')
        Member = cls.env['kam.service.team.member']
        Member.create([
            {'partner_id': cls.account.id, 'user_id': cls.employee.id, 'role': 'technical'},
            {'partner_id': cls.account.id, 'user_id': cls.kam_user_2.id, 'role': 'finance'},
        ])
        cls.contact.email = 'zhao.jianguo@customer.example.com'
        cls.tech_head = cls.env['res.partner'].create({
            'name': 'Sun Li (CTO)', 'parent_id': cls.account.id, 'email': 'sun.li@customer.example.com'})
        cls.association = cls.env['res.partner'].create({
            'name': 'Machinery Industry Association', 'is_company': True, 'email': 'info@association.example.com'})
        cls.when = fields.Datetime.now().replace(microsecond=0) + timedelta(days=10)
        cls.flush_tracking(cls)

    @classmethod
    def _new_request(cls, types=None, user=None, events=(), **values):
        user = user or cls.kam_user
        return cls.env['kam.service.request'].with_user(user).create(dict({
            'partner_id': cls.account.id,
            'type_ids': [Command.set((types or cls.type_custom).ids)],
            'content': 'A custom flange for the packaging line.',
            'estimated_cost': 10_000,
            'event_ids': [Command.create(vals) for vals in events],
        }, **values)).with_env(cls.env)

    def _seminar(self, **values):
        return dict({
            'name': 'Servo tuning seminar', 'type_id': self.type_seminar.id, 'start': self.when,
            'stop': self.when + timedelta(hours=3), 'contact_ids': [Command.set(self.tech_head.ids)],
            'other_partner_ids': [Command.set(self.association.ids)]}, **values)

    def _special_seminar(self):
        return self._new_request(
            self.type_seminar | self.type_payment, events=[self._seminar()],
            content='Technical seminar, pilot order on 90-day terms.', payment_terms='90 days end of month',
            estimated_cost=30_000)

    def approve(self, request, *users):
        for user in users:
            request.with_user(user).action_approve()
        return request


class TestServiceContract(ProcessContract, KamServiceCommon):

    def _contract_new_record(self, **values):
        # An event type: no task activity is left open once approved (the contract checks it).
        return self._new_request(self.type_seminar, **values)


class TestServiceTeam(KamServiceCommon):

    def test_manager_line_is_the_partners_account_manager(self):
        team = self.account.kam_service_member_ids
        self.assertEqual(team.filtered(lambda m: m.role == 'ka_manager').user_id, self.kam_user)
        self.account.with_user(self.kam_manager).kam_manager_id = self.kam_user_2
        self.assertEqual(self.account.kam_service_member_ids.filtered(lambda m: m.role == 'ka_manager').user_id,
                         self.kam_user_2)

    def test_only_kam_managers_change_the_ka_manager(self):
        line = self.account.kam_service_member_ids.filtered(lambda m: m.role == 'ka_manager')
        with self.assertRaises(AccessError):
            line.with_user(self.kam_user).user_id = self.kam_user_2
        with self.assertRaises(AccessError):
            line.with_user(self.kam_supervisor).unlink()
        line.with_user(self.kam_manager).user_id = self.kam_supervisor
        self.assertEqual(self.account.kam_manager_id, self.kam_supervisor)
        # The partner's own checks: a manager needs a Key Accounts role.
        with self.assertRaisesText(ValidationError, 'Key Accounts role'):
            line.with_user(self.kam_manager).user_id = self.employee
        self.assertEqual(line.user_id, self.kam_supervisor, "nothing saved is lost")

    def test_a_second_ka_manager_is_refused(self):
        with self.assertRaisesText(ValidationError, 'one KA manager'):
            self.env['kam.service.team.member'].with_user(self.kam_manager).create(
                {'partner_id': self.account.id, 'user_id': self.kam_manager.id, 'role': 'ka_manager'})
        technician = self.account.kam_service_member_ids.filtered(lambda m: m.role == 'technical')
        with self.assertRaisesText(ValidationError, 'one KA manager'):
            technician.with_user(self.kam_manager).role = 'ka_manager'
        self.assertEqual(self.account.kam_manager_id, self.kam_user)

    def test_members_follow_the_accounts_requests_until_they_leave(self):
        earlier = self._new_request()
        self.assertIn(self.employee.partner_id, earlier.message_partner_ids)
        trainer = self.env['kam.service.team.member'].with_user(self.kam_user).create(
            {'partner_id': self.account.id, 'user_id': self.kam_director.id, 'role': 'training'})
        later = self._new_request()
        for request in earlier | later:
            self.assertIn(self.kam_director.partner_id, request.message_partner_ids, "joined: follows all of them")
        trainer.with_user(self.kam_user).unlink()
        for request in earlier | later:
            self.assertNotIn(self.kam_director.partner_id, request.message_partner_ids, "left: follows none")
        # Membership is a participant's piece: the technician reads the account's requests,
        # read-only (issue 9). Following alone gives no access.
        self.assertTrue(earlier.with_user(self.employee).has_access('read'))
        self.assertFalse(earlier.with_user(self.employee).has_access('write'))
        outsider = new_test_user(self.env, login='kam_t_svc_follower', groups='base.group_user')
        earlier.message_subscribe(outsider.partner_id.ids)
        self.assertFalse(earlier.with_user(outsider).has_access('read'))
        trainer = self.env['kam.service.team.member'].with_user(self.kam_user).create(
            {'partner_id': self.account.id, 'user_id': outsider.id, 'role': 'training'})
        self.assertTrue(earlier.with_user(outsider).has_access('read'))
        trainer.with_user(self.kam_user).unlink()
        self.assertFalse(earlier.with_user(outsider).has_access('read'), "left the team: no access")

    def test_a_request_moved_to_another_account_leaves_the_former_team(self):
        request = self._new_request()
        self.assertIn(self.employee.partner_id, request.message_partner_ids)
        elsewhere = self.env['res.partner'].create({
            'name': 'Moved To Co.', 'is_company': True, 'company_id': self.company.id,
            'kam_manager_id': self.kam_user.id})
        request.with_user(self.kam_user).partner_id = elsewhere
        self.assertNotIn(self.employee.partner_id, request.message_partner_ids, "no longer their account")
        self.assertIn(self.kam_user.partner_id, request.message_partner_ids, "the request's own user stays")
        self.assertFalse(request.with_user(self.employee).has_access('read'))

    def test_team_tab_for_an_employee_without_a_kam_role(self):
        Partner = self.env['res.partner'].with_user(self.employee)
        views = Partner.get_views([(False, 'form')])
        fields_ = views['models']['res.partner']['fields']
        self.assertIn('kam_service_member_ids', fields_)
        values = self.account.with_user(self.employee).web_read(
            {'kam_service_member_ids': {'fields': {'role': {}, 'user_id': {'fields': {'display_name': {}}}}}})
        roles = {line['role'] for line in values[0]['kam_service_member_ids']}
        self.assertEqual(roles, {'ka_manager', 'technical', 'finance'})
        with self.assertRaises(AccessError):
            self.account.kam_service_member_ids[:1].with_user(self.employee).role = 'sales'

    def test_a_member_works_for_the_accounts_company(self):
        outsider = self.env['res.users'].create({
            'name': 'Other Company Employee', 'login': 'kam_t_svc_outsider',
            'company_id': self.company_2.id, 'company_ids': [Command.set(self.company_2.ids)]})
        with self.assertRaisesText(UserError, 'does not work for'):
            self.env['kam.service.team.member'].with_user(self.kam_user).create(
                {'partner_id': self.account.id, 'user_id': outsider.id, 'role': 'sales'})

    def test_portal_user_cannot_join(self):
        portal = self.env['res.users'].create({
            'name': 'Portal Customer', 'login': 'kam_t_portal_svc',
            'group_ids': [Command.set(self.env.ref('base.group_portal').ids)]})
        with self.assertRaisesText(UserError, 'not an internal user'):
            self.env['kam.service.team.member'].create(
                {'partner_id': self.account.id, 'user_id': portal.id, 'role': 'sales'})


class TestServiceRequest(KamServiceCommon):

    def test_whole_path_with_special_payment_terms(self):
        request = self._special_seminar()
        self.assertTrue(request.special_payment_terms)
        request.with_user(self.kam_user).action_request_approval()
        self.assertEqual(request.stage_id.code, 'review')
        self.assertEqual(request.approval_review_ids.mapped('name'),
                         ['Supervisor Review', 'Manager Approval', 'General Manager or Marketing VP Approval'])
        self.approve(request, self.kam_supervisor)
        self.assertEqual((request.stage_id.code, request.approval_state), ('review', 'pending'))
        self.approve(request, self.kam_manager)
        self.assertEqual((request.stage_id.code, request.approval_state), ('review', 'pending'),
                         "the manager's approval does not open the gate while the GM step remains")
        self.assertIn(self.kam_gm, request.approval_reviewer_ids)
        self.assertFalse(request.event_ids.calendar_event_id, "nothing on the calendar before approval")
        self.approve(request, self.kam_gm)
        self.assertRecordValues(request, [{
            'approval_state': 'approved', 'stage_code': 'approved', 'control_state': 'controlled',
            'prepared_by_id': self.kam_user.id, 'reviewed_by_id': self.kam_manager.id,
            'approved_by_id': self.kam_gm.id}])
        # R5: the event on the calendar with its invitees, the finance task for the finance member.
        calendar_event = request.event_ids.calendar_event_id
        self.assertEqual(calendar_event.partner_ids, self.tech_head | self.association | (
            self.kam_user | self.employee | self.kam_user_2).partner_id)
        self.assertEqual(calendar_event.privacy, 'private')
        self.assertNotIn('90 days', str(calendar_event.description), "nothing internal reaches the customer")
        task = request.task_ids
        self.assertRecordValues(task, [{'type_id': self.type_payment.id, 'responsible_id': self.kam_user_2.id,
                                        'state': 'open'}])
        request.with_user(self.kam_user).action_start()
        with self.assertRaisesText(UserError, 'still to do'):
            request.with_user(self.kam_user).action_finish()
        event = request.event_ids.with_user(self.kam_user)
        with self.assertRaisesText(UserError, 'outcome'):
            event.action_done()
        event.write({'outcome': 'Forty engineers came.', 'actual_cost': 32_000, 'satisfaction': '4'})
        event.action_done()
        task.with_user(self.kam_user_2).write({'resolution': 'Terms signed.', 'actual_cost': 0})
        task.with_user(self.kam_user_2).action_solve()
        request.with_user(self.kam_user).action_finish()
        self.assertRecordValues(request, [{'stage_code': 'done', 'actual_cost': 32_000, 'cost_variance': 2_000}])
        self.assertEqual(request.done_date, fields.Date.context_today(request.with_user(self.kam_user)))

    def test_no_gm_step_without_special_payment_terms(self):
        request = self._new_request(self.type_seminar, events=[self._seminar()])
        self.assertFalse(request.special_payment_terms)
        request.with_user(self.kam_user).action_request_approval()
        self.assertEqual(request.approval_review_ids.mapped('name'), ['Supervisor Review', 'Manager Approval'])
        self.approve(request, self.kam_supervisor, self.kam_manager)
        self.assertEqual((request.stage_id.code, request.approval_state), ('approved', 'approved'))

    def test_vp_configured_per_company(self):
        self.company.kam_vp_user_id = self.kam_director
        request = self._special_seminar()
        request.with_user(self.kam_user).action_request_approval()
        self.approve(request, self.kam_supervisor, self.kam_manager)
        self.assertEqual(request.approval_reviewer_ids, self.kam_director)
        self.company.kam_vp_user_id = False
        self.company.kam_vp_group_id = self.env.ref('kam_key_account.group_kam_director')
        other = self._special_seminar()
        other.with_user(self.kam_user).action_request_approval()
        self.approve(other, self.kam_supervisor, self.kam_manager)
        self.assertIn(self.kam_director, other.approval_reviewer_ids)
        self.assertNotIn(self.kam_gm, other.approval_reviewer_ids)

    def test_no_mail_to_customers_before_approval(self):
        Mail = self.env['mail.mail'].sudo()
        customers = (self.tech_head | self.association | self.contact).ids
        to_customers = [('recipient_ids', 'in', customers)]
        request = self._new_request(self.type_seminar, events=[self._seminar()])
        request.with_user(self.kam_user).message_post(body='Internal: budget is tight.', message_type='comment',
                                                      subtype_xmlid='mail.mt_note')
        request.with_user(self.kam_user).action_request_approval()
        self.approve(request, self.kam_supervisor)
        request.event_ids.with_user(self.kam_user).write({'start': self.when + timedelta(days=1),
                                                          'stop': self.when + timedelta(days=1, hours=2)})
        self.assertFalse(Mail.search(to_customers), "no invitation or note before approval")
        self.assertNotIn(self.tech_head, request.message_partner_ids, "customers do not follow the request")
        self.approve(request, self.kam_manager)
        self.assertTrue(Mail.search([('recipient_ids', 'in', self.tech_head.ids)]), "invited once approved")
        # An event planned after the approval is on the calendar at once.
        later = request.event_ids.with_user(self.kam_user).create(self._seminar(
            request_id=request.id, name='Follow-up seminar', contact_ids=[Command.set(self.contact.ids)]))
        self.assertIn(self.contact, later.calendar_event_id.partner_ids)

    def test_the_calendar_entry_moves_its_service_event(self):
        request = self._new_request(self.type_seminar, events=[self._seminar()])
        request.with_user(self.kam_user).action_request_approval()
        self.approve(request, self.kam_supervisor, self.kam_manager)
        event = request.event_ids
        entry = event.calendar_event_id
        later = self.when + timedelta(days=2)
        # The technician is invited (the team) but may not edit the request: they may move the
        # entry (test_service_attacks), not invite or delete.
        self.assertIn(self.employee.partner_id, entry.partner_ids)
        with self.assertRaisesText(AccessError, 'Only those who may edit the service request .* ask'):
            entry.with_user(self.employee).write({'partner_ids': [Command.link(self.contact_2.id)]})
        with self.assertRaises(AccessError):
            entry.with_user(self.employee).unlink()
        self.assertEqual(event.start, self.when)
        entry.with_user(self.kam_user).write({'start': later, 'stop': later + timedelta(hours=3)})
        self.assertEqual((event.start, event.stop), (later, later + timedelta(hours=3)), "the service event follows")
        event.with_user(self.kam_user).location = 'Association hall'
        self.assertEqual(entry.location, 'Association hall', "and the entry follows its service event")

    def test_task_routing_done_by_a_member_without_kam_role(self):
        request = self._new_request(self.type_custom | self.type_seminar, events=[self._seminar()])
        request.with_user(self.kam_user).action_request_approval()
        self.approve(request, self.kam_supervisor, self.kam_manager)
        task = request.task_ids
        self.assertEqual(task.responsible_id, self.employee, "the member holding the technical role")
        activity = task.activity_id
        self.assertEqual(activity.user_id, self.employee)
        # The participant reads the request (not its customer information), does the task.
        mine = request.with_user(self.employee)
        self.assertTrue(mine.has_access('read'))
        self.assertFalse(mine.has_access('write'))
        views = self.env['kam.service.request'].with_user(self.employee).get_views([(False, 'form')])
        spec = {name: {} for name in views['models']['kam.service.request']['fields']}
        for x2many, comodel in (('event_ids', 'kam.service.event'), ('task_ids', 'kam.service.task')):
            if x2many in spec:  # the form's lists, as the web client reads them
                spec[x2many] = {'fields': {name: {} for name in views['models'][comodel]['fields']}}
        mine.web_read(spec)
        with self.assertRaises(AccessError):
            mine.read(['deeper_needs'])
        activity.with_user(self.employee).action_feedback(feedback='Drawing sent to the plant.')
        self.assertRecordValues(task, [{'state': 'done', 'resolution': 'Drawing sent to the plant.',
                                        'solved_by_id': self.employee.id}])
        task.with_user(self.employee).actual_cost = 1_500
        self.assertEqual(request.actual_cost, 1_500)
        with self.assertRaises(AccessError):
            task.with_user(self.employee).description = 'Rewritten'
        other = self._new_request(self.type_custom, content='Another one')
        self.assertFalse(other.with_user(self.employee).has_access('write'), "a team member reads, no more")
        elsewhere = self.env['res.partner'].create({
            'name': 'Not Their Account Co.', 'is_company': True, 'company_id': self.company.id,
            'kam_manager_id': self.kam_user.id})
        stranger = self._new_request(self.type_custom, content='Not their account', partner_id=elsewhere.id)
        self.assertFalse(stranger.with_user(self.employee).has_access('read'), "not on that team, no task: no access")

    def test_task_for_a_role_nobody_holds(self):
        request = self._new_request(self.type_training)
        with self.assertRaisesText(UserError, 'Nobody on the service team .* holds the role Training Support'):
            request.with_user(self.kam_user).action_request_approval()
        self.assertEqual(request.approval_state, 'draft')

    @mute_logger('odoo.sql_db')
    def test_bad_input(self):
        request = self._new_request(self.type_warranty)
        for vals in ({'estimated_cost': -1}, {'warranty_years': -2}):
            with self.subTest(vals=vals), self.assertRaises(CheckViolation):
                request.with_user(self.kam_user).write(vals)
                self.env.flush_all()
        with self.assertRaisesText(UserError, 'warranty years and kind'):
            request.with_user(self.kam_user).action_request_approval()
        special = self._new_request(self.type_payment)
        with self.assertRaisesText(UserError, 'payment terms'):
            special.with_user(self.kam_user).action_request_approval()
        self.assertEqual(special.approval_state, 'draft', "no special payment terms without their approval")
        with self.assertRaisesText(ValidationError, 'needs a date'):
            self._new_request(self.type_seminar, events=[self._seminar(start=False, stop=False)])
        with self.assertRaisesText(ValidationError, 'people of the account'):
            self._new_request(self.type_seminar, events=[self._seminar(contact_ids=[Command.set(self.contact_2.ids)])])
        with self.assertRaises(CheckViolation):
            self._new_request(self.type_seminar, events=[self._seminar(actual_cost=-5)])
            self.env.flush_all()
        # Done without an outcome, by a direct write of the state (RPC): refused.
        held = self._new_request(self.type_seminar, events=[self._seminar()])
        held.with_user(self.kam_user).action_request_approval()
        event = self.approve(held, self.kam_supervisor, self.kam_manager).event_ids
        with self.assertRaisesText(ValidationError, 'outcome'):
            event.with_user(self.kam_user).write({'state': 'done'})
        # A task for a role nobody on the team holds, created by hand.
        request = self._new_request()
        with self.assertRaisesText(ValidationError, 'holds the role Training Support'):
            self.env['kam.service.task'].with_user(self.kam_user).create({
                'request_id': request.id, 'type_id': self.type_training.id, 'description': 'Train them'})

    def test_special_payment_terms_are_the_types_not_the_clients(self):
        request = self._new_request(self.type_payment, payment_terms='60 days')
        with self.assertRaises(AccessError):
            request.with_user(self.kam_user).write({'special_payment_terms': False})
        self.assertTrue(request.special_payment_terms)
        # Changing the types after the approval withdraws it.
        request.with_user(self.kam_user).action_request_approval()
        request.with_user(self.kam_user).write({'type_ids': [Command.set(self.type_custom.ids)]})
        self.assertEqual(request.approval_state, 'draft')
        self.assertEqual(request.stage_id.code, 'draft')

    def test_changing_the_payment_terms_withdraws_the_approval(self):
        request = self._special_seminar()
        request.with_user(self.kam_user).action_request_approval()
        self.approve(request, self.kam_supervisor)
        request.with_user(self.kam_user).payment_terms = '180 days'
        self.assertRecordValues(request, [{'approval_state': 'draft', 'stage_code': 'draft'}])

    def test_new_revision_carries_the_planned_events_and_their_calendar_entries(self):
        request = self._new_request(self.type_seminar, events=[
            self._seminar(), self._seminar(name='Factory tour', start=self.when + timedelta(days=3),
                                           stop=self.when + timedelta(days=3, hours=2))])
        request.with_user(self.kam_user).action_request_approval()
        self.approve(request, self.kam_supervisor, self.kam_manager)
        seminar, tour = request.event_ids.sorted('start')
        entry = seminar.calendar_event_id
        self.assertTrue(entry)
        tour.with_user(self.kam_user).write({'outcome': 'They toured line 3.'})
        tour.with_user(self.kam_user).action_done()
        with self.assertRaisesText(UserError, 'not edited in place'):
            request.with_user(self.kam_user).content = 'Changed after approval'
        entries = self.env['calendar.event'].search_count([])
        action = request.with_user(self.kam_user).action_new_revision()
        revision = self.env['kam.service.request'].browse(action['res_id'])
        self.assertEqual(request.control_state, 'obsolete')
        self.assertRecordValues(revision.event_ids, [{'name': 'Servo tuning seminar', 'state': 'planned'}])
        self.assertEqual(revision.event_ids.contact_ids, self.tech_head, "with its invitees")
        self.assertEqual(revision.event_ids.calendar_event_id, entry, "the same calendar entry, moved")
        self.assertEqual(entry.res_id, revision.id)
        self.assertIn(revision.name, str(entry.description), "it names the revision now")
        self.assertFalse(seminar.calendar_event_id)
        self.assertEqual(tour.state, 'done', "what was held stays with its version")
        # Approved again: no second invitation.
        revision.with_user(self.kam_user).action_request_approval()
        self.approve(revision, self.kam_supervisor, self.kam_manager)
        self.assertEqual(self.env['calendar.event'].search_count([]), entries, "no second calendar entry")

    def test_printed_form_has_every_opinion(self):
        request = self._special_seminar()
        request.with_user(self.kam_user).action_request_approval()
        self.approve(request, self.kam_supervisor, self.kam_manager, self.kam_gm)
        html = str(self.env['ir.actions.report']._render_qweb_html(
            'kam_key_account.action_report_kam_service_request', request.ids)[0])
        for text in (self.kam_supervisor.name, self.kam_manager.name, self.kam_gm.name, 'Supervisor Review',
                     'Manager Approval', 'General Manager or Marketing VP Approval', request.document_number,
                     'Prepared By'):
            self.assertIn(text, html)

    def test_archivist_reads_approved_requests_only(self):
        archivist = self.env['res.users'].create({
            'name': 'Archivist', 'login': 'kam_t_svc_archivist',
            'group_ids': [Command.set([self.env.ref('base.group_user').id,
                                       self.env.ref('kam_key_account.group_kam_archivist').id])]})
        draft = self._new_request()
        approved = self._new_request(content='Approved one')
        approved.with_user(self.kam_user).action_request_approval()
        self.approve(approved, self.kam_supervisor, self.kam_manager)
        Request = self.env['kam.service.request'].with_user(archivist)
        self.assertEqual(Request.search([('id', 'in', (draft | approved).ids)]), approved)
        views = Request.get_views([(False, 'form')])
        spec = {name: {} for name in views['models']['kam.service.request']['fields']}
        for x2many, comodel in (('event_ids', 'kam.service.event'), ('task_ids', 'kam.service.task')):
            spec[x2many] = {'fields': {name: {} for name in views['models'][comodel]['fields']}}
        values = approved.with_user(archivist).web_read(spec)
        self.assertTrue(values[0]['task_ids'], "with its tasks")
        with self.assertRaises(AccessError):
            approved.with_user(archivist).write({'color': 3})

    def test_kam_user_outside_the_team_does_not_see_the_request(self):
        request = self._new_request()
        outsider = self.env['kam.service.request'].with_user(self.kam_user_2).search([('id', '=', request.id)])
        self.assertEqual(outsider, request, "a KAM user on the team reads the account's requests")
        self.env['kam.service.team.member'].search(
            [('partner_id', '=', self.account.id), ('user_id', '=', self.kam_user_2.id)]).unlink()
        self.assertFalse(self.env['kam.service.request'].with_user(self.kam_user_2).search([('id', '=', request.id)]))


class TestServicePerformance(KamServiceCommon):
    """Budgets as the engine's (tests/test_approval_performance.py): a batch of 20 costs the
    first record's queries plus a bounded amount per further record, whatever the batch."""

    def _requests(self, count, types=None):
        Request = self.env['kam.service.request'].with_user(self.kam_user)
        types = types or self.type_custom
        return Request.create([{
            'partner_id': self.account.id, 'type_ids': [Command.set(types.ids)], 'content': f'Request {i}',
            'estimated_cost': 100, 'event_ids': [Command.create(self._seminar())] if types & self.type_seminar else [],
        } for i in range(count)])

    def _count(self, act):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        act()
        self.env.flush_all()
        self.flush_tracking()
        return self.env.cr.sql_log_count - before

    def test_query_budgets(self):
        self._requests(1)  # warm-up
        create_1 = self._count(lambda: self._requests(1))
        create_20 = self._count(lambda: self._requests(20))
        ones, twenties = self._requests(1), self._requests(20)
        request_1 = self._count(ones.action_request_approval)
        request_20 = self._count(twenties.action_request_approval)
        types = self.type_custom | self.type_seminar
        one, twenty = self._requests(1, types), self._requests(20, types)
        (one | twenty).action_request_approval()
        (one | twenty).with_user(self.kam_supervisor).action_approve()
        approve_1 = self._count(one.with_user(self.kam_manager).action_approve)
        approve_20 = self._count(twenty.with_user(self.kam_manager).action_approve)
        # What Odoo's calendar itself costs for the same events (its invitations, per attendee).
        invitees = twenty[:1].event_ids._kam_invitees()
        Event = self.env['calendar.event'].sudo().with_context(mail_create_nolog=True)
        calendar_1 = self._count(lambda: Event.create([{
            'name': 'Baseline', 'start': self.when, 'stop': self.when + timedelta(hours=3), 'privacy': 'private',
            'partner_ids': [Command.set(invitees.ids)]}]))
        calendar_20 = self._count(lambda: Event.create([{
            'name': f'Baseline {i}', 'start': self.when, 'stop': self.when + timedelta(hours=3), 'privacy': 'private',
            'partner_ids': [Command.set(invitees.ids)]} for i in range(20)]))
        self.assertEqual(len(twenty.task_ids), 20)
        self.assertEqual(len(twenty.event_ids.calendar_event_id), 20)
        _logger.info("Service budgets: create %s/%s, request %s/%s, approve %s/%s, Odoo's calendar %s/%s",
                     create_1, create_20, request_1, request_20, approve_1, approve_20, calendar_1, calendar_20)
        self.assertLessEqual(create_1, 40)
        self.assertLessEqual(create_20 - create_1, 19 * 4, "creating: a few queries per further request")
        self.assertLessEqual(request_1, 80)
        self.assertLessEqual(request_20 - request_1, 19 * 25, "requesting: about the engine's per-record cost")
        self.assertLessEqual(approve_1, 250)
        self.assertLessEqual(approve_20 - approve_1, (calendar_20 - calendar_1) + 19 * 60,
                             "the final approval: Odoo's own cost of the calendar events and their invitations, "
                             "plus the engine's cost and a task per request")

    def test_kanban_read_is_constant_in_cards(self):
        """The kanban's card fields (its stage, partner, services, activities) for 20 requests
        cost the same as for 5."""
        requests = self._requests(20)
        fields_ = {'name': {}, 'partner_id': {'fields': {'display_name': {}}}, 'approval_state': {},
                   'type_ids': {'fields': {'display_name': {}}}, 'estimated_cost': {}, 'special_payment_terms': {},
                   'activity_ids': {}, 'user_id': {'fields': {'display_name': {}}}, 'stage_id': {'fields': {}},
                   'currency_id': {'fields': {}}}
        Request = self.env['kam.service.request'].with_user(self.kam_user)
        Request.web_search_read([('id', 'in', requests.ids)], fields_)  # warm-up
        for count in (5, 20):
            self.env.invalidate_all()
            with self.subTest(count=count), self.assertQueryCount(12):
                Request.web_search_read([('id', 'in', requests[:count].ids)], fields_)
