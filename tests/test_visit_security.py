"""Visits over RPC (issue 7): process states, context keys, child lines, private events.

Each test plays a client that calls the public API (write, create, web_save, call_kw) with
whatever values and context it likes, and checks the visit's rules still hold.
"""
from datetime import timedelta

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.service.model import call_kw
from odoo.tests import Form

from .test_visit import KamVisitCommon

# The context keys that used to switch checks off.
OLD_KEYS = ('kam_visit_from_visit', 'kam_event_writing', 'kam_visit_from_event')
PURPOSE = 'Secret: announce the 15% price rise before the tender'


class KamVisitSecurityCommon(KamVisitCommon):

    def _approved_big_visit(self, amount=8000):
        big = self._visit(budget_amount=amount)
        big.action_request_approval()
        big.with_user(self.kam_supervisor).action_approve()
        self.assertEqual(big.approval_state, 'approved')
        return big

    def _rpc(self, model, method, args, context=None, user=None):
        """What the JSON-RPC endpoint does with a call: call_kw with the client's context."""
        Model = self.env[model].with_user(user or self.kam_user)
        return call_kw(Model, method, args, {'context': context or {}})


class TestVisitProcessStates(KamVisitSecurityCommon):

    def test_appointment_state_and_event_are_not_writable(self):
        big = self._visit(budget_amount=8000)
        big.action_book()
        other_event = self.env['calendar.event'].create({
            'name': 'Board meeting', 'start': self.start, 'stop': self.start + timedelta(hours=1)})
        for vals in ({'appointment_state': 'confirmed'}, {'event_id': other_event.id}):
            with self.subTest(vals=vals):
                with self.assertRaisesText(AccessError, 'set by its actions'):
                    big.write(vals)
                with self.assertRaisesText(AccessError, 'set by its actions'):
                    big.web_save(vals, {})
                with self.assertRaisesText(AccessError, 'set by its actions'):
                    self._rpc('kam.visit', 'write', [big.ids, vals])
                with self.assertRaisesText(AccessError, 'set by its actions'):
                    big.with_user(self.kam_supervisor).write(vals)
                with self.assertRaisesText(AccessError, 'set by its actions'):
                    self._visit(**vals)
        with self.assertRaisesText(AccessError, 'set by its actions'):
            self._rpc('kam.visit', 'create', [{'partner_id': self.account.id, 'start': self.start}],
                      context={'default_appointment_state': 'confirmed'})
        with self.assertRaisesText(AccessError, 'set by its actions'):
            self.env['kam.visit'].with_user(self.kam_user).with_context(
                default_event_id=other_event.id).web_save({'partner_id': self.account.id}, {})
        self.assertRecordValues(big, [{'appointment_state': 'booked'}])
        self.assertNotEqual(big.event_id, other_event)
        self.assertNotIn(self.contact, big.event_id.partner_ids, "the customer is not invited")

    def test_no_route_confirms_a_visit_without_its_approval(self):
        big = self._visit(budget_amount=8000)
        big.action_book()
        with self.assertRaisesText(UserError, "request the supervisor's approval"):
            big.action_confirm_appointment()
        # Not even server code that writes the state with sudo.
        with self.assertRaises(UserError):
            big.sudo().write({'appointment_state': 'confirmed'})
        self.assertEqual(big.appointment_state, 'booked')
        # Raising an approved budget withdraws the approval: confirming waits for the new one.
        big.action_request_approval()
        big.with_user(self.kam_supervisor).action_approve()
        big.write({'budget_amount': 9000})
        with self.assertRaisesText(UserError, "request the supervisor's approval"):
            big.action_confirm_appointment()
        big.action_request_approval()
        big.with_user(self.kam_supervisor).action_approve()
        big.action_confirm_appointment()
        self.assertEqual(big.appointment_state, 'confirmed')

    def test_raising_a_confirmed_budget_blocks_done_not_the_invitation(self):
        big = self._approved_big_visit()
        big.action_confirm_appointment()
        event = big.event_id
        invited = event.partner_ids
        self.assertIn(self.contact, invited)
        mails_before = self.env['mail.mail'].sudo().search_count([('recipient_ids', 'in', self.contact.ids)])
        big.write({'budget_amount': 20000, 'actual_start': self.start,
                   'actual_stop': self.start + timedelta(hours=1)})
        self.assertRecordValues(big, [{'approval_state': 'draft', 'appointment_state': 'confirmed'}])
        self.assertEqual(event.partner_ids, invited, "the customer's invitation is left untouched")
        self.assertEqual(
            self.env['mail.mail'].sudo().search_count([('recipient_ids', 'in', self.contact.ids)]),
            mails_before, "no cancellation or new invitation reaches the customer")
        # Done waits for the new approval, whatever the route.
        with self.assertRaisesText(UserError, 'approved before'):
            big.action_done()
        with self.assertRaisesText(ValidationError, 'approved before'):
            big.write({'stage_id': self.stage['done'].id})
        with self.assertRaisesText(ValidationError, 'approved before'):
            big.web_save({'stage_id': self.stage['done'].id}, {})
        # Summarised comes after Done only.
        with self.assertRaisesText(UserError, 'cannot go from Booked to Summarised'):
            big.web_save({'stage_id': self.stage['summarised'].id}, {})
        self.assertEqual(big.stage_id, self.stage['booked'])
        big.action_request_approval()
        big.with_user(self.kam_supervisor).action_approve()
        big.action_done()
        self.assertEqual(big.stage_id, self.stage['done'])


class TestVisitContextKeys(KamVisitSecurityCommon):

    def test_old_context_keys_switch_off_no_check(self):
        # The plain employee goes along: an attendee of the event who may not edit the visit.
        visit = self._visit(visitor_ids=[(6, 0, (self.kam_user | self.employee).ids)])
        visit.action_book()
        event = visit.event_id
        self.assertIn(self.employee.partner_id, event.partner_ids)
        start = visit.start
        for key in OLD_KEYS:
            with self.subTest(key=key):
                later = start + timedelta(days=len(key))
                moved = {'start': later, 'stop': later + timedelta(hours=1)}
                # An attendee who may not edit the visit still cannot move its event.
                with self.assertRaisesText(UserError, 'only those who may edit the visit'):
                    event.with_user(self.employee).with_context(**{key: True}).web_save(moved, {})
                with self.assertRaisesText(UserError, 'only those who may edit the visit'):
                    self._rpc('calendar.event', 'write', [event.ids, moved], {key: True}, user=self.employee)
                self.assertEqual(visit.start, start)
                # The process states stay the actions' own.
                with self.assertRaisesText(AccessError, 'set by its actions'):
                    visit.with_context(**{key: True}).web_save({'appointment_state': 'confirmed'}, {})
                with self.assertRaisesText(AccessError, 'set by its actions'):
                    self._rpc('kam.visit', 'write', [visit.ids, {'appointment_state': 'confirmed'}], {key: True})
                # The event still follows the visit, and the visit the event.
                visit.with_context(**{key: True}).web_save({'location': f'Room {key}'}, {})
                self.assertEqual(event.location, f'Room {key}')
                self._rpc('calendar.event', 'write', [event.ids, {'location': f'Hall {key}'}], {key: True})
                self.assertEqual(visit.location, f'Hall {key}')
                self._rpc('kam.visit', 'write', [visit.ids, {'visitor_ids': [(4, self.kam_user_2.id)]}], {key: True})
                self.assertIn(self.kam_user_2.partner_id, event.partner_ids)
                visit.visitor_ids -= self.kam_user_2
        # Deleting the event still sends the visit back to be booked.
        self._rpc('calendar.event', 'unlink', [event.ids], {key: True for key in OLD_KEYS})
        self.assertRecordValues(visit, [{'appointment_state': 'to_book', 'event_id': False,
                                         'stage_id': self.stage['planned'].id}])

    def test_events_are_linked_to_visits_by_the_visits_only(self):
        visit = self._visit()
        visit.action_book()
        vals = {'name': 'Fake visit', 'start': self.start, 'stop': self.start + timedelta(hours=1),
                'kam_visit_id': visit.id}
        with self.assertRaisesText(AccessError, 'linked to its visit by the visit'):
            self._rpc('calendar.event', 'create', [vals], user=self.kam_user_2)
        own = self.env['calendar.event'].with_user(self.kam_user_2).create(
            {'name': 'My meeting', 'start': self.start, 'stop': self.start + timedelta(hours=1)})
        with self.assertRaisesText(AccessError, 'linked to its visit by the visit'):
            self._rpc('calendar.event', 'write', [own.ids, {'kam_visit_id': visit.id}], user=self.kam_user_2)
        with self.assertRaisesText(AccessError, 'linked to its visit by the visit'):
            self._rpc('calendar.event', 'create', [{'name': 'Fake', 'start': self.start, 'stop': self.start}],
                      {'default_kam_visit_id': visit.id}, user=self.kam_user_2)
        # Duplicating the visit's event does not make a second visit event.
        copy = visit.event_id.copy()
        self.assertFalse(copy.kam_visit_id)
        copy.unlink()
        self.assertEqual(visit.appointment_state, 'booked')


class TestVisitLines(KamVisitSecurityCommon):

    def test_lines_cannot_be_moved_onto_a_visit_the_user_may_not_write(self):
        mine = self._visit()
        theirs = self._visit(user=self.kam_user_2, partner_id=self.account_2.id, contact_id=False, contact_ids=False)
        line = mine.checklist_ids[0].with_user(self.kam_user)
        with self.assertRaises(AccessError):
            line.write({'visit_id': theirs.id})
        with self.assertRaises(AccessError):
            line.web_save({'visit_id': theirs.id}, {})
        with self.assertRaises(AccessError):
            self._rpc('kam.visit.checklist', 'create', [{'visit_id': theirs.id, 'name': 'Planted'}])
        mine.write({'problem_ids': [(0, 0, {'description': 'Late deliveries', 'responsible_id': self.kam_user.id})]})
        problem = mine.problem_ids.with_user(self.kam_user)
        with self.assertRaises(AccessError):
            problem.write({'visit_id': theirs.id})
        with self.assertRaises(AccessError):
            self._rpc('kam.visit.problem', 'write', [problem.ids, {'visit_id': theirs.id}])
        with self.assertRaises(AccessError):
            self._rpc('kam.visit.problem', 'create', [{'visit_id': theirs.id, 'description': 'Planted',
                                                       'responsible_id': self.kam_user.id}])
        self.assertEqual(line.visit_id, mine)
        self.assertEqual(problem.visit_id, mine)
        self.assertEqual(len(theirs.checklist_ids), 8)
        self.assertFalse(theirs.problem_ids)

    def test_department_responsibles_solve_their_problems_and_nothing_more(self):
        mine = self._visit()
        other = self._visit(start=self.start + timedelta(days=1), stop=self.start + timedelta(days=1, hours=1))
        department = self.env['kam.department'].create({'name': 'Finance', 'responsible_id': self.employee.id})
        mine.write({'problem_ids': [(0, 0, {'description': 'Invoice errors', 'department_id': department.id})]})
        problem = mine.problem_ids.with_user(self.employee)
        self.assertEqual(problem.responsible_id, self.employee)
        with self.assertRaises(AccessError):
            problem.write({'visit_id': other.id})
        with self.assertRaises(AccessError):
            problem.write({'description': 'Nothing to see here'})
        with self.assertRaises(AccessError):
            problem.write({'activity_id': other.activity_ids[:1].id or False})
        problem.write({'resolution': 'Corrected invoices sent'})
        problem.action_solve()
        self.assertEqual(problem.state, 'done')
        self.assertEqual(mine.open_problem_count, 0)

    def test_problem_departments_are_of_the_visits_company(self):
        department = self.env['kam.department'].create({
            'name': 'Finance (second company)', 'responsible_id': self.kam_manager.id,
            'company_id': self.company_2.id})
        visit = self._visit()
        with self.assertRaises(UserError):
            visit.write({'problem_ids': [(0, 0, {'description': 'Wrong company', 'department_id': department.id})]})


class TestVisitEvents(KamVisitSecurityCommon):

    def test_visit_events_say_nothing_internal(self):
        visit = self._visit(purpose=PURPOSE, goals='<p>Win the tender at 15% more</p>')
        visit.action_book()
        visit.action_confirm_appointment()
        event = visit.event_id.sudo()
        self.assertEqual(event.privacy, 'private')
        self.assertIn(visit.name, str(event.description))
        self.assertIn(self.account.name, str(event.description))
        for text in ('Secret', 'price rise', 'tender'):
            self.assertNotIn(text, str(event.description))
        mails = self.env['mail.mail'].sudo().search([('recipient_ids', 'in', self.contact.ids)])
        self.assertTrue(mails, "the customer is invited")
        for text in ('Secret', 'price rise', 'tender'):
            self.assertNotIn(text, ''.join(str(body) for body in mails.mapped('body_html')))
        # Others see busy time only.
        self.env.invalidate_all()
        as_employee = self.env['calendar.event'].with_user(self.employee).browse(event.id)
        self.assertEqual(as_employee.display_name, 'Busy')
        self.assertFalse(as_employee.read(['description'])[0]['description'])

    def test_the_event_follows_the_visited_account(self):
        visit = self._visit()
        visit.action_book()
        visit.write({'partner_id': self.account_2.id, 'contact_id': False, 'contact_ids': [Command.clear()]})
        event = visit.event_id.sudo()
        self.assertIn(self.account_2.name, event.name)
        self.assertIn(self.account_2.name, str(event.description))
        self.assertNotIn(self.account.name, str(event.description))

    def test_a_supervisor_who_is_not_an_attendee_moves_the_visit_and_its_event(self):
        visit = self._visit()
        visit.action_book()
        self.assertNotIn(self.kam_supervisor.partner_id, visit.event_id.partner_ids)
        later = self.start + timedelta(days=2)
        visit.with_user(self.kam_supervisor).web_save(
            {'start': later, 'stop': later + timedelta(hours=2), 'location': 'Suzhou plant'}, {})
        self.assertRecordValues(visit.event_id, [{
            'start': later, 'stop': later + timedelta(hours=2), 'location': 'Suzhou plant'}])
        # ... but not a KAM user who may not edit the visit.
        with self.assertRaises(AccessError):
            visit.with_user(self.kam_user_2).write({'location': 'Nowhere'})
        self.assertEqual(visit.event_id.location, 'Suzhou plant')
        # The supervisor books and cancels someone else's visit too.
        other = self._visit(start=later, stop=later + timedelta(hours=1))
        other.with_user(self.kam_supervisor).action_book()
        event = other.event_id
        self.assertEqual(event.sudo().privacy, 'private')
        other.with_user(self.kam_supervisor).action_cancel()
        self.assertFalse(event.exists())

    def test_an_attendee_moving_the_event_moves_the_visit(self):
        visit = self._visit(visitor_ids=[(6, 0, (self.kam_user | self.kam_user_2).ids)])
        visit.action_book()
        later = self.start + timedelta(days=1)
        visit.event_id.with_user(self.kam_user_2).web_save({'start': later, 'stop': later + timedelta(hours=1)}, {})
        self.assertEqual(visit.start, later)
        visit.event_id.with_user(self.kam_user_2).unlink()
        self.assertEqual(visit.appointment_state, 'to_book')

    def test_a_plain_employee_reads_the_calendar(self):
        visit = self._visit()
        visit.action_book()
        Event = self.env['calendar.event'].with_user(self.employee)
        self.assertNotIn('kam_visit_id', Event.fields_get())
        views = Event.get_views([(False, 'calendar'), (False, 'list'), (False, 'form'), (False, 'search')])
        fields = views['models']['calendar.event']['fields']
        self.assertNotIn('kam_visit_id', fields)
        spec = {name: {'fields': {'display_name': {}}} if fields[name]['type'] in ('many2one', 'many2many', 'one2many')
                else {} for name in fields}
        result = Event.web_search_read([('id', '=', visit.event_id.id)], spec)
        self.assertEqual(result['records'][0]['display_name'], 'Busy')
        Event.browse(visit.event_id.id).web_read(spec)
        # Moving their own events keeps working.
        own = Event.create({'name': 'Dentist', 'start': self.start, 'stop': self.start + timedelta(hours=1)})
        own.write({'start': self.start + timedelta(hours=1), 'stop': self.start + timedelta(hours=2)})
        own.unlink()


class TestVisitReviewHoles(KamVisitSecurityCommon):
    """The visit side of issue 7's hostile review, beyond its attack tests."""

    def test_who_and_what_was_approved_withdraws_the_approval(self):
        changes = {
            'leader': {'user_id': self.kam_user_2.id},
            'account': {'partner_id': self.account_2.id, 'contact_id': self.contact_2.id,
                        'contact_ids': [(6, 0, self.contact_2.ids)]},
            'budget': {'budget_amount': 9000},
        }
        for what, vals in changes.items():
            with self.subTest(what=what):
                big = self._approved_big_visit()
                self._rpc('kam.visit', 'write', [big.ids, vals])
                self.assertEqual(big.approval_state, 'draft')
                with self.assertRaisesText(UserError, "request the supervisor's approval"):
                    big.action_confirm_appointment()
        # What neither chose the reviewers nor changes the budget keeps the approval.
        big = self._approved_big_visit()
        later = self.start + timedelta(days=1)
        self._rpc('kam.visit', 'write', [big.ids, {
            'visitor_ids': [(4, self.kam_user_2.id)], 'location': 'Suzhou plant',
            'start': later, 'stop': later + timedelta(hours=1)}])
        self.assertEqual(big.approval_state, 'approved')

    def test_supervisors_are_told_in_internal_notes(self):
        visit = self._visit()
        visit.message_subscribe(partner_ids=self.contact.ids)
        visit.action_book()
        visit.action_create_opportunity()
        self.env['kam.visit.problem'].with_user(self.kam_user).create({
            'visit_id': visit.id, 'description': 'Payment delays', 'department_id': self.department.id})
        visit.event_id.unlink()
        notes = visit.message_ids.filtered(lambda m: any(
            text in str(m.body) for text in ('New opportunity', 'Problems raised', 'calendar event was deleted')))
        self.assertEqual(len(notes), 3)
        self.assertEqual(notes.subtype_id, self.env.ref('mail.mt_note'))
        for notice in notes.filtered(lambda m: 'calendar event' not in str(m.body)):
            self.assertIn(self.kam_supervisor.partner_id, notice.notified_partner_ids)
        self.assertFalse(self.env['mail.notification'].sudo().search([
            ('res_partner_id', '=', self.contact.id), ('mail_message_id', 'in', visit.message_ids.ids)]))

    def test_every_visit_action_takes_each_visit_once(self):
        visit = self._visit()
        twice = visit.ids + visit.ids
        self._rpc('kam.visit', 'action_confirm_appointment', [twice])
        self.assertEqual(self.env['calendar.event'].sudo().search([('kam_visit_id', '=', visit.id)]), visit.event_id)
        self.assertEqual(self._rpc('kam.visit', 'action_open_leads', [twice])['domain'],
                         [('kam_visit_id', '=', visit.id)])
        self._rpc('kam.visit', 'action_create_opportunity', [twice])
        self.assertEqual(len(visit.lead_ids), 1)
        visit.checklist_ids.write({'done': True})
        self._rpc('kam.visit', 'action_mark_prepared', [twice])
        self.assertEqual(visit.stage_id, self.stage['prepared'])
        visit.write({'problem_ids': [(0, 0, {'description': 'Late deliveries', 'department_id': self.department.id})]})
        problem = visit.problem_ids
        problem.resolution = 'New carrier'
        self._rpc('kam.visit.problem', 'action_solve', [problem.ids + problem.ids], user=self.kam_manager)
        self.assertEqual(problem.state, 'done')
        self.assertFalse(visit.activity_ids.filtered(lambda a: a.summary and a.summary.startswith('Problem:')))
        self._rpc('kam.visit', 'action_cancel', [twice])
        self.assertEqual(visit.stage_id, self.stage['cancelled'])

    def test_contacts_are_people_of_the_account(self):
        visit = self._visit()
        assistant = self.env['res.partner'].create({'name': 'Wang Fang', 'parent_id': self.contact.id})
        for vals in ({'contact_id': self.contact_2.id}, {'contact_ids': [(4, self.contact_2.id)]},
                     {'contact_ids': [(4, self.account.id)]}, {'contact_id': self.account.id}):
            with self.subTest(vals=vals):
                with self.assertRaisesText(ValidationError, 'must be people of the visited account') as cm:
                    self._rpc('kam.visit', 'write', [visit.ids, vals])
                self.assertNotIn(self.contact_2.name, str(cm.exception))
        with self.assertRaisesText(ValidationError, 'must be people of the visited account'):
            self._rpc('kam.visit', 'write', [visit.ids, {'partner_id': self.account_2.id}])
        # A person below a contact is a person of the account too.
        self._rpc('kam.visit', 'write', [visit.ids, {'contact_ids': [(4, assistant.id)]}])
        self.assertEqual(visit.contact_ids, self.contact | assistant)
        # In the form, another account drops the previous account's people.
        with Form(visit) as form:
            form.partner_id = self.account_2
            self.assertFalse(form.contact_id)
            self.assertFalse(form.contact_ids)
        self.assertEqual(visit.partner_id, self.account_2)

    def test_pre_visit_meeting_is_attended_by_the_visits_people(self):
        ended = self.start - timedelta(days=5)

        def meeting(attendees, **values):
            return self.env['calendar.event'].create(dict({
                'name': 'Pre-visit discussion', 'start': ended, 'stop': ended + timedelta(hours=1),
                'partner_ids': [(6, 0, attendees.partner_id.ids)]}, **values))

        visit = self._visit(user=self.kam_supervisor, visit_type='development',
                            visitor_ids=[(6, 0, (self.kam_supervisor | self.kam_manager).ids)])
        with self.assertRaisesText(ValidationError, 'attended by its leader or one of its visitors'):
            self._rpc('kam.visit', 'write', [visit.ids, {'premeeting_event_id': meeting(self.kam_director).id}],
                      user=self.kam_supervisor)
        # A meeting of the manager, who goes along: the visit's own.
        theirs = meeting(self.kam_manager)
        self._rpc('kam.visit', 'write', [visit.ids, {'premeeting_event_id': theirs.id}], user=self.kam_supervisor)
        with self.assertRaisesText(ValidationError, 'attended by its leader or one of its visitors'):
            self._rpc('kam.visit', 'write', [visit.ids, {'visitor_ids': [(3, self.kam_manager.id)]}],
                      user=self.kam_supervisor)
        # The meeting's attendees changed since: the confirmation checks them again.
        theirs.partner_ids = self.kam_director.partner_id
        with self.assertRaisesText(UserError, 'pre-visit discussion meeting'):
            visit.action_confirm_appointment()
        # The supervisor's own private meeting: someone who does not attend it links nothing
        # to it, but confirms the visit it belongs to.
        private = meeting(self.kam_supervisor, privacy='private', user_id=self.kam_supervisor.id)
        with self.assertRaisesText(ValidationError, 'a private event of others cannot be linked'):
            self._rpc('kam.visit', 'write', [visit.ids, {'premeeting_event_id': private.id}], user=self.kam_director)
        with self.assertRaisesText(ValidationError, 'a private event of others cannot be linked'):
            self._rpc('kam.visit', 'create', [{'partner_id': self.account.id, 'visit_type': 'development',
                                                'user_id': self.kam_supervisor.id}],
                      {'default_premeeting_event_id': private.id}, user=self.kam_director)
        self._rpc('kam.visit', 'write', [visit.ids, {'premeeting_event_id': private.id}], user=self.kam_supervisor)
        self._rpc('kam.visit', 'action_confirm_appointment', [visit.ids], user=self.kam_director)
        self.assertEqual(visit.appointment_state, 'confirmed')
