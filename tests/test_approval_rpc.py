"""Issue 7: what an RPC client could do to the approval engine, and why it no longer works.

Duplicate ids, context keys, other companies' configuration, deleting the history, forged
wizard values, and an escalation cron that scales and reports what it cannot fix.
"""
from datetime import timedelta
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.service.model import call_kw
from odoo.tests import new_test_user
from odoo.tools import mute_logger

from .common import GROUP, KamScreeningCommon


class TestApprovalRpc(KamScreeningCommon):

    def _all_of_two(self):
        self.step_supervisor.write({'mode': 'all', 'user_ids': [(6, 0, (self.kam_supervisor | self.kam_director).ids)]})

    def _request(self, screening=None):
        screening = screening or self.screening
        screening.with_user(self.kam_user).action_request_approval()
        self.flush_tracking()
        return screening

    def _overdue(self, screening):
        screening.approval_review_id.sudo().deadline = fields.Date.today() - timedelta(days=1)

    # ---- 1. duplicate ids --------------------------------------------------------------

    def test_duplicate_ids_count_once_on_approve(self):
        self._all_of_two()
        self._request()
        twice = self.screening.browse([self.screening.id, self.screening.id]).with_user(self.kam_supervisor)
        twice.action_approve()
        review = self.screening.approval_review_id
        self.assertEqual(review.name, 'Supervisor Review', "one person is not all of two")
        self.assertEqual(review.state, 'pending')
        self.assertEqual(len(review.decision_ids), 1)

    def test_duplicate_ids_request_one_round(self):
        twice = self.screening.browse([self.screening.id] * 2).with_user(self.kam_user)
        twice.action_request_approval()
        self.assertEqual(self.screening.approval_round, 1)
        self.assertEqual(len(self.screening.approval_review_ids), 2)
        self.assertEqual(len(self.approval_activities(self.screening)), 1)

    def test_duplicate_ids_reject_and_override_decide_once(self):
        self._request()
        wizard = self.env['kam.approval.wizard'].with_user(self.kam_supervisor).create({
            'res_model': 'kam.screening', 'res_ids': str([self.screening.id] * 2), 'decision': 'rejected',
            'reason': 'Twice'})
        wizard.action_confirm()
        self.assertEqual(len(self.screening.approval_review_ids.decision_ids), 1)
        self._request()
        self.screening.browse([self.screening.id] * 2).with_user(self.kam_gm)._approval_override("Twice")
        current = self.screening.approval_review_ids.filtered(lambda r: r.round == 2)
        self.assertEqual(len(current.decision_ids), 1)
        self.assertEqual(self.screening.approval_review_id.name, 'Manager Approval', "one step, not two")

    def test_database_holds_one_decision_per_review_and_user(self):
        self._request()
        review = self.screening.approval_review_id
        Decision = self.env['kam.approval.decision'].sudo()
        Decision.create({'review_id': review.id, 'user_id': self.kam_supervisor.id, 'decision': 'approved'})
        with mute_logger('odoo.sql_db'), self.assertRaises(IntegrityError):
            Decision.create({'review_id': review.id, 'user_id': self.kam_supervisor.id, 'decision': 'rejected'})
            self.env.flush_all()

    # ---- 3. context keys are client input ----------------------------------------------

    def test_activity_automation_skip_does_not_silence_approval_activities(self):
        skip = {'mail_activity_automation_skip': True}
        call_kw(self.env['kam.screening'].with_user(self.kam_user), 'action_request_approval',
                [self.screening.ids], {'context': skip})
        self.assertEqual(self.approval_activities(self.screening).user_id, self.kam_supervisor)
        call_kw(self.env['kam.screening'].with_user(self.kam_supervisor), 'action_approve',
                [self.screening.ids], {'context': skip})
        self.assertEqual(self.approval_activities(self.screening).user_id, self.kam_manager,
                         "the supervisor's reminder went, the manager's came")

    def test_tracking_keys_do_not_hide_a_transition(self):
        before = self.messages(self.screening)
        call_kw(self.env['kam.screening'].with_user(self.kam_user), 'action_request_approval',
                [self.screening.ids], {'context': {'tracking_disable': True, 'mail_notrack': True}})
        self.flush_tracking()
        new = self.messages(self.screening) - before
        self.assertEqual(new.subtype_id, self.env.ref('kam_key_account.mt_kam_screening_approval_requested'),
                         "the request is in the chatter whatever the client sends")

    def test_active_test_does_not_revive_an_archived_chain(self):
        shortcut = self.env['kam.approval.chain'].create({
            'name': 'Archived shortcut', 'model': 'kam.screening', 'sequence': 1, 'company_id': self.company.id,
            'step_ids': [(0, 0, {'name': 'Friend', 'approver_kind': 'users', 'user_ids': [(6, 0, self.kam_user_2.ids)]})]})
        shortcut.action_archive()
        call_kw(self.env['kam.screening'].with_user(self.kam_user), 'action_request_approval',
                [self.screening.ids], {'context': {'active_test': False}})
        self.assertEqual(self.screening.approval_review_ids.sorted('sequence').mapped('name'),
                         ['Supervisor Review', 'Manager Approval'])

    # ---- 4. company rules on the configuration and the history -------------------------

    def test_a_user_of_another_company_sees_none_of_ours(self):
        only_2 = {'company_id': self.company_2.id, 'company_ids': [self.company_2.id]}
        supervisor_2 = new_test_user(self.env, login='kam_t_c2_sup', groups=GROUP % 'supervisor', **only_2)
        manager_2 = new_test_user(self.env, login='kam_t_c2_man', groups=GROUP % 'manager', **only_2)
        chain = self.env['kam.approval.chain'].create({
            'name': 'Company One Only', 'model': 'kam.visit', 'sequence': 50, 'company_id': self.company.id,
            'step_ids': [(0, 0, {'name': 'Company One Step', 'approver_kind': 'users',
                                 'user_ids': [(6, 0, self.kam_manager.ids)]})]})
        self._request()
        self.screening.with_user(self.kam_supervisor).action_approve()
        delegation = self.env['kam.approval.delegation'].with_user(self.kam_manager).create({
            'user_id': self.kam_manager.id, 'substitute_id': self.kam_director.id,
            'date_from': fields.Date.today(), 'date_to': fields.Date.today() + timedelta(days=3)})
        self.assertTrue(self.env['kam.approval.decision'].with_user(self.kam_manager).search(
            [('res_id', '=', self.screening.id), ('res_model', '=', 'kam.screening')]), "company one sees them")
        self.assertIn(chain, self.env['kam.approval.chain'].with_user(self.kam_manager).search([]))
        for user in (supervisor_2, manager_2):
            with self.subTest(user=user.login):
                self.assertNotIn(chain, self.env['kam.approval.chain'].with_user(user).search([]))
                self.assertFalse(self.env['kam.approval.step'].with_user(user).search([('chain_id', '=', chain.id)]))
                self.assertFalse(self.env['kam.approval.decision'].with_user(user).search(
                    [('res_id', '=', self.screening.id), ('res_model', '=', 'kam.screening')]))
                self.assertNotIn(delegation, self.env['kam.approval.delegation'].with_user(user).search([]))
                with self.assertRaises(AccessError):
                    chain.with_user(user).read(['name'])
        self.assertIn(self.env.ref('kam_key_account.kam_approval_chain_screening'),
                      self.env['kam.approval.chain'].with_user(supervisor_2).search([]), "shared chains stay shared")

    # ---- 5. the approval history is never deleted --------------------------------------

    def test_a_record_with_decisions_cannot_be_deleted(self):
        self._request()
        self.screening.with_user(self.kam_supervisor)._approval_reject("Not now")
        with self.assertRaisesText(UserError, 'archive or cancel'):
            self.screening.with_user(self.kam_manager).unlink()
        with self.assertRaisesText(UserError, 'archive or cancel'):
            self.screening.sudo().unlink()
        self.assertTrue(self.screening.exists())

    def test_decisions_and_review_lines_are_kept_even_from_sudo(self):
        self._request()
        self.screening.with_user(self.kam_supervisor).action_approve()
        review = self.screening.approval_review_ids.filtered(lambda r: r.state == 'approved')
        with self.assertRaisesText(UserError, 'history'):
            review.decision_ids.sudo().unlink()
        with self.assertRaisesText(UserError, 'history'):
            self.screening.approval_review_ids.sudo().unlink()
        with self.assertRaises(AccessError):
            review.decision_ids.with_user(self.kam_manager).unlink()
        self.assertEqual(len(self.screening.approval_review_ids), 2)
        self.assertEqual(len(review.decision_ids), 1)

    def test_a_record_without_decisions_deletes_with_its_review_lines(self):
        self._request()
        self.screening.with_user(self.kam_user).write({'stage_id': self.stage_draft.id})  # withdrawn
        reviews = self.screening.approval_review_ids
        self.assertEqual(len(reviews), 2)
        self.screening.with_user(self.kam_user).unlink()
        self.assertFalse(reviews.exists())

    # ---- 7. the wizard checks what the client sends ------------------------------------

    def _wizard(self, user=None, **values):
        return self.env['kam.approval.wizard'].with_user(user or self.kam_supervisor).create(dict({
            'res_model': 'kam.screening', 'res_ids': str(self.screening.ids), 'decision': 'rejected',
            'reason': 'Forged'}, **values))

    def test_the_wizard_refuses_forged_values(self):
        self._request()
        for values in ({'res_model': 'res.partner'}, {'res_model': 'kam.approval.mixin'},
                       {'res_model': 'no.such.model'}, {'res_model': 'kam.process.mixin'}):
            with self.subTest(values=values), self.assertRaisesText(UserError, 'not a document with an approval'):
                self._wizard(**values).action_confirm()
        for res_ids in ("[1, 'x']", "__import__('os')", "[]", "[True]", "7", "[[1]]", "[-1]"):
            with self.subTest(res_ids=res_ids), self.assertRaisesText(UserError, 'list of record ids'):
                self._wizard(res_ids=res_ids).action_confirm()
        with self.assertRaisesText(UserError, 'no longer exist'):
            self._wizard(res_ids=str([self.screening.id + 100000])).action_confirm()
        theirs = self._new_screening(user=self.kam_user_2, name='Their Prospect', proposed_manager_id=self.kam_user_2.id)
        with self.assertRaises(AccessError):
            self._wizard(user=self.kam_user, res_ids=str(theirs.ids)).action_confirm()
        with self.assertRaises(AccessError):
            self._wizard(decision='override').action_confirm()
        with self.assertRaises(ValueError):  # not a choice of the wizard: approving needs no wizard
            self._wizard(decision='approved').action_confirm()
        self.assertEqual(self.screening.approval_state, 'pending')
        self.assertFalse(self.screening.approval_review_ids.decision_ids)

    # ---- 8. the escalation cron ----------------------------------------------------------

    def test_escalation_works_in_batches(self):
        screenings = self.screening | self._new_screening(name='Second Overdue') | self._new_screening(name='Third Overdue')
        for screening in screenings:
            self._request(screening)
            self._overdue(screening)
        Review = self.env['kam.approval.review']
        self.assertEqual(Review._escalate_overdue_batch(2), (2, 1))
        self.assertEqual(Review._escalate_overdue_batch(2), (1, 0))
        self.assertEqual(Review._escalate_overdue_batch(2), (0, 0))
        self.assertTrue(all(screenings.approval_review_id.mapped('escalated')))

    def test_the_cron_commits_its_progress_per_batch(self):
        for screening in self.screening | self._new_screening(name='Second Overdue'):
            self._request(screening)
            self._overdue(screening)
        Cron = type(self.env['ir.cron'])
        with patch.object(Cron, '_commit_progress', autospec=True, return_value=60.0) as progress:
            self.env['kam.approval.review']._cron_escalate_overdue(batch_size=1)
        self.assertEqual([call.args[1:] + (call.kwargs.get('remaining'),) for call in progress.call_args_list],
                         [(1, 1), (1, 0)])

    def test_the_batch_rechecks_the_state_under_the_lock(self):
        self._request()
        self._overdue(self.screening)
        review = self.screening.approval_review_id
        Review = type(review)
        real_lock = Review.try_lock_for_update

        def lock_after_someone_decided(records, **kwargs):
            locked = real_lock(records, **kwargs)
            # What another worker committed between our search and our lock.
            self.env.cr.execute("UPDATE kam_approval_review SET state = 'approved' WHERE id = %s", [review.id])
            return locked
        with patch.object(Review, 'try_lock_for_update', lock_after_someone_decided):
            self.env['kam.approval.review']._escalate_overdue_batch(10)
        self.assertFalse(review.escalated)

    def test_a_step_nobody_can_take_is_reported_to_the_managers(self):
        self._request()
        self._overdue(self.screening)
        review = self.screening.approval_review_id
        Screening = type(self.env['kam.screening'])
        with patch.object(Screening, '_approval_escalation_users', return_value=self.env['res.users']):
            self.env['kam.approval.review']._escalate_overdue_batch(10)
        self.flush_tracking()
        todo = self.env.ref('mail.mail_activity_data_todo')
        reported = self.env['mail.activity'].search([
            ('res_model', '=', 'kam.screening'), ('res_id', '=', self.screening.id),
            ('activity_type_id', '=', todo.id)])
        managers = self.env.ref('kam_key_account.group_kam_manager').all_user_ids.filtered(
            lambda u: not u.share and self.company in u.company_ids)
        self.assertIn(self.kam_manager, reported.user_id)
        self.assertEqual(reported.user_id, managers, "one To-Do per Key Accounts manager")
        self.assertEqual(len(reported), len(managers))
        self.assertFalse(review.escalated, "not marked escalated as if someone had it")
        self.assertTrue(review.stalled)
        self.assertTrue(any('Nobody is eligible to decide the step Supervisor Review' in str(message.body)
                            for message in self.messages(self.screening)), "said in the chatter")
        with patch.object(Screening, '_approval_escalation_users', return_value=self.env['res.users']):
            self.assertEqual(self.env['kam.approval.review']._escalate_overdue_batch(10), (0, 0), "reported once")

    def test_a_step_nobody_can_take_at_request_is_reported_too(self):
        self.step_supervisor.user_ids = self.kam_user  # the requester: never their own reviewer
        Screening = type(self.env['kam.screening'])
        with patch.object(Screening, '_approval_escalation_users', return_value=self.env['res.users']):
            self._request()
        review = self.screening.approval_review_id
        self.assertEqual(review.name, 'Supervisor Review', "never passes by itself")
        self.assertRecordValues(review, [{'escalated': False, 'stalled': True}])
        todo = self.env.ref('mail.mail_activity_data_todo')
        self.assertIn(self.kam_manager, self.env['mail.activity'].search([
            ('res_model', '=', 'kam.screening'), ('res_id', '=', self.screening.id),
            ('activity_type_id', '=', todo.id)]).user_id)
        self._overdue(self.screening)
        self.assertEqual(self.env['kam.approval.review']._escalate_overdue_batch(10), (0, 0), "reported once")
