"""The approval engine, with the screening as its consumer: A1-A12 and the rest."""
from ast import literal_eval
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError

from .common import KamScreeningCommon


class TestApprovalEngine(KamScreeningCommon):

    def request(self, screening=None, user=None):
        screening = screening or self.screening
        screening.with_user(user or self.kam_user).with_company(screening.company_id).action_request_approval()
        self.flush_tracking()
        return screening

    def approve(self, user, screening=None):
        (screening or self.screening).with_user(user).action_approve()
        self.flush_tracking()

    def reject(self, user, reason, screening=None):
        (screening or self.screening).with_user(user)._approval_reject(reason)
        self.flush_tracking()

    # ---- the happy path -------------------------------------------------------------

    def test_request_snapshots_every_step_and_notifies_the_first(self):
        self.request()
        s = self.screening
        self.assertRecordValues(s, [{
            'approval_state': 'pending', 'approval_round': 1, 'approval_requester_id': self.kam_user.id,
            'stage_id': self.stage_supervisor.id}])
        reviews = s.approval_review_ids.sorted('sequence')
        self.assertEqual(reviews.mapped('state'), ['pending', 'waiting'])
        self.assertEqual(reviews[0].reviewer_ids, self.kam_supervisor)
        self.assertEqual(reviews[1].reviewer_ids, self.kam_manager)
        self.assertEqual(s.approval_review_id, reviews[0])
        activity = self.approval_activities(s)
        self.assertEqual(activity.user_id, self.kam_supervisor)
        # The requester's today (Asia/Shanghai), which is not UTC's for eight hours a day.
        today = fields.Date.context_today(s.with_user(self.kam_user))
        self.assertEqual(activity.date_deadline, today + timedelta(days=3))
        self.assertTrue(s.with_user(self.kam_supervisor).can_approve)
        self.assertFalse(s.with_user(self.kam_manager).can_approve)
        self.assertFalse(s.with_user(self.kam_user).can_approve)

    def test_steps_pass_in_order_and_move_the_stage(self):
        self.request()
        self.approve(self.kam_supervisor)
        s = self.screening
        self.assertRecordValues(s, [{'approval_state': 'pending', 'stage_id': self.stage_manager.id}])
        self.assertEqual(self.approval_activities(s).user_id, self.kam_manager)
        self.approve(self.kam_manager)
        self.assertRecordValues(s, [{'approval_state': 'approved', 'stage_id': self.stage_confirmed.id,
                                     'approval_review_id': False}])
        self.assertFalse(self.approval_activities(s))
        self.assertEqual(s.approval_review_ids.mapped('state'), ['approved', 'approved'])
        decisions = s.approval_review_ids.decision_ids
        self.assertEqual(decisions.user_id, self.kam_supervisor | self.kam_manager)

    def test_each_transition_leaves_exactly_one_chatter_entry(self):
        subtype = lambda kind: self.env.ref(f'kam_key_account.mt_kam_screening_approval_{kind}')  # noqa: E731
        before = self.messages(self.screening)
        self.request()
        new = self.messages(self.screening) - before
        self.assertEqual(len(new), 1)
        self.assertEqual(new.subtype_id, subtype('requested'))
        self.assertIn('stage_id', new.tracking_value_ids.field_id.mapped('name'))
        before |= new
        self.screening.with_user(self.kam_supervisor).action_approve()
        self.flush_tracking()
        new = self.messages(self.screening) - before
        self.assertEqual(len(new), 1)
        self.assertEqual(new.subtype_id, subtype('step_approved'))
        before |= new
        self.reject(self.kam_manager, "Credit risk too high")
        new = self.messages(self.screening) - before
        self.assertEqual(len(new), 1)
        self.assertEqual(new.subtype_id, subtype('rejected'))
        self.assertIn('Credit risk too high', str(new.body))
        before |= new
        self.request()
        self.approve(self.kam_supervisor)
        before = self.messages(self.screening)
        self.approve(self.kam_manager)
        new = self.messages(self.screening) - before
        self.assertEqual(len(new), 1)
        self.assertEqual(new.subtype_id, subtype('approved'))

    # ---- integrity rules A1-A12 -----------------------------------------------------

    def test_a1_no_step_can_be_skipped(self):
        self.request()
        with self.assertRaises(AccessError):
            self.screening.with_user(self.kam_manager).action_approve()
        self.assertEqual(self.screening.approval_review_id.name, 'Supervisor Review')
        with self.assertRaises(UserError):
            self.screening.with_user(self.kam_manager).write({'stage_id': self.stage_confirmed.id})
        self.assertEqual(self.screening.stage_id, self.stage_supervisor)

    def test_a2_requester_cannot_approve_own_request(self):
        # The requester is a supervisor who would review step 1 and a manager for step 2.
        self.step_supervisor.user_ids |= self.kam_director
        self.step_manager.user_ids |= self.kam_director
        screening = self._new_screening(user=self.kam_director, name='Own Request Co')
        self.request(screening, user=self.kam_director)
        for review in screening.approval_review_ids:
            self.assertNotIn(self.kam_director, review.reviewer_ids, "never snapshotted as own reviewer")
        with self.assertRaisesText(UserError, 'someone else must decide'):
            screening.with_user(self.kam_director).action_approve()
        # Not even with a General Manager's override.
        self.kam_director.group_ids |= self.env.ref('kam_key_account.group_kam_general_manager')
        with self.assertRaisesText(UserError, 'someone else must decide'):
            screening.with_user(self.kam_director)._approval_override("I insist")
        self.assertEqual(screening.approval_review_id.state, 'pending')

    def test_a3_only_current_reviewers_approve_and_gm_override_is_logged(self):
        self.request()
        with self.assertRaises(AccessError):  # cannot even read another user's screening
            self.screening.with_user(self.kam_user_2).action_approve()
        for user in (self.kam_director, self.kam_manager):
            with self.subTest(user=user.login), self.assertRaisesText(AccessError, 'Only the reviewers'):
                self.screening.with_user(user).action_approve()
        with self.assertRaisesText(AccessError, 'Only a General Manager'):
            self.screening.with_user(self.kam_director)._approval_override("Urgent")
        with self.assertRaisesText(UserError, 'needs a reason'):
            self.screening.with_user(self.kam_gm)._approval_override("  ")
        self.assertTrue(self.screening.with_user(self.kam_gm).can_override_approval)
        self.screening.with_user(self.kam_gm)._approval_override("Customer visit tomorrow")
        self.flush_tracking()
        decision = self.screening.approval_review_ids.decision_ids
        self.assertRecordValues(decision, [{'user_id': self.kam_gm.id, 'override': True,
                                            'comment': 'Customer visit tomorrow'}])
        self.assertIn('Override by a General Manager', str(self.messages(self.screening)[0].body))
        self.assertEqual(self.screening.approval_review_id.name, 'Manager Approval')

    def test_a4_approval_fields_are_not_writable_through_rpc(self):
        screening = self.screening.with_user(self.kam_user)
        for vals in ({'approval_state': 'approved'}, {'approval_round': 5},
                     {'approval_review_id': False}, {'approval_requester_id': self.kam_manager.id}):
            with self.subTest(vals=vals), self.assertRaisesText(AccessError, 'set by the approval engine'):
                screening.write(vals)
        with self.assertRaises(AccessError):
            self.env['kam.screening'].with_user(self.kam_user).create({
                'partner_id': self.account_2.id, 'approval_state': 'approved'})
        # Context keys are no key: RPC callers control the context.
        with self.assertRaises(AccessError):
            screening.with_context(kam_approval_engine=True).write({'approval_state': 'approved'})
        with self.assertRaisesText(UserError, 'only be reached through approval'):
            screening.write({'stage_id': self.stage_confirmed.id})
        with self.assertRaisesText(UserError, 'only be reached through approval'):
            self.env['kam.screening'].with_user(self.kam_user).create({
                'partner_id': self.account_2.id, 'stage_id': self.stage_manager.id})
        self.request()
        review = self.screening.approval_review_id
        with self.assertRaises(AccessError):
            review.with_user(self.kam_supervisor).write({'state': 'approved'})
        with self.assertRaises(AccessError):
            self.env['kam.approval.decision'].with_user(self.kam_supervisor).create({
                'review_id': review.id, 'user_id': self.kam_supervisor.id, 'decision': 'approved'})
        with self.assertRaises(AccessError):
            review.with_user(self.kam_supervisor).unlink()
        self.assertEqual(review.state, 'pending')

    def test_a5_a_decided_step_cannot_be_decided_again(self):
        self.step_supervisor.write({'mode': 'all', 'user_ids': [(4, self.kam_director.id)]})
        self.request()
        self.approve(self.kam_supervisor)
        self.assertEqual(self.screening.approval_review_id.name, 'Supervisor Review', "all must approve")
        with self.assertRaisesText(UserError, 'already decided'):
            self.screening.with_user(self.kam_supervisor).action_approve()
        self.approve(self.kam_director)
        first = self.screening.approval_review_ids.filtered(lambda r: r.name == 'Supervisor Review')
        self.assertEqual(first.state, 'approved')
        self.assertEqual(len(first.decision_ids), 2)
        self.approve(self.kam_manager)
        with self.assertRaisesText(UserError, 'not waiting for a decision'):
            self.screening.with_user(self.kam_manager).action_approve()
        with self.assertRaisesText(UserError, 'not waiting for a decision'):
            self.screening.with_user(self.kam_manager)._approval_reject("Too late")

    def test_a7_a_failing_transition_leaves_nothing_behind(self):
        self.request()
        self.approve(self.kam_supervisor)
        activities = self.approval_activities(self.screening)
        decisions = self.env['kam.approval.decision'].search_count([])
        with patch.object(type(self.env['kam.screening']), '_on_approval_approved',
                          side_effect=RuntimeError("printer on fire")), self.assertRaises(RuntimeError):
            self.screening.with_user(self.kam_manager).action_approve()
        self.screening.invalidate_recordset()
        self.assertRecordValues(self.screening, [{'approval_state': 'pending', 'stage_id': self.stage_manager.id}])
        self.assertEqual(self.screening.approval_review_id.state, 'pending')
        self.assertEqual(self.approval_activities(self.screening), activities, "no orphan, none lost")
        self.assertEqual(self.env['kam.approval.decision'].search_count([]), decisions)
        self.assertFalse(self.screening.partner_id.kam_is_key_account)

    def test_a8_editing_the_chain_does_not_change_running_requests(self):
        self.request()
        self.step_manager.write({'user_ids': [(6, 0, self.kam_director.ids)], 'name': 'Renamed'})
        self.env['kam.approval.step'].create({
            'chain_id': self.chain.id, 'sequence': 30, 'name': 'GM Sign-off',
            'approver_kind': 'users', 'user_ids': [(6, 0, self.kam_gm.ids)]})
        self.approve(self.kam_supervisor)
        self.assertEqual(self.screening.approval_review_id.name, 'Manager Approval')
        self.assertEqual(self.screening.approval_review_id.reviewer_ids, self.kam_manager)
        self.approve(self.kam_manager)
        self.assertEqual(self.screening.approval_state, 'approved', "the new third step is not in this round")
        other = self._new_screening(name='Next Candidate')
        self.request(other)
        self.assertEqual(len(other.approval_review_ids), 3, "new requests use the new chain")

    def test_a9_only_the_current_steps_reviewers_are_notified(self):
        self.request()
        self.assertEqual(self.approval_activities(self.screening).user_id, self.kam_supervisor)
        self.assertFalse(self.env['mail.activity'].search([
            ('user_id', '=', self.kam_manager.id), ('res_model', '=', 'kam.screening'),
            ('res_id', '=', self.screening.id)]))
        self.approve(self.kam_supervisor)
        self.assertEqual(self.approval_activities(self.screening).user_id, self.kam_manager)

    def test_a10_rejection_needs_a_reason_and_loses_nothing(self):
        self.screening.competitor_line_ids = [(0, 0, {
            'competitor_id': self.env['kam.competitor'].create({'name': 'Rival Corp'}).id, 'strengths': 'Price'})]
        attachment = self.env['ir.attachment'].create({
            'name': 'visit-notes.txt', 'raw': b'notes', 'res_model': 'kam.screening', 'res_id': self.screening.id})
        self.screening.message_post(body="Customer called back")
        self.request()
        messages = self.messages(self.screening)
        for reason in ('', '   ', False):
            with self.subTest(reason=reason), self.assertRaisesText(UserError, 'Say why'):
                self.screening.with_user(self.kam_supervisor)._approval_reject(reason)
        wizard = self.env['kam.approval.wizard'].with_user(self.kam_supervisor).create({
            'res_model': 'kam.screening', 'res_ids': str(self.screening.ids), 'decision': 'rejected',
            'reason': 'Needs a credit check first'})
        wizard.action_confirm()
        self.flush_tracking()
        s = self.screening
        self.assertRecordValues(s, [{'approval_state': 'rejected', 'stage_id': self.stage_rejected.id}])
        self.assertEqual(len(s.risk_line_ids), 5)
        self.assertTrue(s.competitor_line_ids)
        self.assertTrue(attachment.exists())
        self.assertLessEqual(messages, self.messages(s), "every message kept")
        self.assertEqual(s.approval_review_ids.mapped('state'), ['rejected', 'cancelled'])
        self.assertEqual(s.approval_review_ids.decision_ids.comment, 'Needs a credit check first')
        self.assertFalse(self.approval_activities(s))
        # Resubmitting starts a new round; the first stays as history.
        self.request()
        self.assertEqual(s.approval_round, 2)
        self.assertEqual(len(s.approval_review_ids), 4)
        self.assertEqual(s.approval_review_id.round, 2)

    def test_a11_a_step_without_eligible_reviewer_escalates_and_never_passes(self):
        self.step_supervisor.user_ids = self.kam_user  # only the requester
        self.request()
        review = self.screening.approval_review_id
        self.assertEqual(review.name, 'Supervisor Review', "never passes by itself")
        self.assertTrue(review.escalated)
        self.assertNotIn(self.kam_user, review.reviewer_ids)
        self.assertIn(self.kam_manager, review.reviewer_ids, "escalated to the next role up")
        self.assertIn(self.kam_manager, self.approval_activities(self.screening).user_id)
        self.assertIn('escalated', str(self.messages(self.screening)[0].body))

    def test_a11_archived_reviewer_escalates(self):
        self.request()
        self.kam_supervisor.action_archive()
        self.flush_tracking()
        review = self.screening.approval_review_id
        self.assertTrue(review.escalated)
        self.assertTrue(self.approval_activities(self.screening), "someone is notified again")
        self.assertNotIn(self.kam_supervisor, self.approval_activities(self.screening).user_id)
        self.assertEqual(self.screening.approval_state, 'pending')

    def test_a12_another_companys_records_are_out_of_reach(self):
        outsider = self.env['res.users'].create({
            'name': 'Company One Supervisor', 'login': 'kam_t_c1_sup', 'company_id': self.company.id,
            'company_ids': [self.company.id],
            'group_ids': [self.env.ref('kam_key_account.group_kam_supervisor').id]})
        self.step_supervisor.user_ids = self.kam_supervisor | outsider
        screening = self._new_screening(name='Far Away GmbH', company=self.company_2)
        self.request(screening)
        review = screening.approval_review_id
        self.assertNotIn(outsider, review.reviewer_ids, "not a reviewer of another company's record")
        with self.assertRaises(AccessError):
            screening.with_user(outsider).action_approve()
        with self.assertRaises(AccessError):
            screening.with_user(outsider).read(['approval_state'])
        with self.assertRaises(AccessError):
            review.with_user(outsider).read(['state'])
        self.assertEqual(review.state, 'pending')

    # ---- stages, activities, delegation, escalation ---------------------------------

    def test_moving_back_before_the_gate_withdraws_the_request(self):
        self.request()
        self.screening.with_user(self.kam_user).write({'stage_id': self.stage_draft.id})
        self.flush_tracking()
        self.assertRecordValues(self.screening, [{'approval_state': 'draft', 'approval_review_id': False}])
        self.assertEqual(self.screening.approval_review_ids.mapped('state'), ['cancelled', 'cancelled'])
        self.assertFalse(self.approval_activities(self.screening))
        self.request()
        self.assertEqual(self.screening.approval_round, 2)

    def test_approval_activities_are_the_engines(self):
        self.request()
        activity = self.approval_activities(self.screening).with_user(self.kam_supervisor)
        with self.assertRaisesText(UserError, 'use Approve or Reject'):
            activity.action_feedback(feedback="done")
        with self.assertRaisesText(UserError, 'use Approve or Reject'):
            activity.write({'date_deadline': fields.Date.today() + timedelta(days=30)})
        with self.assertRaisesText(UserError, 'use Approve or Reject'):
            activity.unlink()
        with self.assertRaisesText(UserError, 'use Approve or Reject'):
            self.env['mail.activity'].with_user(self.kam_user).create({
                'res_model_id': self.env['ir.model']._get_id('kam.screening'), 'res_id': self.screening.id,
                'activity_type_id': self.approval_type.id, 'user_id': self.kam_user.id})
        self.assertTrue(activity.exists())
        self.assertGreaterEqual(self.approval_type.sequence, 999, "never a model's default type")
        other_type = self.env['mail.activity']._default_activity_type_for_model('kam.screening')
        self.assertNotEqual(other_type, self.approval_type)

    def test_delegation_sends_new_requests_to_the_substitute(self):
        today = fields.Date.today()
        self.env['kam.approval.delegation'].with_user(self.kam_supervisor).create({
            'substitute_id': self.kam_director.id, 'date_from': today, 'date_to': today + timedelta(days=7)})
        self.request()
        review = self.screening.approval_review_id
        self.assertEqual(review.reviewer_ids, self.kam_director)
        self.assertEqual(self.approval_activities(self.screening).user_id, self.kam_director)
        self.assertIn('is away', str(self.messages(self.screening)[0].body))
        self.approve(self.kam_director)
        self.assertEqual(self.screening.approval_review_id.name, 'Manager Approval')

    def test_overdue_steps_escalate_once(self):
        self.request()
        review = self.screening.approval_review_id
        review.sudo().deadline = fields.Date.today() - timedelta(days=1)
        messages = self.messages(self.screening)
        self.env['kam.approval.review']._escalate_overdue_batch(100)
        self.flush_tracking()
        self.assertTrue(review.escalated)
        self.assertIn(self.kam_manager, review.reviewer_ids)
        new = self.messages(self.screening) - messages
        self.assertEqual(len(new), 1)
        self.assertEqual(new.subtype_id, self.env.ref('kam_key_account.mt_kam_screening_approval_escalated'))
        notified = self.approval_activities(self.screening).user_id
        self.assertIn(self.kam_supervisor, notified, "the reviewer keeps their reminder")
        self.assertIn(self.kam_manager, notified, "the next role up is notified")
        self.assertNotIn(self.kam_director, notified, "one role up, not every role")
        self.env['kam.approval.review']._escalate_overdue_batch(100)
        self.assertEqual(len(self.messages(self.screening) - messages), 1, "idempotent")
        self.approve(self.kam_manager)
        self.assertEqual(self.screening.approval_review_id.name, 'Manager Approval')

    def test_my_approvals_lists_what_waits_for_me(self):
        self.request()
        action = self.env.ref('kam_key_account.kam_my_approvals_action')
        domain = literal_eval(action.domain.replace('uid', str(self.kam_supervisor.id)))
        mine = self.env['mail.activity'].with_user(self.kam_supervisor).search(domain)
        self.assertEqual(mine.mapped('res_id'), self.screening.ids)
        opened = mine.action_open_document()
        self.assertEqual((opened['res_model'], opened['res_id']), ('kam.screening', self.screening.id))
        self.assertFalse(self.env['mail.activity'].with_user(self.kam_manager).search(
            literal_eval(action.domain.replace('uid', str(self.kam_manager.id)))))
        list_view = action.view_ids.filtered(lambda v: v.view_mode == 'list').view_id
        arch = self.env['mail.activity'].with_user(self.kam_supervisor).get_views(
            [(list_view.id, 'list')])['views']['list']['arch']
        self.assertNotIn('action_done', arch, "no Done button on approval reminders")
        self.assertIn('action_open_document', arch, "rows open the record")

    def test_quorum_mode(self):
        self.step_supervisor.write({'mode': 'quorum', 'quorum': 2,
                                    'user_ids': [(6, 0, (self.kam_supervisor | self.kam_director | self.kam_gm).ids)]})
        self.request()
        self.approve(self.kam_supervisor)
        self.assertEqual(self.screening.approval_review_id.name, 'Supervisor Review')
        self.assertNotIn(self.kam_supervisor, self.approval_activities(self.screening).user_id)
        self.approve(self.kam_gm)
        self.assertEqual(self.screening.approval_review_id.name, 'Manager Approval')
        self.assertEqual(self.approval_activities(self.screening).user_id, self.kam_manager)

    def test_conditional_step(self):
        self.env['kam.approval.step'].create({
            'chain_id': self.chain.id, 'sequence': 30, 'name': 'GM for Strategic Accounts',
            'approver_kind': 'users', 'user_ids': [(6, 0, self.kam_gm.ids)],
            'condition_domain': "[('annual_sales', '>=', 20000000)]"})
        self.request()
        self.assertEqual(len(self.screening.approval_review_ids), 2)
        big = self._new_screening(name='Giant Corp', annual_sales=50_000_000)
        self.request(big)
        self.assertEqual(big.approval_review_ids.sorted('sequence').mapped('name'),
                         ['Supervisor Review', 'Manager Approval', 'GM for Strategic Accounts'])

    def test_review_lines_are_for_the_requester_reviewers_and_supervisors(self):
        self.request()
        self.reject(self.kam_supervisor, "Confidential credit concerns")
        Review = self.env['kam.approval.review']
        domain = [('res_model', '=', 'kam.screening'), ('res_id', '=', self.screening.id)]
        self.assertEqual(len(Review.with_user(self.kam_user).search(domain)), 2, "the requester")
        self.assertEqual(len(Review.with_user(self.kam_manager).search(domain)), 2, "supervisors and above")
        self.assertFalse(Review.with_user(self.kam_user_2).search(domain), "another salesperson")
        self.assertFalse(self.env['kam.approval.decision'].with_user(self.kam_user_2).search(
            [('review_id.res_id', '=', self.screening.id)]))
        # The account's manager, who did not request it, still opens the screening.
        self.screening.partner_id.with_user(self.kam_manager).kam_manager_id = self.kam_user_2
        form = self.env['kam.screening'].with_user(self.kam_user_2).get_views([(False, 'form')])
        self.assertTrue(form)
        data = self.screening.with_user(self.kam_user_2).web_read({
            'approval_state': {}, 'can_approve': {}, 'approval_review_id': {'fields': {'display_name': {}}},
            'approval_reviewer_ids': {'fields': {'display_name': {}}}, 'approval_deadline': {},
            'approval_review_ids': {'fields': {'name': {}, 'state': {}, 'decision_summary': {}}}})
        self.assertEqual(data[0]['approval_state'], 'rejected')
        self.assertFalse(data[0]['approval_review_ids'])
        self.request()  # pending again: the current step is shown, the history is not
        self.env.invalidate_all()
        data = self.screening.with_user(self.kam_user_2).web_read({
            'approval_state': {}, 'can_approve': {}, 'approval_review_id': {'fields': {'display_name': {}}},
            'approval_reviewer_ids': {'fields': {'display_name': {}}}, 'approval_deadline': {}})
        self.assertEqual(data[0]['approval_review_id']['display_name'], 'Supervisor Review')
        self.assertFalse(data[0]['can_approve'])

    def test_a_plain_user_reviewer_moves_the_chain_one_step(self):
        """A reviewer who may not read the other steps' lines still passes only their own step."""
        self.step_supervisor.write({'approver_kind': 'account_manager'})
        self.screening.partner_id.with_user(self.kam_manager).kam_manager_id = self.kam_user_2
        self.request()
        self.assertEqual(self.screening.approval_reviewer_ids, self.kam_user_2)
        self.approve(self.kam_user_2)
        self.assertRecordValues(self.screening, [{'approval_state': 'pending', 'stage_id': self.stage_manager.id}])
        self.assertEqual(self.screening.approval_review_id.name, 'Manager Approval')
        self.assertEqual(self.approval_activities(self.screening).user_id, self.kam_manager)


class TestApprovalEngineAttacks(KamScreeningCommon):
    """What a user could try through RPC, with arbitrary values and context."""

    def test_context_defaults_do_not_reach_the_engines_records(self):
        screening = self.screening.with_user(self.kam_user).with_context(
            default_state='approved', default_escalated=True, default_decision='approved',
            default_user_id=self.kam_manager.id)
        screening.action_request_approval()
        self.assertEqual(self.screening.approval_review_ids.sorted('sequence').mapped('state'), ['pending', 'waiting'])
        self.assertFalse(any(self.screening.approval_review_ids.mapped('escalated')))
        self.screening.with_user(self.kam_supervisor).with_context(default_decision='rejected').action_approve()
        self.assertEqual(self.screening.approval_review_id.name, 'Manager Approval', "no step skipped")
        self.assertEqual(self.screening.approval_review_ids.decision_ids.decision, 'approved')

    def test_context_defaults_cannot_create_approved_records_or_key_accounts(self):
        with self.assertRaises(AccessError):
            self.env['kam.screening'].with_user(self.kam_user).with_context(
                default_approval_state='approved').create({'partner_id': self.account_2.id})
        with self.assertRaises(AccessError):
            self.env['res.partner'].with_user(self.partner_manager).with_context(
                default_kam_is_key_account=True).create({'name': 'Self-made key account', 'is_company': True})
        with self.assertRaisesText(UserError, 'use Approve or Reject'):
            self.env['mail.activity'].with_user(self.kam_user).with_context(
                default_activity_type_id=self.approval_type.id).create({
                    'res_model_id': self.env['ir.model']._get_id('kam.screening'), 'res_id': self.screening.id,
                    'user_id': self.kam_user.id})

    def test_nobody_makes_themselves_someone_elses_substitute(self):
        with self.assertRaises(AccessError):
            self.env['kam.approval.delegation'].with_user(self.kam_user).create({
                'user_id': self.kam_manager.id, 'substitute_id': self.kam_user.id,
                'date_from': '2020-01-01', 'date_to': '2099-12-31'})
        own = self.env['kam.approval.delegation'].with_user(self.kam_user_2).create({
            'substitute_id': self.kam_supervisor.id, 'date_from': '2020-01-01', 'date_to': '2099-12-31'})
        self.assertEqual(own.with_user(self.kam_supervisor).read(['user_id'])[0]['user_id'][0], self.kam_user_2.id,
                         "the substitute reads it")
        with self.assertRaises(AccessError):
            own.with_user(self.kam_supervisor).write({'substitute_id': self.kam_user.id})

    def test_lines_cannot_be_moved_into_another_screening(self):
        theirs = self._new_screening(user=self.kam_user_2, name='Their Prospect', proposed_manager_id=self.kam_user_2.id)
        line = self.screening.competitor_line_ids.create({
            'screening_id': self.screening.id, 'competitor_id': self.env['kam.competitor'].create({'name': 'X'}).id})
        with self.assertRaises(AccessError):
            line.with_user(self.kam_user).write({'screening_id': theirs.id})
        self.assertEqual(line.screening_id, self.screening)

    def test_a_stage_of_another_process_is_refused(self):
        cancelled_visit = self.env.ref('kam_key_account.kam_stage_visit_cancelled')
        with self.assertRaisesText(UserError, 'another process'):
            self.screening.with_user(self.kam_user).write({'stage_id': cancelled_visit.id})

    def test_one_open_screening_counts_screenings_the_user_cannot_see(self):
        with self.assertRaisesText(ValidationError, 'already being screened'):
            self.env['kam.screening'].with_user(self.kam_user_2).create({'partner_id': self.screening.partner_id.id})

    def test_a_new_round_by_someone_else_excludes_its_own_requester(self):
        self.step_supervisor.user_ids |= self.kam_director
        self.screening.with_user(self.kam_user).action_request_approval()
        self.screening.with_user(self.kam_supervisor)._approval_reject("Redo")
        self.screening.partner_id.with_user(self.kam_manager).kam_manager_id = self.kam_director
        self.screening.with_user(self.kam_director).action_request_approval()
        self.assertEqual(self.screening.approval_requester_id, self.kam_director)
        self.assertNotIn(self.kam_director, self.screening.approval_review_id.reviewer_ids)
        self.assertEqual(self.screening.approval_review_id.reviewer_ids, self.kam_supervisor)

    def test_changing_what_was_approved_withdraws_the_approval(self):
        self.screening.with_user(self.kam_user).action_request_approval()
        self.screening.with_user(self.kam_user).write({'proposed_manager_id': self.kam_user_2.id})
        self.assertEqual(self.screening.approval_state, 'draft')
        self.assertFalse(self.approval_activities(self.screening))
        self.screening.with_user(self.kam_user).write({'needs': '<p>More detail</p>'})  # not decisive
        self.screening.with_user(self.kam_user).action_request_approval()
        self.screening.with_user(self.kam_user).write({'needs': '<p>Even more</p>'})
        self.assertEqual(self.screening.approval_state, 'pending')

    def test_all_mode_step_completes_when_the_last_reviewer_leaves(self):
        self.step_supervisor.write({'mode': 'all', 'user_ids': [(6, 0, (self.kam_supervisor | self.kam_director).ids)]})
        self.screening.with_user(self.kam_user).action_request_approval()
        self.screening.with_user(self.kam_supervisor).action_approve()
        self.kam_director.action_archive()
        self.assertEqual(self.screening.approval_review_id.name, 'Manager Approval')
        self.assertEqual(self.approval_activities(self.screening).user_id, self.kam_manager)

    def test_escalation_does_not_raise_the_approvals_needed(self):
        self.step_supervisor.write({'mode': 'all'})
        self.screening.with_user(self.kam_user).action_request_approval()
        review = self.screening.approval_review_id
        review.sudo().deadline = fields.Date.today() - timedelta(days=1)
        self.env['kam.approval.review']._escalate_overdue_batch(100)
        self.assertGreater(len(review.reviewer_ids), 1)
        self.screening.with_user(self.kam_manager).action_approve()
        self.assertEqual(self.screening.approval_review_id.name, 'Manager Approval',
                         "one approval, by the supervisor or whoever stands in, passes an 'all' step of one")
