"""Service requests attacked as a hostile RPC client (issue 12, second review): each test
reproduces a hole found in the review; it failed before its fix."""
from datetime import timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import new_test_user

from .test_service import KamServiceCommon


class TestServiceAttacks(KamServiceCommon):

    def _approved_seminar(self):
        request = self._new_request(self.type_seminar, events=[self._seminar()])
        request.with_user(self.kam_user).action_request_approval()
        return self.approve(request, self.kam_supervisor, self.kam_manager)

    # ------------------------------------------------------------------------------------
    # Team members
    # ------------------------------------------------------------------------------------

    def test_a_member_line_is_not_moved_onto_another_account(self):
        """The account's manager edits their team; moving a line onto an account they do
        not manage would put someone (themselves) on that team: read and write its requests."""
        line = self.env['kam.service.team.member'].search(
            [('partner_id', '=', self.account.id), ('user_id', '=', self.employee.id)])
        line_as_user = line.with_user(self.kam_user)
        with self.assertRaises(AccessError):
            line_as_user.write({'partner_id': self.account_2.id, 'user_id': self.kam_user.id})
        self.assertEqual(line.partner_id, self.account)
        theirs = self._new_request(user=self.kam_user_2, partner_id=self.account_2.id, content="Not yours")
        self.assertFalse(theirs.with_user(self.kam_user).has_access('read'))

    def test_a_member_lines_company_follows_its_account(self):
        Member = self.env['kam.service.team.member'].with_user(self.kam_user)
        line = Member.create({'partner_id': self.account.id, 'user_id': self.kam_supervisor.id, 'role': 'marketing',
                              'company_id': self.company_2.id})
        self.assertEqual(line.company_id, self.company, "the account's company, whatever the client sends")
        line = Member.with_context(default_company_id=False).create(
            {'partner_id': self.account.id, 'user_id': self.kam_director.id, 'role': 'marketing'})
        self.assertEqual(line.company_id, self.company)
        with self.assertRaises(AccessError):
            line.write({'company_id': False})
        self.assertEqual(line.company_id, self.company)

    def test_a_plain_employee_on_the_team_cannot_edit_the_team(self):
        line = self.env['kam.service.team.member'].search(
            [('partner_id', '=', self.account.id), ('user_id', '=', self.employee.id)])
        with self.assertRaises(AccessError):
            line.with_user(self.employee).write({'role': 'finance'})
        with self.assertRaises(AccessError):
            self.env['kam.service.team.member'].with_user(self.employee).create(
                {'partner_id': self.account_2.id, 'user_id': self.employee.id, 'role': 'technical'})

    # ------------------------------------------------------------------------------------
    # Service events
    # ------------------------------------------------------------------------------------

    def test_an_events_account_and_company_are_its_requests(self):
        request = self._new_request(self.type_seminar)
        Event = self.env['kam.service.event'].with_user(self.kam_user)
        event = Event.create(self._seminar(request_id=request.id, partner_id=self.account_2.id,
                                           company_id=self.company_2.id, event_kind='other'))
        self.assertRecordValues(event, [{'partner_id': self.account.id, 'company_id': self.company.id,
                                         'event_kind': 'seminar'}])
        event = Event.with_context(default_company_id=self.company_2.id).create(self._seminar(request_id=request.id))
        self.assertEqual(event.company_id, self.company)
        for vals in ({'partner_id': self.account_2.id}, {'company_id': self.company_2.id}, {'event_kind': 'other'}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                event.write(vals)
        self.assertRecordValues(event, [{'partner_id': self.account.id, 'company_id': self.company.id}])

    def test_an_event_carries_out_a_service_of_its_request(self):
        """The request checks its events' services when its events change on the request,
        not when an event is created or changed on its own (an RPC client's way)."""
        request = self._new_request(self.type_custom | self.type_seminar)
        Event = self.env['kam.service.event'].with_user(self.kam_user)
        appreciation = self.env.ref('kam_key_account.kam_service_type_appreciation')
        with self.assertRaisesText(ValidationError, 'add .* to the request first'):
            Event.create(self._seminar(request_id=request.id, type_id=appreciation.id))
        event = Event.create(self._seminar(request_id=request.id))
        with self.assertRaisesText(ValidationError, 'add .* to the request first'):
            event.write({'type_id': appreciation.id})
        with self.assertRaisesText(ValidationError, 'task'):
            event.write({'type_id': self.type_custom.id})

    def test_an_event_stays_on_its_request(self):
        """Moved to another request, an approved request's event would keep its calendar
        entry, its customers invited, on a draft."""
        request = self._approved_seminar()
        draft = self._new_request(self.type_seminar, content="Another seminar")
        event = request.event_ids
        with self.assertRaisesText(UserError, 'belongs to'):
            event.with_user(self.kam_user).write({'request_id': draft.id})
        self.assertEqual(event.request_id, request)

    def test_done_and_cancelled_events_are_final(self):
        """A direct write of the state back to Planned would leave a cancelled event without
        its calendar entry, or reopen a done request."""
        request = self._approved_seminar()
        event = request.event_ids.with_user(self.kam_user)
        event.action_cancel()
        self.assertFalse(event.calendar_event_id)
        with self.assertRaisesText(UserError, 'Cancelled'):
            event.write({'state': 'planned'})
        other = self.env['kam.service.event'].with_user(self.kam_user).create(
            self._seminar(request_id=request.id, name="Second seminar"))
        other.write({'outcome': "Well attended."})
        other.action_done()
        with self.assertRaisesText(UserError, 'Done'):
            other.write({'state': 'planned'})
        with self.assertRaisesText(UserError, 'Done'):
            other.write({'state': 'cancelled'})
        # An event is created planned: held or cancelled is recorded on it afterwards.
        with self.assertRaisesText(UserError, 'planned'):
            self.env['kam.service.event'].with_user(self.kam_user).create(
                self._seminar(request_id=request.id, state='done', outcome="Held, they say."))
        with self.assertRaisesText(UserError, 'planned'):
            self.env['kam.service.event'].with_user(self.kam_user).with_context(default_state='cancelled').create(
                self._seminar(request_id=request.id))

    def test_other_invitees_of_another_company_are_refused(self):
        stranger = self.env['res.partner'].create({
            'name': 'Other Company Association', 'is_company': True, 'company_id': self.company_2.id})
        request = self._new_request(self.type_seminar)
        with self.assertRaises(UserError):
            self.env['kam.service.event'].with_user(self.kam_user).create(
                self._seminar(request_id=request.id, other_partner_ids=[Command.set(stranger.ids)]))

    def test_delivery_address_of_the_account(self):
        door = self.env.ref('kam_key_account.kam_service_type_door_delivery')
        with self.assertRaisesText(ValidationError, 'delivery address'):
            self._new_request(door, delivery_address_id=self.contact_2.id)
        request = self._new_request(door, delivery_address_id=self.contact.id)
        with self.assertRaisesText(ValidationError, 'delivery address'):
            request.with_user(self.kam_user).write({'delivery_address_id': self.account_2.id})

    # ------------------------------------------------------------------------------------
    # People without the right
    # ------------------------------------------------------------------------------------

    def test_a_plain_team_member_neither_approves_nor_plans(self):
        request = self._new_request(self.type_seminar, events=[self._seminar()])
        request.with_user(self.kam_user).action_request_approval()
        mine = request.with_user(self.employee)
        self.assertTrue(mine.has_access('read'), "a team member reads the account's requests")
        self.assertFalse(mine.can_approve)
        with self.assertRaises(UserError):  # an AccessError or the engine's refusal
            mine.action_approve()
        with self.assertRaises(AccessError):
            self.env['kam.service.event'].with_user(self.employee).create(self._seminar(request_id=request.id))
        with self.assertRaises(AccessError):
            request.event_ids.with_user(self.employee).write({'location': 'Elsewhere'})
        self.assertEqual(request.approval_state, 'pending')

    def test_portal_user_reads_nothing_of_the_service(self):
        request = self._approved_seminar()
        portal = new_test_user(self.env, login='kam_t_svc_portal', groups='base.group_portal',
                               partner_id=self.tech_head.id)
        for model in ('kam.service.request', 'kam.service.event', 'kam.service.task', 'kam.service.team.member'):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(portal).search_read([], ['id'])
        # Invited, the customer reads the calendar entry, and nothing internal on it.
        entry = request.event_ids.calendar_event_id.with_user(portal)
        values = entry.read(['name', 'description', 'location'])[0]
        self.assertNotIn(request.content, values['description'] or '')
        self.assertNotIn('kam_service_event_ids', entry.fields_get())

    # ------------------------------------------------------------------------------------
    # The calendar entry (leftover b): the team moves it, the service event follows
    # ------------------------------------------------------------------------------------

    def test_a_team_member_moves_the_calendar_entry(self):
        request = self._approved_seminar()
        event = request.event_ids
        entry = event.calendar_event_id.with_user(self.employee)
        later = self.when + timedelta(days=3)
        entry.write({'start': later, 'stop': later + timedelta(hours=2), 'duration': 2.0, 'location': 'Plant 2'})
        self.assertRecordValues(event, [{'start': later, 'stop': later + timedelta(hours=2), 'location': 'Plant 2'}])
        self.assertIn('Plant 2', request.message_ids[0].body, "the request's chatter says who moved it")
        # Moving is all they do: the invitees, the text and the privacy stay the request's.
        for vals in ({'partner_ids': [Command.link(self.contact_2.id)]}, {'privacy': 'public'},
                     {'description': 'Internal: budget is tight'}, {'name': 'Renamed'}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                entry.write(vals)
        with self.assertRaises(AccessError):
            entry.unlink()

    def test_an_invitee_outside_the_team_does_not_move_the_entry(self):
        request = self._approved_seminar()
        outsider = new_test_user(self.env, login='kam_t_svc_outsider', groups='base.group_user',
                                 company_id=self.company.id)
        event = request.event_ids
        event.with_user(self.kam_user).write({'other_partner_ids': [Command.link(outsider.partner_id.id)]})
        entry = event.calendar_event_id
        self.assertIn(outsider.partner_id, entry.partner_ids)
        later = self.when + timedelta(days=4)
        with self.assertRaises(AccessError):
            entry.with_user(outsider).write({'start': later, 'stop': later + timedelta(hours=1)})
        self.assertEqual(event.start, self.when)

    def test_a_member_of_another_accounts_team_does_not_move_the_entry(self):
        request = self._approved_seminar()
        other_tech = new_test_user(self.env, login='kam_t_svc_other_tech', groups='base.group_user',
                                   company_id=self.company.id)
        self.env['kam.service.team.member'].create(
            {'partner_id': self.account_2.id, 'user_id': other_tech.id, 'role': 'technical'})
        event = request.event_ids
        event.with_user(self.kam_user).write({'other_partner_ids': [Command.link(other_tech.partner_id.id)]})
        later = self.when + timedelta(days=5)
        with self.assertRaises(AccessError):
            event.calendar_event_id.with_user(other_tech).write({'start': later, 'stop': later + timedelta(hours=1)})
        self.assertEqual(event.start, self.when)

    # ------------------------------------------------------------------------------------
    # A new revision (leftover a)
    # ------------------------------------------------------------------------------------

    def test_a_draft_revision_changes_the_calendar_only_once_approved(self):
        """A new revision carries the planned events with their calendar entries (main's
        design: no second invitation); what the draft revision changes on them reaches the
        calendar, and the customers, only with its approval."""
        request = self._approved_seminar()
        entry = request.event_ids.calendar_event_id
        action = request.with_user(self.kam_user).action_new_revision()
        revision = self.env['kam.service.request'].browse(action['res_id'])
        event = revision.event_ids
        self.assertEqual(event.calendar_event_id, entry)
        Mail = self.env['mail.mail'].sudo()
        mails = Mail.search_count([('recipient_ids', 'in', self.contact.ids)])
        later = self.when + timedelta(days=6)
        event.with_user(self.kam_user).write({
            'contact_ids': [Command.link(self.contact.id)], 'start': later, 'stop': later + timedelta(hours=2),
            'location': 'New hall'})
        self.assertNotIn(self.contact, entry.partner_ids, "not invited by a draft")
        self.assertEqual((entry.start, entry.location), (self.when, False), "the approved plan stands")
        self.assertEqual(Mail.search_count([('recipient_ids', 'in', self.contact.ids)]), mails)
        revision.with_user(self.kam_user).action_request_approval()
        self.approve(revision, self.kam_supervisor, self.kam_manager)
        self.assertIn(self.contact, entry.partner_ids, "invited once the revision is approved")
        self.assertEqual((entry.start, entry.location), (later, 'New hall'))
        self.assertEqual(request.event_ids.state, 'cancelled', "the replaced version's event is replaced")

    # ------------------------------------------------------------------------------------
    # Probes that held (kept as regression tests)
    # ------------------------------------------------------------------------------------

    def test_the_calendar_link_is_not_written_from_the_calendar(self):
        request = self._approved_seminar()
        event = request.event_ids
        other = self.env['kam.service.event'].with_user(self.kam_user).create(
            self._seminar(request_id=request.id, name="Second seminar"))
        Calendar = self.env['calendar.event'].with_user(self.kam_user)
        with self.assertRaises(UserError):
            Calendar.create({'name': 'Hijack', 'start': self.when, 'stop': self.when + timedelta(hours=1),
                             'kam_service_event_ids': [Command.link(other.id)]})
        with self.assertRaises(UserError):
            event.calendar_event_id.with_user(self.kam_user).write({'kam_service_event_ids': [Command.unlink(event.id)]})
        self.assertTrue(event.calendar_event_id)

    def test_context_keys_do_not_skip_the_team_or_the_tasks(self):
        request = self.env['kam.service.request'].with_user(self.kam_user).with_context(
            tracking_disable=True, mail_create_nosubscribe=True, mail_notrack=True).create({
                'partner_id': self.account.id, 'type_ids': [Command.set(self.type_custom.ids)],
                'content': 'Quietly created'})
        self.assertIn(self.employee.partner_id, request.message_partner_ids, "the team follows it all the same")
        request.with_user(self.kam_user).action_request_approval()
        skip = {'mail_activity_automation_skip': True}
        request.with_user(self.kam_supervisor).with_context(**skip).action_approve()
        request.with_user(self.kam_manager).with_context(**skip).action_approve()
        self.assertEqual(request.task_ids.activity_id.user_id, self.employee, "the task's reminder is there")

    def test_another_companys_service_type_or_applicant(self):
        foreign_type = self.type_seminar.copy({'name': 'Seminar of the other company', 'company_id': self.company_2.id})
        with self.assertRaises(UserError):
            self._new_request(foreign_type)
        request = self._new_request(self.type_seminar)
        with self.assertRaises(UserError):
            self.env['kam.service.event'].with_user(self.kam_user).create(
                self._seminar(request_id=request.id, type_id=foreign_type.id))

    def test_duplicate_ids_count_once(self):
        request = self._approved_seminar()
        event = request.event_ids
        event.with_user(self.kam_user).write({'outcome': 'Forty engineers came.'})
        self.env['kam.service.event'].with_user(self.kam_user).browse([event.id, event.id]).action_done()
        self.assertEqual(event.state, 'done')
        twice = request.with_user(self.kam_user).browse([request.id, request.id])
        twice.action_start()
        twice.action_finish()
        self.assertEqual(request.stage_id.code, 'done')
        self.assertEqual(len(request.message_ids.filtered(lambda m: 'actual cost' in (m.body or ''))), 1)

    def test_an_approved_request_is_not_deleted(self):
        request = self._approved_seminar()
        with self.assertRaises(UserError):
            request.with_user(self.kam_user).unlink()
        self.assertTrue(request.event_ids.calendar_event_id.exists())

    # ------------------------------------------------------------------------------------
    # Obsolete versions and revisions
    # ------------------------------------------------------------------------------------

    def test_an_obsolete_versions_events_are_history(self):
        """The controlled document refuses any change of an obsolete version, its events on
        the request's form included; an event written on its own is no way around it (an
        event added would even go on the calendar: the version is still approved)."""
        request = self._approved_seminar()
        request.with_user(self.kam_user).action_new_revision()
        self.assertEqual(request.control_state, 'obsolete')
        Event = self.env['kam.service.event'].with_user(self.kam_user)
        with self.assertRaisesText(UserError, 'Obsolete'):
            Event.create(self._seminar(request_id=request.id, name="Sneaked in"))
        event = request.event_ids.with_user(self.kam_user)
        with self.assertRaisesText(UserError, 'Obsolete'):
            event.write({'location': 'Elsewhere'})
        with self.assertRaisesText(UserError, 'Obsolete'):
            event.unlink()
        self.assertEqual(len(request.event_ids), 1)

    def test_a_revision_takes_over_the_tasks(self):
        """Approved, a revision carries on the work of the version it replaces: the tasks of
        the services it keeps move to it (their reminders with them), the open tasks of the
        services it drops go; no service is done twice."""
        request = self._new_request(self.type_custom | self.type_seminar, events=[self._seminar()])
        request.with_user(self.kam_user).action_request_approval()
        self.approve(request, self.kam_supervisor, self.kam_manager)
        task = request.task_ids
        self.assertEqual(len(task), 1)
        task.with_user(self.employee).write({'state': 'in_progress'})
        action = request.with_user(self.kam_user).action_new_revision()
        revision = self.env['kam.service.request'].browse(action['res_id'])
        self.assertFalse(revision.task_ids, "tasks come with the approval")
        revision.with_user(self.kam_user).action_request_approval()
        self.approve(revision, self.kam_supervisor, self.kam_manager)
        self.assertEqual(revision.task_ids, task, "the task in progress carries on, on the revision")
        self.assertRecordValues(task, [{'state': 'in_progress', 'responsible_id': self.employee.id}])
        self.assertEqual((task.activity_id.res_model, task.activity_id.res_id), ('kam.service.request', revision.id))
        self.assertFalse(request.task_ids)
        self.assertFalse(request.event_ids.filtered(lambda e: e.state == 'planned'),
                         "the replaced version's planned events are cancelled")
        # A second revision dropping the custom product: its open task goes.
        action = revision.with_user(self.kam_user).action_new_revision()
        third = self.env['kam.service.request'].browse(action['res_id'])
        third.with_user(self.kam_user).write({'type_ids': [Command.set(self.type_seminar.ids)]})
        third.with_user(self.kam_user).action_request_approval()
        self.approve(third, self.kam_supervisor, self.kam_manager)
        self.assertFalse(task.exists())
        self.assertFalse(third.task_ids)

    # ------------------------------------------------------------------------------------
    # The catalogue
    # ------------------------------------------------------------------------------------

    def test_a_requested_service_type_is_archived_not_deleted(self):
        """Deleted, a type would leave the requests asking for it (their approved content
        changed, their special payment terms gone) and break their events."""
        request = self._special_seminar()
        with self.assertRaisesText(UserError, 'archive it instead'):
            self.type_payment.with_user(self.kam_manager).unlink()
        self.assertIn(self.type_payment, request.type_ids)
        self.assertTrue(request.special_payment_terms)
        unused = self.type_payment.copy({'name': 'Never requested'})
        unused.with_user(self.kam_manager).unlink()
        self.assertFalse(unused.exists())

    def test_an_event_is_held_once_its_request_is_approved(self):
        """Done before the approval, an event would never reach the calendar nor invite
        anyone; a done request takes no new event (it would be done with one still to do)."""
        request = self._new_request(self.type_seminar, events=[self._seminar(outcome="Held already?")])
        with self.assertRaisesText(UserError, 'approved'):
            request.event_ids.with_user(self.kam_user).action_done()
        self.assertEqual(request.event_ids.state, 'planned')
        request.with_user(self.kam_user).action_request_approval()
        self.approve(request, self.kam_supervisor, self.kam_manager)
        request.event_ids.with_user(self.kam_user).action_done()
        request.with_user(self.kam_user).action_start()
        request.with_user(self.kam_user).action_finish()
        with self.assertRaisesText(UserError, 'is done'):
            self.env['kam.service.event'].with_user(self.kam_user).create(
                self._seminar(request_id=request.id, name="One more"))

    def test_a_planned_events_calendar_entry_is_not_deleted_on_the_calendar(self):
        request = self._approved_seminar()
        event = request.event_ids
        entry = event.calendar_event_id.with_user(self.kam_user)
        with self.assertRaisesText(UserError, 'cancel the event'):
            entry.unlink()
        with self.assertRaisesText(UserError, 'cancel the event'):
            entry.write({'active': False})
        self.assertTrue(event.calendar_event_id.active)
        event.with_user(self.kam_user).action_cancel()
        self.assertFalse(entry.exists(), "cancelled, the event takes its entry away")
