"""Query budgets of the approval engine (as a KAM user), counted cold as bench/ counts OCA
tier validation's: every cache emptied first (`invalidate_all`), the tracking messages and
their mails flushed within the count.

One record (notifying one reviewer): request 53, intermediate approval 44, rejection 47
queries (the screening's completeness checks, the lock, the decision, the reminders and the
chatter entry with its mail to the followers included; main before issue 8's last round:
62, 81, 59). Each further record of a batch costs 14 more (main: 15 to 17), all of them the
record's own chatter entry, which mail.thread posts and mails to the followers one record at
a time (message, tracking values, recipients, references, mail.mail, notification; in the
tests also the sending and the alias domain search of a company without one). Each further
notified reviewer costs 7 (one `activity_schedule` per reviewer, which subscribes them).
Each test also checks the work was done: the reviewers are reminded (and only them) and each
record has its one chatter entry, so a budget cannot be met by dropping work.
"""
from odoo.tests.common import warmup

from .common import KamScreeningCommon
from odoo.addons.kam_key_account.models.kam_approval_mixin import APPROVAL_EVENTS

REQUEST, APPROVE, REJECT, PER_RECORD, PER_REVIEWER = 53, 44, 47, 14, 7


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

    def _chatter_count(self, records):
        return dict(self.env['mail.message']._read_group(
            [('model', '=', records._name), ('res_id', 'in', records.ids)], ['res_id'], ['__count']))

    def _assert_one_entry_each(self, records, before):
        after = self._chatter_count(records)
        self.assertEqual({r.id: after.get(r.id, 0) - before.get(r.id, 0) for r in records},
                         dict.fromkeys(records.ids, 1), "one chatter entry per record")

    @warmup
    def test_request_one(self):
        screenings = self._screenings(1).with_user(self.kam_user)
        before = self._chatter_count(screenings)
        self.env.invalidate_all()  # cold, as bench/ counts: nothing read before
        with self.assertQueryCount(REQUEST):
            screenings.action_request_approval()
            self.flush_tracking()
        self._assert_one_entry_each(screenings, before)
        self.assertEqual(self.approval_activities(screenings).user_id, self.kam_supervisor)

    @warmup
    def test_request_batch_of_20(self):
        screenings = self._screenings(20).with_user(self.kam_user)
        before = self._chatter_count(screenings)
        self.env.invalidate_all()  # cold, as bench/ counts: nothing read before
        with self.assertQueryCount(REQUEST + 19 * PER_RECORD):
            screenings.action_request_approval()
            self.flush_tracking()
        self._assert_one_entry_each(screenings, before)
        self.assertEqual(len(self.approval_activities(screenings)), 20)

    @warmup
    def test_approve_one(self):
        screenings = self._requested(1).with_user(self.kam_supervisor)
        before = self._chatter_count(screenings)
        self.env.invalidate_all()  # cold, as bench/ counts: nothing read before
        with self.assertQueryCount(APPROVE):
            screenings.action_approve()
            self.flush_tracking()
        self._assert_one_entry_each(screenings, before)
        self.assertEqual(self.approval_activities(screenings).user_id, self.kam_manager, "the next reviewer is reminded")
        self.assertEqual(len(self.approval_activities(screenings)), 1, "and only them")

    @warmup
    def test_approve_batch_of_20(self):
        screenings = self._requested(20).with_user(self.kam_supervisor)
        before = self._chatter_count(screenings)
        self.env.invalidate_all()  # cold, as bench/ counts: nothing read before
        with self.assertQueryCount(APPROVE + 19 * PER_RECORD):
            screenings.action_approve()
            self.flush_tracking()
        self._assert_one_entry_each(screenings, before)
        self.assertEqual(set(screenings.mapped('approval_review_id.name')), {'Manager Approval'})
        self.assertEqual(len(self.approval_activities(screenings).filtered(lambda a: a.user_id == self.kam_manager)), 20)
        self.assertEqual(self.approval_activities(screenings).user_id, self.kam_manager, "and no one else any more")

    @warmup
    def test_approve_notifying_three_reviewers(self):
        self.step_manager.user_ids |= self.kam_director | self.kam_gm
        screenings = self._requested(1).with_user(self.kam_supervisor)
        self.env.invalidate_all()  # cold, as bench/ counts: nothing read before
        with self.assertQueryCount(APPROVE + 2 * PER_REVIEWER):
            screenings.action_approve()
            self.flush_tracking()
        self.assertEqual(len(self.approval_activities(screenings)), 3)

    @warmup
    def test_reject_one(self):
        screenings = self._requested(1).with_user(self.kam_supervisor)
        before = self._chatter_count(screenings)
        self.env.invalidate_all()  # cold, as bench/ counts: nothing read before
        with self.assertQueryCount(REJECT):
            screenings._approval_reject("Not a key account")
            self.flush_tracking()
        self._assert_one_entry_each(screenings, before)
        self.assertFalse(self.approval_activities(screenings))

    @warmup
    def test_reject_batch_of_20(self):
        screenings = self._requested(20).with_user(self.kam_supervisor)
        before = self._chatter_count(screenings)
        self.env.invalidate_all()  # cold, as bench/ counts: nothing read before
        with self.assertQueryCount(REJECT + 19 * PER_RECORD):
            screenings._approval_reject("Not a key account")
            self.flush_tracking()
        self._assert_one_entry_each(screenings, before)
        self.assertFalse(self.approval_activities(screenings))
        self.assertEqual(set(screenings.mapped('approval_state')), {'rejected'})

    @warmup
    def test_approval_subtypes_cost_no_query(self):
        """The engine asks for a subtype per record and transition: the declaration is
        resolved through ir.model.data's cache, without an exists() query each time."""
        screening = self.screening.with_user(self.kam_user)
        with self.assertQueryCount(0):
            subtypes = [screening._approval_subtype(kind) for kind in APPROVAL_EVENTS]
        self.assertEqual(subtypes, [self.env.ref(screening._kam_approval_subtypes[kind]) for kind in APPROVAL_EVENTS])
