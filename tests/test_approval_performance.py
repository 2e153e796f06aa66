"""Query budgets of the approval engine (as a KAM user, warm caches).

A step that notifies one next reviewer costs at most 60 queries; each further record in
a batch, or each further notified reviewer, at most 25 more.
"""
from odoo.tests.common import warmup

from .common import KamScreeningCommon

BASE, PER_RECORD = 60, 25


class TestApprovalQueryBudgets(KamScreeningCommon):

    def _screenings(self, count):
        self._batch_index = getattr(self, '_batch_index', 0) + 1
        Screening = self.env['kam.screening']
        for index in range(count):
            Screening |= self._new_screening(name=f'Budget {self._batch_index}-{index}')
        self.env.flush_all()
        return Screening

    def _requested(self, count):
        screenings = self._screenings(count)
        screenings.with_user(self.kam_user).action_request_approval()
        self.flush_tracking()
        return screenings

    @warmup
    def test_request_one(self):
        screenings = self._screenings(1).with_user(self.kam_user)
        with self.assertQueryCount(BASE):
            screenings.action_request_approval()
            self.flush_tracking()

    @warmup
    def test_request_batch_of_20(self):
        screenings = self._screenings(20).with_user(self.kam_user)
        with self.assertQueryCount(BASE + 19 * PER_RECORD):
            screenings.action_request_approval()
            self.flush_tracking()
        self.assertEqual(len(self.approval_activities(screenings)), 20)

    @warmup
    def test_approve_one(self):
        screenings = self._requested(1).with_user(self.kam_supervisor)
        with self.assertQueryCount(BASE):
            screenings.action_approve()
            self.flush_tracking()

    @warmup
    def test_approve_batch_of_20(self):
        screenings = self._requested(20).with_user(self.kam_supervisor)
        with self.assertQueryCount(BASE + 19 * PER_RECORD):
            screenings.action_approve()
            self.flush_tracking()
        self.assertEqual(set(screenings.mapped('approval_review_id.name')), {'Manager Approval'})

    @warmup
    def test_approve_notifying_three_reviewers(self):
        self.step_manager.user_ids |= self.kam_director | self.kam_gm
        screenings = self._requested(1).with_user(self.kam_supervisor)
        with self.assertQueryCount(BASE + 2 * PER_RECORD):
            screenings.action_approve()
            self.flush_tracking()
        self.assertEqual(len(self.approval_activities(screenings)), 3)

    @warmup
    def test_reject_one(self):
        screenings = self._requested(1).with_user(self.kam_supervisor)
        with self.assertQueryCount(BASE):
            screenings._approval_reject("Not a key account")
            self.flush_tracking()

    @warmup
    def test_reject_batch_of_20(self):
        screenings = self._requested(20).with_user(self.kam_supervisor)
        with self.assertQueryCount(BASE + 19 * PER_RECORD):
            screenings._approval_reject("Not a key account")
            self.flush_tracking()
        self.assertEqual(set(screenings.mapped('approval_state')), {'rejected'})
