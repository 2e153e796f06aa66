"""Review of issue 7 as a hostile RPC client (review-1): each test is one hole that is
still open. Every test asserts the secure behaviour, so it fails until the hole is closed.
A refusal (UserError, or its AccessError and ValidationError) is always a secure answer.
"""
from contextlib import suppress
from datetime import timedelta

from odoo.exceptions import UserError
from odoo.service.model import call_kw
from odoo.tests import new_test_user

from .common import KamScreeningCommon
from .test_visit import KamVisitCommon


def rpc(env, model, method, args, user, context=None, kwargs=None):
    """What the JSON-RPC endpoint does: call_kw as the user, with the client's context,
    then the end of the request (flush, caches dropped): each call its own transaction."""
    result = call_kw(env[model].with_user(user), method, args, dict(kwargs or {}, context=context or {}))
    env.flush_all()
    env.invalidate_all()
    return result


class TestScreeningAttacks(KamScreeningCommon):

    def _approve_all(self, screening):
        screening.with_user(self.kam_user).action_request_approval()
        screening.with_user(self.kam_supervisor).action_approve()
        screening.with_user(self.kam_manager).action_approve()
        self.assertEqual(screening.approval_state, 'approved')

    def test_risk_report_link_cannot_make_the_engine_delete_any_attachment(self):
        """risk_report_id is readonly in the view only: a requester points it at any
        attachment (here an admin's file on another record), and the final approval's
        `screening.risk_report_id.unlink()` (run with sudo) deletes it."""
        victim = self.env['ir.attachment'].create({
            'name': 'contract-signed.pdf', 'raw': b'%PDF-1.4 not ours',
            'res_model': 'res.partner', 'res_id': self.account_2.id})
        try:
            rpc(self.env, 'kam.screening', 'write', [self.screening.ids, {'risk_report_id': victim.id}],
                self.kam_user)
        except UserError:
            return
        self._approve_all(self.screening)
        self.assertTrue(victim.exists(), "the approval deleted an attachment the requester chose")

    def test_stored_is_open_cannot_be_written(self):
        """is_open carries the one-open-screening-per-partner index (a stored compute, so
        writable over RPC): written to False on an open screening, a second open screening
        of the same partner gets past both the search and the index."""
        partner = self.screening.partner_id
        with suppress(UserError):
            rpc(self.env, 'kam.screening', 'write', [self.screening.ids, {'is_open': False}], self.kam_user)
        with suppress(UserError):
            rpc(self.env, 'kam.screening', 'create',
                [{'partner_id': partner.id, 'proposed_manager_id': self.kam_user.id}], self.kam_user)
        open_ones = self.env['kam.screening'].search([('partner_id', '=', partner.id)]).filtered(
            lambda s: not s.stage_id.is_closed)
        self.assertEqual(len(open_ones), 1, "one open screening per partner")

    def test_filed_risk_analysis_is_not_the_requesters_upload(self):
        """S10 filed the report found under '<ref>-risk-analysis.pdf' on the screening (the
        report had attachment_use), so an attachment of that name uploaded by the requester
        before approval was reused as is: the filed risk analysis was whatever they uploaded."""
        name = f"{self.screening.name.replace('/', '-')}-risk-analysis.pdf"
        forged = rpc(self.env, 'ir.attachment', 'create', [{
            'name': name, 'raw': b'%PDF-1.4 every risk: low', 'mimetype': 'application/pdf',
            'res_model': 'kam.screening', 'res_id': self.screening.id}], self.kam_user)
        self.screening.with_user(self.kam_user).action_request_approval()
        self.screening.with_user(self.kam_supervisor).action_approve()
        self.screening.with_user(self.kam_manager).action_approve()
        self.assertEqual(self.screening.approval_state, 'approved')
        # The filing job, rendering as in production, not as the test mode's HTML.
        self.screening.with_context(force_report_rendering=True)._kam_file_documents()
        filed = self.screening.risk_report_id
        self.assertNotEqual(filed.id, forged, "the filed risk analysis is the requester's own upload")
        # A fresh rendering, filed beside the upload (which stays the requester's document).
        self.assertRecordValues(filed, [{'name': name, 'res_model': 'kam.screening', 'res_id': self.screening.id}])
        self.assertTrue(filed.raw.startswith(b'%PDF') and filed.raw != b'%PDF-1.4 every risk: low')
        self.assertEqual(self.env['ir.attachment'].browse(forged).raw, b'%PDF-1.4 every risk: low')

    def test_risk_level_cannot_be_forged(self):
        """The reviewers read risk_score / risk_level; the requester writes them directly,
        whatever the scored lines say."""
        self.screening.risk_line_ids.write({'score': 1})
        self.assertEqual(self.screening.risk_level, 'high')
        with suppress(UserError):
            rpc(self.env, 'kam.screening', 'write',
                [self.screening.ids, {'risk_score': 5.0, 'risk_level': 'low', 'fit_score': 5.0,
                                      'likelihood': 'high'}], self.kam_user)
        self.screening.invalidate_recordset()
        self.assertRecordValues(self.screening, [{'risk_level': 'high'}])

    def test_confirmed_date_is_the_engines(self):
        """confirmed_date (S9, set by the final approval) is readonly in the view only."""
        with suppress(UserError):
            rpc(self.env, 'kam.screening', 'write', [self.screening.ids, {'confirmed_date': '2020-01-01'}],
                self.kam_user)
        self.assertFalse(self.screening.confirmed_date)

    def test_default_stage_id_does_not_skip_the_gates(self):
        """create() checks vals['stage_id'] (gate, process) but not the default_stage_id
        context key: a new screening starts in Confirmed, a gate, without any approval."""
        partner = self.env['res.partner'].create({'name': 'Gate Skipper Ltd', 'is_company': True})
        try:
            screening_id = rpc(self.env, 'kam.screening', 'create',
                               [{'partner_id': partner.id, 'proposed_manager_id': self.kam_user.id}],
                               self.kam_user, context={'default_stage_id': self.stage_confirmed.id})
        except UserError:
            return
        screening = self.env['kam.screening'].browse(screening_id)
        self.assertFalse(screening.stage_id.is_gate,
                         f"created in the gate {screening.stage_id.name} with approval {screening.approval_state}")

    def test_default_stage_id_of_another_process(self):
        """The same key puts a screening into a stage of the visit process."""
        partner = self.env['res.partner'].create({'name': 'Wrong Process Ltd', 'is_company': True})
        try:
            screening_id = rpc(self.env, 'kam.screening', 'create',
                               [{'partner_id': partner.id, 'proposed_manager_id': self.kam_user.id}],
                               self.kam_user,
                               context={'default_stage_id': self.env.ref('kam_key_account.kam_stage_visit_done').id})
        except UserError:
            return
        self.assertEqual(self.env['kam.screening'].browse(screening_id).stage_id.process, 'screening')

    def test_risk_lines_changed_after_a_step_withdraw_the_approval(self):
        """The supervisor approved the risk table; the requester then rewrites it while the
        manager's step is pending: nothing is withdrawn."""
        self.screening.with_user(self.kam_user).action_request_approval()
        self.screening.with_user(self.kam_supervisor).action_approve()
        self.assertEqual(self.screening.approval_review_id.step_id, self.step_manager)
        rpc(self.env, 'kam.screening.risk.line', 'write',
            [self.screening.risk_line_ids.ids, {'score': 1}], self.kam_user)
        self.assertNotEqual(self.screening.approval_state, 'pending',
                            "the table the supervisor approved was rewritten under the manager's step")

    def test_screening_error_does_not_name_unreadable_partners(self):
        """_check_partners_not_screened searches with sudo and prints the partner's name
        (and the other screening's reference): an oracle on any partner id."""
        company_3 = self.env['res.company'].create({'name': 'Third Company'})
        secret = self.env['res.partner'].create({
            'name': 'Secret Takeover Target', 'is_company': True, 'company_id': company_3.id})
        self.env['kam.screening'].with_company(company_3).create({
            'partner_id': secret.id, 'company_id': company_3.id})
        with self.assertRaises(UserError) as cm:
            rpc(self.env, 'kam.screening', 'create', [{'partner_id': secret.id}], self.kam_user)
        self.assertNotIn('Secret Takeover Target', str(cm.exception))

    def test_screening_competitor_lines_take_competitors_of_the_company(self):
        """kam.screening.competitor.competitor_id has no check_company: a user of company 1
        only puts company 2's competitor (a guessed id) on their screening, and the form's
        web_read gives its name back (display names of many2ones are read with sudo)."""
        only_here = new_test_user(
            self.env, login='kam_t_user_c1', groups='kam_key_account.group_kam_user', name='Company One Only',
            company_id=self.company.id, company_ids=self.company.ids)
        rival = self.env['kam.competitor'].create({
            'name': 'Secret Rival of Company Two', 'company_id': self.company_2.id})
        screening = self._new_screening(user=only_here, name='Rival Check Ltd')
        try:
            rpc(self.env, 'kam.screening', 'write',
                [screening.ids, {'competitor_line_ids': [(0, 0, {'competitor_id': rival.id})]}], only_here)
        except UserError:
            return
        values = screening.with_user(only_here).web_read(
            {'competitor_line_ids': {'fields': {'competitor_id': {'fields': {'display_name': {}}}}}})
        names = [line['competitor_id']['display_name'] for line in values[0]['competitor_line_ids']]
        self.assertNotIn('Secret Rival of Company Two', names)


class TestVisitAttacks(KamVisitCommon):

    def test_budget_flag_cannot_be_written(self):
        """budget_over_threshold is a stored compute: written to False, the visit is
        confirmed (the customer invited) without the supervisor's approval."""
        big = self._visit(budget_amount=8000)
        self.assertTrue(big.budget_over_threshold)
        self.env.flush_all()
        with self.assertRaises(UserError):  # an AccessError, refused outright
            rpc(self.env, 'kam.visit', 'write', [big.ids, {'budget_over_threshold': False}], self.kam_user)
        with self.assertRaises(UserError):
            big.action_confirm_appointment()
        self.assertNotEqual(big.appointment_state, 'confirmed')

    def test_budget_raised_on_a_cancelled_visit_withdraws_its_approval(self):
        """A small budget is 'approved at once' (no step applies); cancelled, the budget is
        raised without withdrawal (closed stage), the visit reopened and confirmed: the
        customer is invited on a budget nobody approved. No supervisor involved."""
        visit = self._visit(budget_amount=100)
        visit.action_request_approval()
        self.assertEqual(visit.approval_state, 'approved')
        visit.action_cancel()
        rpc(self.env, 'kam.visit', 'write',
            [visit.ids, {'budget_amount': 500000, 'stage_id': self.stage['planned'].id}], self.kam_user)
        self.assertTrue(visit.budget_over_threshold)
        with self.assertRaises(UserError):
            visit.action_confirm_appointment()
        self.assertNotEqual(visit.appointment_state, 'confirmed')

    def test_visit_leader_does_not_approve_their_own_budget(self):
        """Four eyes: the requester is excluded from the reviewers, the visit's leader is
        not. A supervisor leads a visit with a big budget; a visitor presses Request
        Approval; the step goes to the leader's team leader (the supervisor), who approves
        their own budget."""
        self.team.member_ids = [(4, self.kam_supervisor.id)]
        visit = self._visit(user=self.kam_supervisor, budget_amount=8000,
                            visitor_ids=[(6, 0, (self.kam_supervisor | self.kam_user).ids)])
        visit.with_user(self.kam_user).action_request_approval()
        with self.assertRaises(UserError):
            rpc(self.env, 'kam.visit', 'action_approve', [visit.ids], self.kam_supervisor)
        self.assertNotEqual(visit.approval_state, 'approved')

    def test_changing_the_leader_after_approval_withdraws_it(self):
        """The budget step goes to the team leader of the visit's leader (user_id), which
        the requester sets: they name a colleague of another team as leader, that team's
        leader (a more lenient one) approves, and they take the visit back. user_id is not
        an approval-relevant field: the approval stands for a visit whose own team leader
        never saw it."""
        friend = new_test_user(
            self.env, login='kam_t_friend', groups='kam_key_account.group_kam_user', name='Friend',
            company_id=self.company.id)
        self.env['crm.team'].create({
            'name': 'Friendly Team', 'user_id': self.kam_director.id, 'member_ids': [(6, 0, friend.ids)]})
        visit = self._visit(budget_amount=8000, user_id=friend.id,
                            visitor_ids=[(6, 0, (self.kam_user | friend).ids)])
        visit.action_request_approval()
        self.assertEqual(visit.approval_review_id.reviewer_ids, self.kam_director)
        rpc(self.env, 'kam.visit', 'action_approve', [visit.ids], self.kam_director)
        rpc(self.env, 'kam.visit', 'write', [visit.ids, {'user_id': self.kam_user.id}], self.kam_user)
        self.assertNotEqual(visit.approval_state, 'approved',
                            "approved by the team leader of someone who no longer leads the visit")

    def test_rejection_reason_does_not_reach_the_customer(self):
        """The approval subtypes are neither internal nor restricted, and are default ones: a
        customer contact who follows the visit (any of its users may add followers) is
        mailed the reviewer's reason for rejecting the budget."""
        visit = self._visit(budget_amount=8000)
        visit.message_subscribe(partner_ids=self.contact.ids)
        visit.action_request_approval()
        self.flush_tracking()
        wizard = self.env['kam.approval.wizard'].with_user(self.kam_supervisor).create({
            'res_model': 'kam.visit', 'res_ids': str(visit.ids),
            'reason': 'This customer is not worth 8000, they will never sign'})
        wizard.action_confirm()
        self.flush_tracking()
        notified = self.env['mail.notification'].sudo().search([
            ('res_partner_id', '=', self.contact.id), ('mail_message_id.model', '=', 'kam.visit'),
            ('mail_message_id.res_id', '=', visit.id)]).mail_message_id
        self.assertFalse([m.body for m in notified], "internal approval messages mailed to the customer")

    def test_problems_raised_do_not_reach_the_customer(self):
        """_notify_supervisors posts a comment (mail.mt_comment), not a note: every follower,
        a customer contact included, is mailed the internal problems raised on the visit."""
        visit = self._visit()
        visit.message_subscribe(partner_ids=self.contact.ids)
        self.env['kam.visit.problem'].with_user(self.kam_user).create({
            'visit_id': visit.id, 'description': 'Their QC manager is incompetent, escalate above him',
            'department_id': self.department.id})
        notified = self.env['mail.notification'].sudo().search([
            ('res_partner_id', '=', self.contact.id), ('mail_message_id.model', '=', 'kam.visit'),
            ('mail_message_id.res_id', '=', visit.id)]).mail_message_id
        self.assertFalse([m.body for m in notified], "internal problems mailed to the customer")

    def test_on_time_is_computed(self):
        """on_time (a stored compute, the punctuality KPI) is written by the client."""
        visit = self._visit()
        self.env.flush_all()
        with self.assertRaises(UserError):  # an AccessError, refused outright
            rpc(self.env, 'kam.visit', 'write', [visit.ids, {'on_time': True}], self.kam_user)
        self.assertFalse(visit.on_time)

    def test_customer_attendees_are_contacts_of_the_account(self):
        """contact_ids has no check (domain in the view only): any partner id, here a
        contact of another company, is invited to the visit once confirmed."""
        outsider = self.env['res.partner'].create({
            'name': 'Competitor Spy', 'email': 'spy@example.com', 'company_id': self.company_2.id})
        visit = self._visit()
        try:
            rpc(self.env, 'kam.visit', 'write', [visit.ids, {'contact_ids': [(4, outsider.id)]}], self.kam_user)
        except UserError:
            return
        visit.action_confirm_appointment()
        self.assertNotIn(outsider, visit.event_id.partner_ids)

    def test_pre_visit_meeting_is_a_meeting_of_the_visit(self):
        """A development visit is confirmed only after its pre-visit meeting: any ended
        event id is accepted, here another user's private lunch the supervisor cannot read."""
        lunch = self.env['calendar.event'].create({
            'name': 'Private lunch', 'privacy': 'private', 'user_id': self.kam_manager.id,
            'partner_ids': [(6, 0, self.kam_manager.partner_id.ids)],
            'start': self.start - timedelta(days=30), 'stop': self.start - timedelta(days=30, hours=-1)})
        visit = self._visit(user=self.kam_supervisor, visit_type='development',
                            visitor_ids=[(6, 0, self.kam_supervisor.ids)])
        try:
            rpc(self.env, 'kam.visit', 'write', [visit.ids, {'premeeting_event_id': lunch.id}], self.kam_supervisor)
        except UserError:
            return
        with self.assertRaises(UserError):
            visit.action_confirm_appointment()

    def test_booking_duplicate_ids_makes_one_event(self):
        """action_book on [id, id]: `filtered` keeps duplicates, _create_events makes two
        events; the first is left on the calendar, linked to the visit but no longer its event."""
        visit = self._visit()
        rpc(self.env, 'kam.visit', 'action_book', [visit.ids + visit.ids], self.kam_user)
        events = self.env['calendar.event'].sudo().search([('kam_visit_id', '=', visit.id)])
        self.assertEqual(events, visit.event_id, "one visit, one event")

    def test_done_duplicate_ids_schedule_one_follow_up(self):
        """action_done on [id, id] of a development visit: two V11 follow-ups on the account."""
        past = self.start - timedelta(days=10)
        premeeting = self.env['calendar.event'].create({
            'name': 'Pre-visit discussion', 'start': past - timedelta(days=1),
            'stop': past - timedelta(days=1, hours=-1), 'partner_ids': [(6, 0, self.kam_supervisor.partner_id.ids)]})
        visit = self._visit(user=self.kam_supervisor, visit_type='development', premeeting_event_id=premeeting.id,
                            visitor_ids=[(6, 0, self.kam_supervisor.ids)], start=past, stop=past + timedelta(hours=1))
        visit.action_confirm_appointment()
        Activity = self.env['mail.activity']
        domain = [('res_model', '=', 'res.partner'), ('res_id', '=', self.account.id)]
        before = Activity.search_count(domain)
        rpc(self.env, 'kam.visit', 'action_done', [visit.ids + visit.ids], self.kam_supervisor)
        self.assertEqual(Activity.search_count(domain) - before, 1, "one visit, one follow-up")

    def test_problem_written_with_duplicate_ids_keeps_one_activity(self):
        """kam.visit.problem.write on [id, id]: _sync_activities creates one activity per
        entry of `self`, the first is left behind, open, on the responsible's list."""
        visit = self._visit()
        problem = self.env['kam.visit.problem'].with_user(self.kam_user).create({
            'visit_id': visit.id, 'description': 'Late deliveries', 'department_id': self.department.id})
        rpc(self.env, 'kam.visit.problem', 'write',
            [problem.ids + problem.ids, {'description': 'Late deliveries (3 weeks)'}], self.kam_user)
        activities = self.env['mail.activity'].search([
            ('res_model', '=', 'kam.visit'), ('res_id', '=', visit.id), ('user_id', '=', problem.responsible_id.id),
            ('summary', 'like', 'Problem:')])
        self.assertEqual(activities, problem.activity_id, "one open problem, one activity")

    def test_a_salesperson_without_kam_cannot_link_leads_to_visits(self):
        """crm.lead.kam_visit_id carries no groups (field nor view, unlike the issue's rule
        for every field added to Odoo's views): a sales manager without a Key Accounts role
        gets it in the lead form (with the visit's reference and account, read with sudo)
        and writes it, planting leads into any visit's opportunities."""
        visit = self._visit()
        sales_manager = new_test_user(
            self.env, login='kam_t_sales_manager', groups='base.group_user,sales_team.group_sale_manager',
            name='Sales Manager', company_id=self.company.id)
        lead = self.env['crm.lead'].with_user(sales_manager).create({'name': 'Unrelated deal', 'type': 'opportunity'})
        with self.assertRaises(UserError):
            rpc(self.env, 'crm.lead', 'write', [lead.ids, {'kam_visit_id': visit.id}], sales_manager)
        self.assertNotIn(lead, visit.lead_ids)
