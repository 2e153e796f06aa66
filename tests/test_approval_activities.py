"""The engine's activities: one idiom (`activity_schedule`, grouped per user), never
silenced by a caller's `mail_activity_automation_skip`."""
from datetime import timedelta
from unittest.mock import patch

from odoo import fields

from .common import KamScreeningCommon
from .test_visit import KamVisitCommon

SKIP = {'mail_activity_automation_skip': True}


class TestApprovalActivities(KamScreeningCommon):

    def _screenings(self, count):
        return self.env['kam.screening'].union(*(self._new_screening(name=f'Grouped {i}') for i in range(count)))

    def _schedule_calls(self, model):
        """Spy on `activity_schedule` of `model`: the list of (res ids, user id) of each call."""
        calls = []
        real = type(self.env[model]).activity_schedule

        def spy(records, *args, **kwargs):
            calls.append((records.ids, kwargs.get('user_id')))
            return real(records, *args, **kwargs)
        return calls, patch.object(type(self.env[model]), 'activity_schedule', spy)

    def _handover_calls(self):
        """Spy on the writes of `mail.activity` giving reminders to another user: the list of
        (res ids, user id) of each write."""
        calls = []
        real = type(self.env['mail.activity']).write

        def spy(activities, vals):
            if 'user_id' in vals:
                calls.append((sorted(activities.mapped('res_id')), vals['user_id']))
            return real(activities, vals)
        return calls, patch.object(type(self.env['mail.activity']), 'write', spy)

    def test_reminders_of_a_batch_are_scheduled_once_per_reviewer(self):
        self.step_manager.user_ids |= self.kam_director
        screenings = self._screenings(5)
        calls, spy = self._schedule_calls('kam.screening')
        handovers, handover_spy = self._handover_calls()
        with spy:
            screenings.with_user(self.kam_user).action_request_approval()
        self.assertEqual(calls, [(screenings.ids, self.kam_supervisor.id)], "one call for the batch's reviewer")
        self.assertEqual(len(self.approval_activities(screenings)), 5, "one reminder per record")
        supervisor_reminders = self.approval_activities(screenings)
        calls.clear()
        with spy, handover_spy:
            screenings.with_user(self.kam_supervisor).action_approve()
        # The supervisor's reminders are handed on to one of the next reviewers (one write
        # for the batch), the other one's are scheduled (one call for the batch).
        self.assertCountEqual(calls + handovers,
                              [(screenings.ids, self.kam_manager.id), (screenings.ids, self.kam_director.id)])
        self.assertEqual(len(handovers), 1, "the closed reminders are handed on, not deleted and made again")
        self.assertEqual(self.approval_activities(screenings).user_id, self.kam_manager | self.kam_director)
        self.assertEqual(len(self.approval_activities(screenings)), 10, "one reminder per record and reviewer")
        self.assertLess(supervisor_reminders, self.approval_activities(screenings))
        self.assertFalse(self.approval_activities(screenings).filtered(lambda a: a.user_id == self.kam_supervisor))

    def test_automation_skip_never_silences_escalation(self):
        """A caller's context reaches the engine through other routes than its actions:
        archiving the only reviewer, with the key set, still reminds whom it escalates to."""
        self.screening.with_user(self.kam_user).action_request_approval()
        self.kam_supervisor.with_context(**SKIP).action_archive()
        review = self.screening.approval_review_id
        self.assertTrue(review.escalated)
        reminded = self.approval_activities(self.screening).user_id
        self.assertTrue(reminded, "whom the step escalated to is reminded")
        self.assertEqual(reminded, review.reviewer_ids.filtered('active'))

    def test_automation_skip_never_silences_the_stalled_report(self):
        self.screening.with_user(self.kam_user).action_request_approval()
        review = self.screening.approval_review_id
        review.sudo().deadline = fields.Date.context_today(review) - timedelta(days=2)
        Review = type(self.env['kam.approval.review'])
        calls, spy = self._schedule_calls('kam.screening')
        with spy, patch.object(Review, '_escalation_users', return_value=self.env['res.users']):
            self.env['kam.approval.review'].with_context(**SKIP)._escalate_overdue_batch(10)
        todo = self.env.ref('mail.mail_activity_data_todo')
        reported = self.env['mail.activity'].search([
            ('res_model', '=', 'kam.screening'), ('res_id', '=', self.screening.id), ('activity_type_id', '=', todo.id)])
        self.assertIn(self.kam_manager, reported.user_id, "the managers are told whatever the context")
        self.assertEqual(len(calls), len(reported), "activity_schedule, one call per manager")


class TestVisitFollowUpActivity(KamVisitCommon):

    def test_follow_up_ignores_automation_skip_and_is_scheduled_per_leader(self):
        premeeting = self.env['calendar.event'].create({
            'name': 'Pre-visit discussion', 'start': fields.Datetime.now() - timedelta(hours=3),
            'stop': fields.Datetime.now() - timedelta(hours=2),
            'partner_ids': [(6, 0, self.kam_supervisor.partner_id.ids)]})
        visit = self._visit(user=self.kam_supervisor, visit_type='development', premeeting_event_id=premeeting.id)
        visit.action_book()
        visit.action_confirm_appointment()
        Partner = type(self.env['res.partner'])
        calls = []
        real = Partner.activity_schedule

        def spy(records, *args, **kwargs):
            calls.append((records.ids, kwargs.get('user_id')))
            return real(records, *args, **kwargs)
        with patch.object(Partner, 'activity_schedule', spy):
            visit.with_context(**SKIP).action_done()
        self.assertEqual(calls, [(self.account.ids, self.kam_supervisor.id)])
        follow_up = self.env['mail.activity'].search([
            ('res_model', '=', 'res.partner'), ('res_id', '=', self.account.id), ('summary', 'ilike', visit.name)])
        self.assertEqual(follow_up.user_id, self.kam_supervisor, "V11 whatever the caller's context")
        self.assertEqual(follow_up.date_deadline, fields.Date.context_today(visit) + timedelta(days=7))
