"""Key-account suggestions (G1-G5, G10-G11, issue 11): recording and acknowledgement,
the report and its review, the reply deadline, the feedback form and the thanks."""
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form

from .common import KamSuggestionCommon, ProcessContract
from odoo.addons.kam_key_account.models.kam_suggestion import (
    ACKNOWLEDGEMENT_DAILY_LIMIT,
)


class TestSuggestionContract(ProcessContract, KamSuggestionCommon):

    def _contract_new_record(self, **values):
        return self._suggestion(**dict(self._report_values(), **values))


class TestSuggestionRecord(KamSuggestionCommon):
    """G1-G3: recording, the account, the deadline, bad input."""

    def test_record_sets_account_deadline_and_reference(self):
        suggestion = self._suggestion(partner_id=False)
        self.assertEqual(suggestion.partner_id, self.account, "the contact's commercial partner is the account")
        self.assertTrue(suggestion.name.startswith('SUG/'))
        self.assertEqual(suggestion.stage_id.code, 'new')
        self.assertEqual(suggestion.received_by_id, self.kam_user)
        today = fields.Date.context_today(suggestion.with_user(self.kam_user))
        self.assertEqual(suggestion.received_date, today)
        self.assertEqual(suggestion.deadline_date, today + timedelta(days=self.company.kam_suggestion_reply_days))
        self.company.kam_suggestion_reply_days = 5
        later = self._suggestion(received_date=today - timedelta(days=1))
        self.assertEqual(later.deadline_date, today + timedelta(days=4), "the company's delay, from the receipt")
        contact_line = self.env['kam.suggestion'].with_user(self.kam_user).create(
            {'contact_id': self.contact.id, 'content': 'Only the contact given.'})
        self.assertEqual(contact_line.partner_id, self.account)

    def test_empty_content_is_refused(self):
        for content in ('', '   \n '):
            with self.subTest(content=content), self.assertRaisesText(ValidationError, 'needs its content'):
                self._suggestion(content=content)
        suggestion = self._suggestion()
        with self.assertRaisesText(ValidationError, 'needs its content'):
            suggestion.with_user(self.kam_user).write({'content': ' '})
        self.assertTrue(suggestion.content.strip(), "nothing lost")

    def test_deadline_before_received_is_refused(self):
        today = fields.Date.context_today(self.env['kam.suggestion'].with_user(self.kam_user))
        with self.assertRaisesText(ValidationError, 'cannot be before the date it was received'):
            self._suggestion(received_date=today, deadline_date=today - timedelta(days=1))
        suggestion = self._suggestion()
        with self.assertRaisesText(ValidationError, 'cannot be before the date it was received'):
            suggestion.with_user(self.kam_user).write({'received_date': suggestion.deadline_date + timedelta(days=1),
                                                       'deadline_date': suggestion.deadline_date})

    def test_contact_of_another_account_is_refused(self):
        with self.assertRaisesText(ValidationError, 'is not a contact of'):
            self._suggestion(contact_id=self.contact_2.id, partner_id=self.account.id)

    def test_a_suggestion_without_account_is_kept(self):
        """An unknown sender's suggestion (the mail intake's triage) is recorded; its review
        waits for the account."""
        suggestion = self.env['kam.suggestion'].with_user(self.kam_supervisor).create({
            'email_from': 'stranger@unknown.example.com', 'channel': 'email', 'content': 'Cheaper spare parts.',
            **self._report_values()})
        self.assertFalse(suggestion.partner_id)
        with self.assertRaisesText(UserError, 'Link .* to its key account'):
            suggestion.with_user(self.kam_supervisor).action_request_approval()

    def test_partner_counter_counts_the_account_suggestions(self):
        self._suggestion()
        self._suggestion(contact_id=False)
        self.assertEqual(self.account.with_user(self.kam_user).kam_suggestion_count, 2)
        self.assertEqual(self.contact.with_user(self.kam_user).kam_suggestion_count, 2)

    def test_categories_are_configurable_per_company(self):
        Category = self.env['kam.suggestion.category']
        self.assertTrue(Category.search([]), "default categories")
        own = Category.create({'name': 'Second Company Only', 'company_id': self.company_2.id})
        self.assertNotIn(own, Category.with_user(self.kam_user).with_company(self.company).search([]))
        with self.assertRaises(AccessError):
            Category.with_user(self.kam_supervisor).create({'name': 'Not a manager'})
        Category.with_user(self.kam_manager).create({'name': 'Packaging'})


class TestSuggestionAcknowledgement(KamSuggestionCommon):
    """G2: the customer is thanked once, in their language, never into a mail loop."""

    def _acknowledgements(self, suggestions):
        return self.env['mail.message'].search([
            ('model', '=', 'kam.suggestion'), ('res_id', 'in', suggestions.ids), ('message_type', '=', 'auto_comment')])

    def test_acknowledged_once_in_the_thread_in_the_customer_language(self):
        self.env['res.lang']._activate_lang('zh_CN')
        self.contact.lang = 'zh_CN'
        template = self.env.ref('kam_key_account.mail_template_kam_suggestion_acknowledgement')
        suggestion = self._suggestion()
        message = self._acknowledgements(suggestion)
        self.assertEqual(len(message), 1, "thanked once, in the suggestion's thread")
        self.assertEqual(message.partner_ids, self.contact)
        self.assertIn(suggestion.name, message.body)
        self.assertEqual(template._render_lang(suggestion.ids)[suggestion.id], 'zh_CN', "the customer's language")
        self.assertTrue(suggestion.acknowledged_date)
        self.assertEqual(suggestion.acknowledged_to, 'zhao.jianguo@customer.example.com')
        mail = self.env['mail.mail'].sudo().search([('mail_message_id', '=', message.id)])
        self.assertIn("'Auto-Submitted': 'auto-replied'", mail.headers, "the customer's auto-responder stays quiet")
        self.assertFalse(suggestion._kam_acknowledge(), "never twice")
        self.assertEqual(len(self._acknowledgements(suggestion)), 1)

    def test_no_acknowledgement_to_machines_or_our_own_domains(self):
        self.env['mail.alias.domain'].create({'name': 'kam-own.example.com'})
        for email in ('MAILER-DAEMON@customer.example.com', 'postmaster@customer.example.com',
                      'noreply@customer.example.com', 'sales@kam-own.example.com'):
            with self.subTest(email=email):
                suggestion = self._suggestion(contact_id=False, email_from=email)
                self.assertFalse(suggestion.acknowledged_date)
                self.assertFalse(self._acknowledgements(suggestion))

    def test_no_acknowledgement_to_automated_mail(self):
        Suggestion = self.env['kam.suggestion']
        for headers in ({'Auto-Submitted': 'auto-replied'}, {'auto-submitted': 'auto-generated'},
                        {'Precedence': 'bulk'}, {'X-Auto-Response-Suppress': 'OOF, AutoReply'},
                        {'Return-Path': '<>'}, {'Content-Type': 'multipart/report; report-type=delivery-status'}):
            with self.subTest(headers=headers):
                suggestion = self._suggestion(contact_id=False, email_from='buyer@customer.example.com').with_context(
                    kam_mail_headers=headers)
                self.assertFalse(Suggestion._kam_can_acknowledge.__func__(suggestion, headers))
        self.assertFalse(Suggestion._kam_is_automated_mail({'Auto-Submitted': 'no', 'Precedence': 'first-class'}))
        # The intake hands the incoming mail's headers over in the context.
        held = self.env['kam.suggestion'].with_user(self.kam_user).with_context(
            kam_mail_headers={'Auto-Submitted': 'auto-replied'}).create({
                'partner_id': self.account.id, 'email_from': 'auto@customer.example.com', 'content': 'Out of office'})
        self.assertFalse(held.acknowledged_date)

    def test_at_most_three_a_day_to_one_sender(self):
        suggestions = self.env['kam.suggestion'].with_user(self.kam_user).create([{
            'partner_id': self.account.id, 'email_from': 'Loop <loop@customer.example.com>',
            'content': f'Suggestion {index}'} for index in range(ACKNOWLEDGEMENT_DAILY_LIMIT + 2)])
        acknowledged = suggestions.filtered('acknowledged_date')
        self.assertEqual(len(acknowledged), ACKNOWLEDGEMENT_DAILY_LIMIT, "counted inside one batch too")
        another = self._suggestion(contact_id=False, email_from='loop@customer.example.com')
        self.assertFalse(another.acknowledged_date, "and across batches")
        with patch('odoo.fields.Datetime.now', return_value=fields.Datetime.now() + timedelta(days=1, hours=1)):
            tomorrow = self._suggestion(contact_id=False, email_from='loop@customer.example.com')
        self.assertTrue(tomorrow.acknowledged_date, "a day later, thanked again")

    def test_acknowledgement_fields_are_the_process_own(self):
        suggestion = self._suggestion()
        for vals in ({'acknowledged_date': False}, {'reply_date': fields.Date.today()}, {'reply_on_time': True},
                     {'thanked_date': fields.Datetime.now()}, {'overdue_notified': True}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                suggestion.with_user(self.kam_manager).write(vals)
        with self.assertRaises(AccessError):
            self.env['kam.suggestion'].with_user(self.kam_user).with_context(
                default_acknowledged_date=fields.Datetime.now()).create(
                {'partner_id': self.account.id, 'content': 'x'})

    def test_batch_of_20_records_query_budget(self):
        """Recording (and thanking) suggestions: the guards cost the same for 1 and for 20
        (one count of the day's acknowledgements, one search of our alias domains); each
        further one pays its own acknowledgement, which mail posts one message at a time (and
        the portal links in it: one write of the batch's access tokens)."""
        contacts = self.env['res.partner'].create([
            {'name': f'Buyer {index}', 'parent_id': self.account.id, 'email': f'buyer{index}@customer.example.com'}
            for index in range(22)])
        Suggestion = self.env['kam.suggestion'].with_user(self.kam_user)
        Suggestion.create([{'contact_id': contacts[0].id, 'content': 'Warm-up'}])
        for budget, batch in ((50, contacts[1:2]), (465, contacts[2:22])):
            self.env.flush_all()
            self.env.invalidate_all()
            with self.subTest(size=len(batch)), self.assertQueryCount(budget):
                suggestions = Suggestion.create([{'contact_id': contact.id, 'content': 'Smaller lots'} for contact in batch])
                self.env.flush_all()
            self.assertEqual(len(suggestions.filtered('acknowledged_date')), len(batch))


class TestSuggestionReview(KamSuggestionCommon):
    """G4-G5: the report, reviewed by the KA department manager through the engine."""

    def test_the_report_is_required_before_its_review(self):
        suggestion = self._suggestion()
        suggestion.with_user(self.kam_user).action_write_report()
        self.assertEqual(suggestion.stage_id.code, 'report')
        with self.assertRaisesText(UserError, 'needs Causes, Feasibility, Proposed Action'):
            suggestion.with_user(self.kam_user).action_request_approval()
        suggestion.with_user(self.kam_user).write(self._report_values())
        suggestion.with_user(self.kam_user).action_request_approval()
        self.assertRecordValues(suggestion, [{'approval_state': 'pending'}])
        self.assertEqual(suggestion.stage_id.code, 'review')
        self.assertEqual(suggestion.approval_reviewer_ids, self.kam_manager)

    def test_request_improvements_returns_to_the_writer_and_rounds_are_kept(self):
        suggestion = self._suggestion(report_user_id=self.kam_user_2.id, **self._report_values())
        suggestion.with_user(self.kam_user).action_request_approval()
        with self.assertRaises(UserError):
            suggestion.with_user(self.kam_user).action_approve()  # four eyes: not the requester
        suggestion.with_user(self.kam_manager)._approval_reject("Say how early, and who tells the customer.")
        self.assertEqual(suggestion.stage_id.code, 'report', "back to its writer")
        self.assertEqual(suggestion.approval_state, 'rejected')
        self.flush_tracking()
        rejection = suggestion.message_ids.filtered(
            lambda m: m.subtype_id == self.env.ref('kam_key_account.mt_kam_suggestion_approval_rejected'))
        self.assertEqual(len(rejection), 1)
        self.assertIn('who tells the customer', str(rejection.body) + str(rejection.tracking_value_ids.mapped('new_value_char')))
        self.assertIn(self.kam_user_2.partner_id, rejection.notification_ids.res_partner_id,
                      "the writer is told what to improve")
        # Resubmitted: a new round; the first one is kept.
        suggestion.with_user(self.kam_user).write({'report_action': 'Announce three months ahead, by the KA manager.'})
        suggestion.with_user(self.kam_user).action_request_approval()
        self.assertEqual(suggestion.approval_round, 2)
        suggestion.with_user(self.kam_manager).action_approve()
        self.assertEqual(suggestion.stage_id.code, 'reviewed')
        reviews = suggestion.sudo().approval_review_ids.sorted('round')
        self.assertEqual(reviews.mapped('round'), [1, 2])
        self.assertEqual(reviews.mapped('state'), ['rejected', 'approved'])
        self.assertEqual(reviews[0].decision_ids.comment, "Say how early, and who tells the customer.")

    def test_reviewed_cannot_be_dragged_or_cancelled(self):
        suggestion = self._reviewed(self._suggestion())
        for code in ('new', 'report', 'execution', 'replied', 'thanked', 'cancelled'):
            stage = suggestion._stage_by_code(code)
            with self.subTest(code=code), self.assertRaises(UserError):
                suggestion.with_user(self.kam_manager).write({'stage_id': stage.id})
        with self.assertRaisesText(UserError, 'by being added to a summary'):
            suggestion.with_user(self.kam_manager).write({'stage_id': suggestion._stage_by_code('summary').id})
        self.assertEqual(suggestion.stage_id.code, 'reviewed')

    def test_cancel_and_reopen_before_the_review(self):
        suggestion = self._suggestion()
        suggestion.with_user(self.kam_user).action_cancel()
        self.assertEqual(suggestion.stage_id.code, 'cancelled')
        suggestion.with_user(self.kam_user).action_reset()
        self.assertEqual(suggestion.stage_id.code, 'new')


class TestSuggestionDeadline(KamSuggestionCommon):
    """The reply deadline: its status against the user's own date, one overdue activity."""

    def test_status_on_time_due_soon_overdue(self):
        suggestion = self._suggestion().with_user(self.kam_user)
        today = fields.Date.context_today(suggestion)
        soon = self.company.kam_suggestion_due_soon_days
        Suggestion = self.env['kam.suggestion'].with_user(self.kam_user)
        for deadline, status in ((today + timedelta(days=soon + 1), 'on_time'), (today + timedelta(days=soon), 'due_soon'),
                                 (today, 'due_soon'), (today - timedelta(days=1), 'overdue')):
            with self.subTest(status=status):
                suggestion.write({'received_date': today - timedelta(days=1), 'deadline_date': deadline})
                self.assertEqual(suggestion.deadline_status, status)
                self.assertIn(suggestion, Suggestion.search([('deadline_status', '=', status)]))
                self.assertNotIn(suggestion, Suggestion.search([('deadline_status', 'not in', [status])]))

    def test_status_follows_the_user_time_zone(self):
        """Near midnight the user's date is not the server's: the user's decides."""
        suggestion = self._suggestion()
        # 23:30 UTC is 07:30 the next day in Shanghai (the user's zone).
        late_evening = fields.Datetime.now().replace(hour=23, minute=30)
        with freeze_time(late_evening):
            shanghai_today = fields.Date.context_today(suggestion.with_user(self.kam_user))
            utc_today = late_evening.date()
            self.assertEqual(shanghai_today, utc_today + timedelta(days=1))
            suggestion.write({'received_date': utc_today - timedelta(days=1), 'deadline_date': utc_today})
            self.assertEqual(suggestion.with_user(self.kam_user).deadline_status, 'overdue')
            self.assertEqual(suggestion.with_context(tz='UTC').deadline_status, 'due_soon')

    def test_overdue_gets_one_activity_for_its_owner(self):
        today = fields.Date.context_today(self.env['kam.suggestion'].with_user(self.kam_user))
        overdue = self._suggestion(received_date=today - timedelta(days=20), deadline_date=today - timedelta(days=1))
        not_yet = self._suggestion(received_date=today - timedelta(days=20), deadline_date=today)
        overdue_type = self.env.ref('kam_key_account.mail_activity_type_kam_suggestion_overdue')
        Suggestion = self.env['kam.suggestion']
        self.assertEqual(Suggestion._cron_notify_overdue() & (overdue | not_yet), overdue)
        activities = (overdue | not_yet).activity_ids.filtered(lambda a: a.activity_type_id == overdue_type)
        self.assertEqual(activities.res_id, overdue.id)
        self.assertEqual(activities.user_id, self.kam_user)
        self.assertFalse(Suggestion._cron_notify_overdue() & overdue, "once")
        activities.action_done()
        self.assertFalse(Suggestion._cron_notify_overdue() & overdue, "done is done: not again the next day")

    def test_overdue_cron_batch_query_budget(self):
        today = fields.Date.context_today(self.env['kam.suggestion'].with_user(self.kam_user))

        def overdue(count):
            return self.env['kam.suggestion'].with_user(self.kam_user).create([{
                'partner_id': self.account.id, 'content': f'Overdue {index}',
                'received_date': today - timedelta(days=30), 'deadline_date': today - timedelta(days=2)}
                for index in range(count)])
        # A first run (those of the demo data, and one of ours) fills the registry's caches
        # (xml ids, the activity type, default subtypes): the count does not depend on
        # which tests ran before.
        overdue(1)
        self.env['kam.suggestion']._cron_notify_overdue()
        overdue(20)
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(18):
            notified = self.env['kam.suggestion']._cron_notify_overdue()
            self.env.flush_all()
        self.assertEqual(len(notified), 20)


class TestSuggestionReply(KamSuggestionCommon):
    """G10-G11: the feedback form after the summary's approval, the thanks."""

    def _send(self, suggestion, action, user=None):
        action = getattr(suggestion.with_user(user or self.kam_user), action)()
        composer = Form(self.env['mail.compose.message'].with_user(user or self.kam_user).with_context(**action['context']))
        return composer.save()._action_send_mail()

    def test_reply_before_approval_is_refused(self):
        suggestion = self._suggestion(reply='We will deliver before 14:00.')
        with self.assertRaisesText(UserError, 'cannot go from|only be reached through approval'):
            suggestion.with_user(self.kam_user).action_send_feedback()
        self._reviewed(suggestion)
        summary = self._answered(self._summary(suggestion))
        summary.with_user(self.kam_supervisor).action_request_approval()
        summary.with_user(self.kam_director).action_approve()
        self.assertEqual(suggestion.stage_id.code, 'summary', "the general manager has not approved yet")
        with self.assertRaisesText(UserError, 'cannot go from|cannot be replied to yet'):
            suggestion.with_user(self.kam_user).action_send_feedback()
        with self.assertRaises(UserError):
            suggestion.with_user(self.kam_manager).write({'stage_id': suggestion._stage_by_code('replied').id})
        with self.assertRaises(UserError):
            suggestion.with_user(self.kam_user).with_context(kam_suggestion_send='feedback').message_post(
                body='Our reply', message_type='comment', subtype_xmlid='mail.mt_comment')
        self.assertFalse(suggestion.reply_date)

    def test_feedback_form_records_the_reply_and_freezes_the_status(self):
        suggestion = self._suggestion(reply='We will deliver before 14:00 from next month.')
        self._approved_summary(suggestion)
        self.assertEqual(suggestion.stage_id.code, 'execution')
        reply_type = self.env.ref('kam_key_account.mail_activity_type_kam_suggestion_reply')
        self.assertEqual(suggestion.activity_ids.filtered(lambda a: a.activity_type_id == reply_type).user_id,
                         self.kam_user, "the owner is reminded to reply")
        suggestion.with_user(self.kam_user).write({'reply': ''})
        with self.assertRaisesText(UserError, 'Write our reply'):
            suggestion.with_user(self.kam_user).action_send_feedback()
        suggestion.with_user(self.kam_user).write({'reply': 'We will deliver before 14:00 from next month.'})
        # A note logged from the feedback's composer context sends nothing: nothing recorded.
        suggestion.with_user(self.kam_user).with_context(kam_suggestion_send='feedback').message_post(
            body='Draft of the reply', message_type='comment', subtype_xmlid='mail.mt_note')
        self.assertEqual(suggestion.stage_id.code, 'execution')
        self._send(suggestion, 'action_send_feedback')
        today = fields.Date.context_today(suggestion.with_user(self.kam_user))
        self.assertRecordValues(suggestion, [{
            'reply_date': today, 'reply_on_time': True, 'reply_on_time_rate': 100.0,
            'deadline_status': 'replied_on_time'}])
        self.assertEqual(suggestion.stage_id.code, 'replied')
        self.assertFalse(suggestion.activity_ids.filtered(lambda a: a.activity_type_id == reply_type))
        message = suggestion.message_ids.filtered(lambda m: m.message_type == 'comment')[:1]
        self.assertEqual(message.partner_ids, self.contact)
        self.assertTrue(message.attachment_ids, "the feedback form is attached")
        self.assertIn('feedback', message.attachment_ids[0].name)
        with self.assertRaisesText(UserError, 'frozen'):
            suggestion.with_user(self.kam_user).write({'deadline_date': today + timedelta(days=30)})
        # G11
        self._send(suggestion, 'action_send_thanks')
        self.assertEqual(suggestion.stage_id.code, 'thanked')
        self.assertTrue(suggestion.thanked_date)

    def test_late_reply_is_recorded_late(self):
        today = fields.Date.context_today(self.env['kam.suggestion'].with_user(self.kam_user))
        suggestion = self._suggestion(reply='Done.', received_date=today - timedelta(days=30),
                                      deadline_date=today - timedelta(days=2))
        self._approved_summary(suggestion)
        self._send(suggestion, 'action_send_feedback')
        self.assertRecordValues(suggestion, [{'reply_on_time': False, 'reply_on_time_rate': 0.0,
                                              'deadline_status': 'replied_late'}])

    def test_feedback_form_prints_nothing_internal(self):
        suggestion = self._suggestion(reply='We will deliver earlier.')
        self._approved_summary(suggestion)
        html = str(self.env['ir.actions.report']._render_qweb_html(
            'kam_key_account.action_report_kam_suggestion', suggestion.ids)[0])
        self.assertIn('We will deliver earlier.', html)
        self.assertIn(suggestion.content, html)
        for internal in self._report_values().values():
            self.assertNotIn(internal, html)
        self.assertNotIn('Feasible from next month', html, "no department opinion")


class TestSuggestionRights(KamSuggestionCommon):
    """Who sees and does what: roles, companies, employees without a role."""

    def test_users_see_their_own_supervisors_all(self):
        mine = self._suggestion()
        theirs = self._suggestion(user=self.kam_user_2, partner_id=self.account_2.id, contact_id=self.contact_2.id)
        Suggestion = self.env['kam.suggestion']
        self.assertEqual(Suggestion.with_user(self.kam_user).search([('id', 'in', (mine | theirs).ids)]), mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.kam_user).read(['content'])
        with self.assertRaises(AccessError):
            theirs.with_user(self.kam_user).write({'content': 'Hijacked'})
        for user in (self.kam_supervisor, self.kam_manager, self.kam_director, self.kam_gm):
            self.assertEqual(Suggestion.with_user(user).search([('id', 'in', (mine | theirs).ids)]), mine | theirs)

    def test_other_company_suggestions_stay_there(self):
        other = self._suggestion(user=self.kam_supervisor, partner_id=False, contact_id=False,
                                 company_id=self.company_2.id)
        mine = self.env['kam.suggestion'].with_user(self.kam_supervisor).with_company(self.company)
        self.assertNotIn(other, mine.search([]))
        with self.assertRaises(UserError):  # a category of another company
            own = self.env['kam.suggestion.category'].create({'name': 'Second only', 'company_id': self.company_2.id})
            self._suggestion(category_id=own.id)

    def test_employees_and_portal_users_without_role_see_nothing(self):
        suggestion = self._suggestion()
        portal = self.env['res.users'].create({
            'name': 'Portal Buyer', 'login': 'kam_t_portal_buyer', 'group_ids': [Command.set(
                self.env.ref('base.group_portal').ids)]})
        with self.assertRaises(AccessError):
            suggestion.with_user(self.employee).read(['content'])
        self.assertFalse(self.env['kam.suggestion'].with_user(self.employee).search([]))
        with self.assertRaises(AccessError):
            suggestion.with_user(portal).read(['content'])
        # The partner form, as the web client reads it, for an employee without a role.
        Partner = self.env['res.partner'].with_user(self.employee)
        fields_ = Partner.get_views([(False, 'form')])['models']['res.partner']['fields']
        self.account.with_user(self.employee).web_read({name: {} for name in fields_})
