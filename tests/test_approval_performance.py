"""Query budgets of the approval engine (as a KAM user), counted cold as bench/ counts OCA
tier validation's: every cache emptied first (`invalidate_all`), the tracking messages and
their mails flushed within the count.

One record (notifying one reviewer): request 53, intermediate approval 39, rejection 44
queries (the screening's completeness checks, the lock, the decision, the reminders and the
chatter entry with its mail to the followers included; 44 and 47 before the checks stopped
reading again, under the lock, what the lock guarantees unchanged; 62, 81, 59 before issue
8's last round). Of the 39, 19 are mail's: the chatter entry, its tracking values and its
mail to the followers, and the next reviewer subscribed; one of them, the sending, is the
test mode's (Odoo sends after the commit, in its own cursor). The partners the decision
concerns are read at once, the company's with them (its mail's layout reads it); a
rejection deletes the reminders, which empties the cache, and mail reads them again.

Each further record of a batch costs 11 more (14 before, 15 to 17 before issue 8's last
round), all of them the record's own chatter entry, which mail.thread posts one record at a
time (subtype, parent, message, tracking values, recipients, references, mail.mail,
notification); the reply-to, alias domain and company of the batch's messages are computed
once (`kam.process.mixin._kam_tracking_post_values`), and the batch's mails are queued for
mail's queue, woken once, rather than sent in the request. Each further notified reviewer
costs 7 (one `activity_schedule` per reviewer, which subscribes them).

Each test also checks the work was done: the reviewers are reminded (and only them), each
record has its one chatter entry, a batch's mails are queued, so a budget cannot be met by
dropping work.
"""
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests.common import warmup

from .common import KamScreeningCommon
from odoo.addons.kam_key_account.models.kam_approval_mixin import APPROVAL_EVENTS

REQUEST, APPROVE, REJECT, PER_RECORD, PER_REVIEWER = 53, 39, 44, 11, 7
WAKE_MAIL_QUEUE = 2  # once a batch: its notification mails are queued, mail's queue woken (ir.cron._trigger)


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
        with self.assertQueryCount(REQUEST + WAKE_MAIL_QUEUE + 19 * PER_RECORD):
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
        with self.assertQueryCount(APPROVE + WAKE_MAIL_QUEUE + 19 * PER_RECORD):
            screenings.action_approve()
            self.flush_tracking()
        self._assert_one_entry_each(screenings, before)
        self.assertEqual(self._mails(screenings).mapped('state'), ['outgoing'] * 20,
                         "the batch's mails are queued for mail's queue, not sent in the request")
        self.assertTrue(self.env['ir.cron.trigger'].search_count([
            ('cron_id', '=', self.env.ref('mail.ir_cron_mail_scheduler_action').id)]))
        self.assertEqual(set(screenings.mapped('approval_review_id.name')), {'Manager Approval'})
        self.assertEqual(len(self.approval_activities(screenings).filtered(lambda a: a.user_id == self.kam_manager)), 20)
        self.assertEqual(self.approval_activities(screenings).user_id, self.kam_manager, "and no one else any more")

    def _mails(self, records):
        return self.env['mail.mail'].search([
            ('model', '=', records._name), ('res_id', 'in', records.ids),
            ('mail_message_id.subtype_id', '=', records._approval_subtype('step_approved').id)])

    POSTED_AS = ['reply_to', 'record_alias_domain_id', 'record_company_id', 'author_id', 'email_from']

    def _company_alias_domain(self, name):
        """The company receives mail: its replies go to the catchall of `name`."""
        self.company.alias_domain_id = self.env['mail.alias.domain'].create({'name': name})

    def _assert_posted_as(self, messages, alone):
        """`messages` carry what mail computed for the message `alone`, posted on its own."""
        expected = alone.read(self.POSTED_AS)[0]
        for values in messages.read(self.POSTED_AS):
            self.assertEqual({name: values[name] for name in self.POSTED_AS},
                             {name: expected[name] for name in self.POSTED_AS})

    def test_batch_messages_are_posted_as_one_alone(self):
        """A batch's chatter entries carry what mail computes for a record alone (reply-to,
        alias domain, company, author), though computed once for the batch; one record's
        mail leaves at once, a batch's is queued."""
        self._company_alias_domain('kam-batch.example.com')
        alone, batch = self._requested(1), self._requested(3)
        with patch.object(type(self.env['mail.mail']), 'send_after_commit', autospec=True) as send:
            alone.with_user(self.kam_supervisor).action_approve()
            self.flush_tracking()
            batch.with_user(self.kam_supervisor).action_approve()
            self.flush_tracking()
        self.assertEqual([call.args[0] for call in send.call_args_list], [self._mails(alone)],
                         "one record's mail leaves at once, the batch's are queued")
        messages = self._mails(alone | batch).mail_message_id
        self.assertEqual(len(messages), 4)
        posted_alone = messages.filtered(lambda m: m.res_id == alone.id)
        self.assertIn('catchall@kam-batch.example.com', posted_alone.reply_to)
        self._assert_posted_as(messages - posted_alone, posted_alone)

    def test_batch_messages_keep_an_author_set_on_the_tracking(self):
        """A tracking author set on the batch (`_track_set_author`, as the mail gateway does)
        writes its messages, with the reply-to mail computes for that author."""
        self._company_alias_domain('kam-author.example.com')
        author = self.env['res.partner'].create({'name': 'Forwarding Assistant', 'email': 'assistant@example.com'})
        batch = self._requested(2)
        batch._track_set_author(author)
        batch.with_user(self.kam_supervisor).action_approve()
        self.flush_tracking()
        messages = self._mails(batch).mail_message_id
        self.assertEqual(len(messages), 2)
        expected = batch[0]._notify_get_reply_to(default=author.email_formatted, author_id=author.id)[batch[0].id]
        self.assertEqual(set(messages.mapped('author_id')), {author})
        self.assertEqual(set(messages.mapped('reply_to')), {expected})

    def test_batch_escalation_notes_are_posted_as_one_alone(self):
        """The escalation cron's notes of a batch: what mail computes for one note alone,
        OdooBot as their author; the batch's mails queued, one note's sent at once."""
        self._company_alias_domain('kam-escalation.example.com')
        alone, batch = self._requested(1), self._requested(3)
        escalated = self.env['kam.screening']._approval_subtype('escalated')

        def escalate(screenings):
            screenings.approval_review_id.sudo().deadline = fields.Date.today() - timedelta(days=3)
            screenings._approval_escalate(screenings.approval_review_id, "Overdue.")
            self.flush_tracking()
            return self.env['mail.message'].search([
                ('model', '=', 'kam.screening'), ('res_id', 'in', screenings.ids), ('subtype_id', '=', escalated.id)])
        with patch.object(type(self.env['mail.mail']), 'send_after_commit', autospec=True) as send:
            note = escalate(alone)
            notes = escalate(batch)
        self.assertEqual(len(notes), 3)
        self.assertEqual([call.args[0].mail_message_id for call in send.call_args_list], [note],
                         "one note's mail leaves at once, the batch's are queued")
        self.assertEqual(self.env['mail.mail'].search([('mail_message_id', 'in', notes.ids)]).mapped('state'),
                         ['outgoing'] * 3)
        self.assertEqual(note.author_id, self.env.ref('base.partner_root'))
        self.assertIn('catchall@kam-escalation.example.com', note.reply_to)
        self._assert_posted_as(notes, note)
        self.assertTrue(all((alone | batch).approval_review_id.mapped('escalated')))

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
        with self.assertQueryCount(REJECT + WAKE_MAIL_QUEUE + 19 * PER_RECORD):
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
