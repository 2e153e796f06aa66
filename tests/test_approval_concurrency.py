"""Two people acting on the same record at the same moment, on committed data in real
transactions, as odoo/addons/base/tests/test_ir_sequence.py does.

A6: two reviewers of an "any" step yield one decision, and the one who lost is told who
decided. The wrong person (a reader who is no reviewer) holds no lock, so the real
reviewers never fail because of them. One open screening per partner holds between two
transactions that each saw none.
"""
import threading
import time
import uuid
from contextlib import contextmanager
from unittest.mock import patch

from odoo import api
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import common
from odoo.tests.common import BaseCase
from odoo.tools import SQL


@contextmanager
def environment(uid=common.ADMIN_USER_ID):
    """A new cursor on the test database, committed and closed after the block."""
    with Registry(common.get_db_name()).cursor() as cr:
        yield api.Environment(cr, uid, {})


@contextmanager
def no_retry_wait():
    """The RPC layer retries a serialization failure after a random pause: no pause here."""
    with patch('odoo.service.model.random.uniform', return_value=0):
        yield


class ConcurrentApprovalCase(BaseCase):
    """A screening waiting for its first step (two supervisors among its reviewers), committed,
    and removed after the test."""

    def setUp(self):
        super().setUp()
        tag = uuid.uuid4().hex[:8]
        self.tag = tag
        with environment() as env:
            def user(role, index=0):
                return env['res.users'].create({
                    'name': f'Concurrent {role} {index} {tag}', 'login': f'kam_conc_{role}{index}_{tag}',
                    'group_ids': [(4, env.ref(f'kam_key_account.group_kam_{role}').id)]})
            requester, first, second = user('user'), user('supervisor', 1), user('supervisor', 2)
            outsider = user('director')  # reads every screening, reviews no supervisor step
            partner = env['res.partner'].create({'name': f'Concurrent Prospect {tag}', 'is_company': True})
            screening = env['kam.screening'].with_user(requester).create({
                'partner_id': partner.id, 'annual_sales': 6_000_000, 'proposed_manager_id': requester.id,
                'needs': '<p>Second supplier</p>', 'technology_score': 3, 'production_score': 3,
                'after_sales_score': 3, 'no_competitor': True})
            screening.risk_line_ids.write({'score': 3})
            screening.with_user(requester).action_request_approval()
            self.screening_id, self.first_id, self.second_id = screening.id, first.id, second.id
            self.requester_id, self.outsider_id = requester.id, outsider.id
            self.user_ids = (requester | first | second | outsider).ids
            self.partner_ids = partner.ids
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with environment() as env:
            screenings = env['kam.screening'].search([('partner_id', 'in', self.partner_ids)])
            screenings._do_reset_approval()
            # The history is not deletable through the ORM: this test's own is, in SQL.
            env.cr.execute(SQL(
                "DELETE FROM kam_approval_review WHERE res_model = 'kam.screening' AND res_id IN %s",
                tuple(screenings.ids)))
            env.invalidate_all()
            screenings.unlink()
            env['res.users'].browse(self.user_ids).action_archive()
            env['res.partner'].browse(self.partner_ids).unlink()

    def _wait_until_blocked(self, cr, pid, timeout=1.5):
        """Until the backend `pid` waits for a lock (pg_locks is live, not a snapshot)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            cr.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", [pid])
            if cr.fetchone()[0]:
                return True
            time.sleep(0.02)
        return False


class TestConcurrentApproval(ConcurrentApprovalCase):

    def _second_approves_while_the_first_holds_the_lock(self, cr1, env2, pid2, outcome):
        """The second reviewer presses Approve in a thread while cr1 (the first, who already
        approved) holds the lock; cr1 commits once the second waits. Any error the second
        gets lands in outcome['error']."""
        def second_presses_approve():
            try:  # as the RPC layer runs it: a serialization failure is retried
                retrying(lambda: env2['kam.screening'].browse(self.screening_id).action_approve(), env2)
            except Exception as error:  # noqa: BLE001 - inspected by the caller
                outcome['error'] = error
        with no_retry_wait():
            thread = threading.Thread(target=second_presses_approve)
            thread.start()
            try:
                self.assertTrue(self._wait_until_blocked(cr1, pid2), "the second reviewer waits")
            finally:
                cr1.commit()
                thread.join(10)
        self.assertFalse(thread.is_alive())

    def test_a6_two_concurrent_approvals_make_one_decision(self):
        """The loser waits for the winner, and is then told who decided, not asked to retry."""
        registry = Registry(common.get_db_name())
        outcome = {}
        with registry.cursor() as cr1, registry.cursor() as cr2:
            first = api.Environment(cr1, self.first_id, {})['kam.screening'].browse(self.screening_id)
            env2 = api.Environment(cr2, self.second_id, {})
            second = env2['kam.screening'].browse(self.screening_id)
            self.assertTrue(first.can_approve and second.can_approve, "both review the first step")
            cr2.execute("SELECT pg_backend_pid()")
            pid2 = cr2.fetchone()[0]
            first.action_approve()  # holds the row lock until cr1 commits
            self._second_approves_while_the_first_holds_the_lock(cr1, env2, pid2, outcome)
        error = outcome.get('error')
        self.assertIsInstance(error, UserError)
        self.assertRegex(str(error), f'Concurrent supervisor 1 {self.tag} already decided on the step Supervisor Review')
        with environment() as env:
            screening = env['kam.screening'].browse(self.screening_id)
            first_step = screening.approval_review_ids.filtered(lambda r: r.sequence == 10)
            self.assertEqual(first_step.state, 'approved')
            self.assertEqual(len(first_step.decision_ids), 1)
            self.assertEqual(first_step.decision_ids.user_id.id, self.first_id)
            self.assertEqual(screening.approval_review_id.sequence, 20)

    def test_two_approvals_of_an_all_step_at_once_both_count(self):
        """The second approval is counted with the first, not against what its transaction
        saw before the first was committed (the lock is an update, see _approval_lock)."""
        with environment() as env:
            review = env['kam.screening'].browse(self.screening_id).approval_review_id
            review.sudo().write({'mode': 'all', 'required_count': 2})
        registry = Registry(common.get_db_name())
        outcome = {}
        with registry.cursor() as cr1, registry.cursor() as cr2:
            first = api.Environment(cr1, self.first_id, {})['kam.screening'].browse(self.screening_id)
            env2 = api.Environment(cr2, self.second_id, {})
            self.assertTrue(env2['kam.screening'].browse(self.screening_id).can_approve)
            cr2.execute("SELECT pg_backend_pid()")
            pid2 = cr2.fetchone()[0]
            first.action_approve()
            self._second_approves_while_the_first_holds_the_lock(cr1, env2, pid2, outcome)
        self.assertNotIn('error', outcome)
        with environment() as env:
            screening = env['kam.screening'].browse(self.screening_id)
            first_step = screening.approval_review_ids.filtered(lambda r: r.sequence == 10)
            self.assertEqual(set(first_step.decision_ids.user_id.ids), {self.first_id, self.second_id})
            self.assertEqual(first_step.state, 'approved', "two of two: the step passed")
            self.assertEqual(screening.approval_review_id.sequence, 20)

    def test_a_reader_who_is_no_reviewer_holds_no_lock(self):
        registry = Registry(common.get_db_name())
        with registry.cursor() as cr1, registry.cursor() as cr2:
            outsider = api.Environment(cr1, self.outsider_id, {})['kam.screening'].browse(self.screening_id)
            with self.assertRaisesRegex(AccessError, 'Only the reviewers'):
                outsider.action_approve()
            # cr1 is still open: the real reviewer is not kept waiting by it.
            cr2.execute(SQL("SELECT id FROM kam_screening WHERE id = %s FOR UPDATE NOWAIT", self.screening_id))
            self.assertEqual(cr2.fetchall(), [(self.screening_id,)])
            second = api.Environment(cr2, self.second_id, {})['kam.screening'].browse(self.screening_id)
            second.action_approve()
            cr2.commit()
            cr1.rollback()
        with environment() as env:
            self.assertEqual(env['kam.screening'].browse(self.screening_id).approval_review_id.sequence, 20)

    def test_a_reviewer_kept_waiting_too_long_is_told_so(self):
        """The wait is short (APPROVAL_LOCK_WAIT): past it, a clear message, not a hang."""
        registry = Registry(common.get_db_name())
        with registry.cursor() as cr1, registry.cursor() as cr2:
            api.Environment(cr1, self.first_id, {})['kam.screening'].browse(self.screening_id).action_approve()
            second = api.Environment(cr2, self.second_id, {})['kam.screening'].browse(self.screening_id)
            started = time.monotonic()
            with self.assertRaisesRegex(UserError, 'Someone else is deciding'):
                second.action_approve()
            self.assertLess(time.monotonic() - started, 10)
            cr2.rollback()
            cr1.rollback()

    def test_lock_timeout_does_not_outlive_the_lock(self):
        with environment(self.second_id) as env:
            env.cr.execute("SHOW lock_timeout")
            before = env.cr.fetchone()[0]
            env['kam.screening'].browse(self.screening_id).action_approve()
            env.cr.execute("SHOW lock_timeout")
            self.assertEqual(env.cr.fetchone()[0], before)
            env.cr.rollback()

    def test_one_open_screening_per_partner_between_two_transactions(self):
        with environment() as env:
            partner = env['res.partner'].create({'name': f'Twice Screened {self.tag}', 'is_company': True})
            self.partner_ids.append(partner.id)
        registry = Registry(common.get_db_name())
        vals = {'partner_id': partner.id, 'annual_sales': 1_000_000}
        with registry.cursor() as cr1, registry.cursor() as cr2:
            env1 = api.Environment(cr1, self.requester_id, {})
            env2 = api.Environment(cr2, self.requester_id, {})
            cr2.execute("SELECT 1")  # the second transaction's snapshot: no screening yet
            env1['kam.screening'].create(vals)
            env1.flush_all()
            cr1.commit()
            with no_retry_wait(), self.assertRaises(ValidationError) as caught:
                retrying(lambda: env2['kam.screening'].create(vals), env2)
            self.assertRegex(str(caught.exception), 'already being screened')
        with environment() as env:
            self.assertEqual(env['kam.screening'].search_count([('partner_id', '=', partner.id)]), 1)
