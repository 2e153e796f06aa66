"""Key-account suggestions by e-mail (G1, issue 11): each company's alias, the sender
matched to the key account, triage of unknown senders, replies in the thread, the
acknowledgement's guards and the limits on hostile mail."""
from email.message import EmailMessage

from odoo.exceptions import AccessError, ValidationError
from odoo.service.model import call_kw
from odoo.tests import tagged

from .common import KamSuggestionCommon
from odoo.addons.kam_key_account.models.kam_suggestion import (
    ACKNOWLEDGEMENT_DAILY_LIMIT,
)
from odoo.addons.mail.tests.common import MailCommon

# Our own raw mail: the gateway helpers' default templates target test_mail's models.
KAM_SUGGESTION_MAIL = """Return-Path: {return_path}
To: {to}
cc: {cc}
From: {email_from}
Subject: {subject}
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="----=_Part_kam_0001"
Date: {date}
Message-ID: {msg_id}
{extra}
------=_Part_kam_0001
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Please deliver before 14:00: our warehouse closes at 16:00.
请在14点前送货。

------=_Part_kam_0001
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 8bit

<html><body><p>Please deliver before 14:00: our warehouse closes at 16:00.</p><p>请在14点前送货。</p></body></html>
------=_Part_kam_0001--
"""


@tagged('post_install', '-at_install')
class TestSuggestionMail(KamSuggestionCommon, MailCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alias = cls.company.kam_suggestion_alias_id
        cls.alias_email = cls.company.kam_suggestion_alias_email

    def _receive(self, subject, email_from='Zhao Jianguo <zhao.jianguo@customer.example.com>', **kwargs):
        return self.format_and_process(
            KAM_SUGGESTION_MAIL, email_from, self.alias_email, subject=subject,
            target_model='kam.suggestion', target_field='subject', **kwargs)

    def _receive_raw(self, message):
        """A hand-built message (attachments, odd headers) through the gateway."""
        message_id = message['Message-ID']
        self.env['mail.thread'].sudo().message_process(None, message.as_bytes())
        return self.env['kam.suggestion'].search([('message_ids.message_id', '=', message_id)])

    def _message(self, subject, body='A suggestion.', email_from='zhao.jianguo@customer.example.com', **headers):
        message = EmailMessage()
        message['From'] = email_from
        message['To'] = self.alias_email
        message['Subject'] = subject
        message['Message-ID'] = f'<kam-{subject.replace(" ", "-")[:40]}-{id(message)}@customer.example.com>'
        for name, value in headers.items():
            message[name.replace('_', '-')] = value
        message.set_content(body)
        return message

    def _acknowledgements(self, suggestions):
        return suggestions.message_ids.filtered(lambda m: m.message_type == 'auto_comment')

    # ------------------------------------------------------------------------------------
    # The alias
    # ------------------------------------------------------------------------------------

    def test_each_company_has_its_alias_on_its_domain(self):
        self.assertEqual(self.alias.alias_model_id.model, 'kam.suggestion')
        self.assertEqual(self.alias_email, f'kam-suggestions@{self.alias_domain}', "the company's e-mail domain")
        self.assertEqual(self.alias.alias_defaults, repr({'company_id': self.company.id, 'channel': 'email'}))
        other = self.env['res.company'].create({'name': 'KAM Third Company'})
        self.assertTrue(other.kam_suggestion_alias_id, "a new company gets its alias")
        self.assertNotEqual(other.kam_suggestion_alias_id, self.alias)
        self.assertIn(str(other.id), other.kam_suggestion_alias_id.alias_defaults)
        # Renamed from the company form; emptied, the company receives no suggestion by mail.
        self.company.kam_suggestion_alias_name = 'ideas'
        self.assertEqual(self.company.kam_suggestion_alias_email, f'ideas@{self.alias_domain}')
        self.assertEqual(self.company.kam_suggestion_alias_id, self.alias, "the same alias, renamed")

    def test_limits_must_be_positive(self):
        for field in ('kam_suggestion_mail_max_body_kb', 'kam_suggestion_mail_max_attachments',
                      'kam_suggestion_mail_max_size_mb'):
            with self.subTest(field=field), self.assertRaisesText(ValidationError, 'must be at least 1'):
                self.company.write({field: 0})

    # ------------------------------------------------------------------------------------
    # Intake
    # ------------------------------------------------------------------------------------

    def test_known_sender_lands_on_the_key_account_and_is_thanked_once(self):
        suggestion = self._receive('Earlier deliveries')
        self.assertEqual(len(suggestion), 1)
        self.assertEqual(suggestion.partner_id, self.account, "through the contact's commercial partner")
        self.assertEqual(suggestion.contact_id, self.contact)
        self.assertEqual(suggestion.company_id, self.company, "from the alias's defaults")
        self.assertEqual(suggestion.channel, 'email')
        self.assertEqual(suggestion.user_id, self.kam_user, "owned by the account's manager")
        self.assertEqual(suggestion.report_user_id, self.kam_user, "who writes its report")
        self.assertFalse(suggestion.received_by_id, "received by the alias, not by the gateway's user")
        self.assertIn('deliver before 14:00', suggestion.content)
        self.assertIn('请在14点前送货', suggestion.content)
        self.assertEqual(suggestion.stage_id.code, 'new')
        self.assertTrue(suggestion.name.startswith('SUG/'), "the reference, not the subject")
        incoming = suggestion.message_ids.filtered(lambda m: m.message_type == 'email')
        self.assertEqual(len(incoming), 1, "the e-mail stays in the chatter")
        self.assertEqual(incoming.author_id, self.contact)
        self.assertEqual(len(self._acknowledgements(suggestion)), 1, "G2: thanked once")
        self.assertEqual(suggestion.acknowledged_to, 'zhao.jianguo@customer.example.com')

    def test_unknown_sender_waits_for_triage_then_finds_its_contact(self):
        suggestion = self._receive('Spare parts', email_from='Li Na <li.na@newcomer.example.com>')
        self.assertEqual(len(suggestion), 1, "nothing is lost")
        self.assertFalse(suggestion.partner_id)
        self.assertFalse(suggestion.user_id)
        self.assertIn('li.na@newcomer.example.com', suggestion.email_from)
        self.assertIn(suggestion, self.env['kam.suggestion'].search([('partner_id', '=', False)]),
                      "in the To Triage filter")
        self.assertEqual(len(self._acknowledgements(suggestion)), 1, "a person is thanked even when unknown")
        self.assertFalse(suggestion.with_user(self.kam_user).search([('id', '=', suggestion.id)]),
                         "an unassigned suggestion is triaged by a supervisor")
        # Triage: the sender becomes a contact of the account, the suggestion is linked.
        contact = self.env['res.partner'].create(
            {'name': 'Li Na', 'email': 'li.na@newcomer.example.com', 'parent_id': self.account.id})
        suggestion.with_user(self.kam_supervisor).write({'partner_id': self.account.id, 'user_id': self.kam_user.id})
        self.assertEqual(suggestion.contact_id, contact, "the contact found from the sender's address")

    def test_sender_of_a_partner_outside_key_accounts_waits_for_triage(self):
        outsider = self.env['res.partner'].create({'name': 'Walk-in Customer', 'is_company': True})
        self.env['res.partner'].create(
            {'name': 'Sun Mei', 'email': 'sun.mei@walkin.example.com', 'parent_id': outsider.id})
        suggestion = self._receive('Opening hours', email_from='sun.mei@walkin.example.com')
        self.assertFalse(suggestion.partner_id)
        self.assertFalse(suggestion.contact_id)

    def test_each_company_receives_on_its_own_alias(self):
        alias_2 = self.company_2.kam_suggestion_alias_id
        self.assertTrue(alias_2)
        self.assertNotEqual(alias_2.alias_full_name, self.alias_email, "one address per company")
        suggestion = self.format_and_process(
            KAM_SUGGESTION_MAIL, 'zhao.jianguo@customer.example.com', alias_2.alias_full_name,
            subject='Second company', target_model='kam.suggestion', target_field='subject')
        self.assertEqual(suggestion.company_id, self.company_2)
        self.assertFalse(suggestion.partner_id, "an account of another company is not matched: triage")

    def test_replies_land_on_the_same_suggestion(self):
        suggestion = self._receive('Packaging')
        acknowledgement = self._acknowledgements(suggestion)
        self.format_and_process(
            KAM_SUGGESTION_MAIL, 'zhao.jianguo@customer.example.com', self.alias_email,
            subject='Re: Packaging', extra=f'In-Reply-To: {acknowledgement.message_id}\nReferences: {acknowledgement.message_id}',
            target_model='kam.suggestion', target_field='subject')
        self.assertEqual(self.env['kam.suggestion'].search_count([('email_from', 'ilike', 'zhao.jianguo')]), 1,
                         "no second suggestion")
        self.assertEqual(len(suggestion.message_ids.filtered(lambda m: m.message_type == 'email')), 2)
        self.assertEqual(len(self._acknowledgements(suggestion)), 1, "a reply is not thanked again")

    # ------------------------------------------------------------------------------------
    # The acknowledgement's guards
    # ------------------------------------------------------------------------------------

    def test_no_acknowledgement_to_automated_mail(self):
        for subject, extra in (('Out of office', 'Auto-Submitted: auto-replied'),
                               ('Newsletter', 'Precedence: bulk'),
                               ('Away', 'X-Autoreply: yes')):
            with self.subTest(extra=extra):
                suggestion = self._receive(subject, extra=extra)
                self.assertEqual(len(suggestion), 1, "recorded all the same")
                self.assertFalse(self._acknowledgements(suggestion))
                self.assertFalse(suggestion.acknowledged_date)

    def test_no_acknowledgement_to_our_own_domain(self):
        suggestion = self._receive('From inside', email_from=f'sales@{self.alias_domain}')
        self.assertEqual(len(suggestion), 1)
        self.assertFalse(self._acknowledgements(suggestion))

    def test_at_most_three_acknowledgements_a_day_to_one_sender(self):
        suggestions = self.env['kam.suggestion']
        for index in range(ACKNOWLEDGEMENT_DAILY_LIMIT + 1):
            suggestions |= self._receive(f'Idea {index}')
        self.assertEqual(len(suggestions), ACKNOWLEDGEMENT_DAILY_LIMIT + 1, "every mail recorded")
        self.assertEqual(len(self._acknowledgements(suggestions)), ACKNOWLEDGEMENT_DAILY_LIMIT,
                         "the fourth mail of the day is not thanked: no mail loop")

    def test_a_bounce_creates_no_suggestion(self):
        count = self.env['kam.suggestion'].search_count([])
        bounce = self._message(
            'Undelivered Mail Returned to Sender', email_from=f'MAILER-DAEMON@{self.alias_domain}')
        del bounce['To']
        bounce['To'] = f'{self.alias_bounce}@{self.alias_domain}'
        self.env['mail.thread'].sudo().message_process(None, bounce.as_bytes())
        self.assertEqual(self.env['kam.suggestion'].search_count([]), count)

    # ------------------------------------------------------------------------------------
    # Hostile mail
    # ------------------------------------------------------------------------------------

    def test_huge_body_is_cut_and_attached_whole(self):
        self.company.kam_suggestion_mail_max_body_kb = 2
        body = 'Our warehouse closes at 16:00. ' * 500  # about 15 KB
        suggestion = self._receive_raw(self._message('Long story', body=body))
        self.assertEqual(len(suggestion), 1)
        self.assertTrue(suggestion.mail_limited, "flagged")
        incoming = suggestion.message_ids.filtered(lambda m: m.message_type == 'email')
        self.assertLess(len(incoming.body), 4 * 1024, "the message keeps the first 2 KB")
        self.assertIn('Cut at 2 KB', str(incoming.body))
        original = incoming.attachment_ids.filtered(lambda a: a.name == 'original-body.html')
        self.assertEqual(len(original), 1, "the rest attached as a file, not dropped")
        self.assertEqual(original.raw.decode().count('Our warehouse closes at 16:00.'), 500)
        self.assertLess(len(suggestion.content), 4 * 1024)

    def test_attachment_bomb_keeps_twenty_and_holds_the_rest(self):
        message = self._message('Photos of the damage')
        for index in range(21):
            message.add_attachment(f'photo {index}'.encode(), maintype='image', subtype='png',
                                   filename=f'photo-{index:02d}.png')
        suggestion = self._receive_raw(message)
        self.assertEqual(len(suggestion), 1)
        incoming = suggestion.message_ids.filtered(lambda m: m.message_type == 'email')
        self.assertEqual(len(incoming.attachment_ids), 20, "at most 20 on the message")
        self.assertTrue(suggestion.mail_limited)
        held = self.env['ir.attachment'].search([
            ('res_model', '=', 'kam.suggestion'), ('res_id', '=', suggestion.id),
            ('name', '=', 'held-back-attachments.zip')])
        self.assertEqual(len(held), 1, "the 21st is kept, not dropped")
        note = suggestion.message_ids.filtered(lambda m: m.attachment_ids == held)
        self.assertTrue(note.subtype_id.internal, "said in an internal note")

    def test_attachments_over_the_total_size_are_held_back(self):
        self.company.kam_suggestion_mail_max_size_mb = 1
        message = self._message('Drawings')
        for index in range(3):
            message.add_attachment(b'x' * 400_000, maintype='application', subtype='pdf',
                                   filename=f'drawing-{index}.pdf')
        suggestion = self._receive_raw(message)
        incoming = suggestion.message_ids.filtered(lambda m: m.message_type == 'email')
        self.assertEqual(len(incoming.attachment_ids), 2, "1 MB in all on the message")
        self.assertTrue(suggestion.mail_limited)
        self.assertTrue(suggestion.message_ids.attachment_ids.filtered(
            lambda a: a.name == 'held-back-attachments.zip'))

    def test_a_reply_over_the_limits_is_kept_too(self):
        suggestion = self._receive('Follow-up photos')
        acknowledgement = self._acknowledgements(suggestion)
        reply = self._message('Re: Follow-up photos', In_Reply_To=acknowledgement.message_id,
                              References=acknowledgement.message_id)
        for index in range(22):
            reply.add_attachment(b'img', maintype='image', subtype='png', filename=f'{index}.png')
        self.env['mail.thread'].sudo().message_process(None, reply.as_bytes())
        self.assertTrue(suggestion.mail_limited)
        incoming = suggestion.message_ids.filtered(lambda m: m.message_type == 'email')
        self.assertEqual(len(incoming), 2)
        self.assertEqual(sorted(len(m.attachment_ids) for m in incoming), [0, 20])

    def test_rpc_clients_cannot_use_the_gateway_entry_points(self):
        suggestion = self._receive('Gateway only')
        bomb = {'body': 'x', 'attachments': [(f'{index}.txt', b'x', {}) for index in range(30)]}
        with self.assertRaises(AccessError):
            call_kw(self.env['kam.suggestion'].with_user(self.kam_user_2), 'message_update',
                    [suggestion.ids, bomb], {})
        self.assertFalse(suggestion.mail_limited)
        with self.assertRaises(AccessError):
            call_kw(self.env['kam.suggestion'].with_user(self.kam_user), 'message_new',
                    [{'body': 'x', 'email_from': 'a@b.example.com'}, {'company_id': self.company_2.id}], {})

    def test_forged_and_malformed_headers_are_recorded_for_triage(self):
        for email_from in ('<<<@@>>>', '"Nobody" <>', 'zhao.jianguo@customer.example.com@evil.example.com'):
            with self.subTest(email_from=email_from):
                message = self._message(f'Odd sender {len(email_from)}', email_from='placeholder@example.com')
                message.replace_header('From', email_from)
                suggestion = self._receive_raw(message)
                self.assertEqual(len(suggestion), 1, "nothing crashes, nothing lost")
                self.assertFalse(suggestion.partner_id, "a forged address is not matched to the account")
        long_subject = self._receive_raw(self._message('Subject ' * 200))
        self.assertEqual(len(long_subject), 1)
        self.assertLessEqual(len(long_subject.subject), 250)

    def test_empty_mail_is_still_recorded(self):
        message = self._message('Empty', body='')
        del message['Subject']
        suggestion = self._receive_raw(message)
        self.assertEqual(len(suggestion), 1)
        self.assertTrue(suggestion.content.strip(), "a content that says so")

    # ------------------------------------------------------------------------------------
    # Performance
    # ------------------------------------------------------------------------------------

    def test_queries_per_incoming_mail_stay_the_same_for_twenty(self):
        # Warm up (the alias, the partner search, the templates' caches).
        self._receive('Warm-up')
        self.env.invalidate_all()
        with self.assertQueryCount(QUERIES_FIRST_MAIL):
            self._receive('Idea alone', email_from='Qian Wei <qian.wei@customer.example.com>')
        self.env.invalidate_all()
        with self.assertQueryCount(20 * QUERIES_PER_MAIL):  # no more per mail than the first
            for index in range(20):
                self._receive(f'Idea {index}', email_from=f'Buyer {index} <buyer{index}@customer.example.com>')


# Measured with the acknowledgement (template rendering, a mail to the customer) and
# format_and_process's own search of the new record: 89 for one mail, 1,436 for twenty.
QUERIES_FIRST_MAIL = 92
QUERIES_PER_MAIL = 76
