"""G1, web: "My suggestions" in the customer portal.

A key account's contact sends a suggestion through the form (CSRF on), follows their
account's suggestions and the public replies, sees nobody else's (another account, another
company), never the internal fields (over JSON-RPC either) nor the internal notes; the hourly
limit per contact is the company's.
"""
import re

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, JsonRpcException, new_test_user
from odoo.tools import mute_logger

INTERNAL_FIELDS = (
    'report_cause', 'report_feasibility', 'report_action', 'report_user_id', 'summary_id', 'summary_approved',
    'approval_state', 'approval_review_id', 'approval_review_ids', 'approval_reviewer_ids', 'approval_round',
    'approval_requester_id', 'approval_transition', 'approval_deadline', 'can_approve', 'acknowledged_to',
    'acknowledged_date', 'overdue_notified', 'mail_limited', 'reply', 'reply_on_time_rate', 'activity_ids',
    'message_follower_ids', 'message_partner_ids', 'activity_exception_decoration', 'activity_type_icon')


class TestSuggestionPortal(HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, lang='en_US'))
        env = cls.env
        cls.company = env.company
        cls.company_2 = env['res.company'].create({'name': 'KAM Portal Second Company'})
        cls.kam_user = new_test_user(
            env, login='kam_p_owner', groups='kam_key_account.group_kam_user', name='Portal Test Owner',
            email='kam_p_owner@example.com', company_ids=[cls.company.id, cls.company_2.id])
        cls.employee = new_test_user(env, login='kam_p_employee', groups='base.group_user', name='Plain Employee')
        Partner = env['res.partner']
        # Shared by both companies: the account has suggestions in each.
        cls.account = Partner.create({'name': 'Portal Gearbox Works', 'is_company': True,
                                      'kam_manager_id': cls.kam_user.id})
        cls.account_2 = Partner.create({'name': 'Portal Other Account', 'is_company': True,
                                        'kam_manager_id': cls.kam_user.id})
        cls.portal = new_test_user(env, login='kam_p_portal', groups='base.group_portal', name='Wang Fang',
                                   email='wang.fang@gearbox.example.com')
        cls.portal.partner_id.parent_id = cls.account
        cls.colleague = Partner.create({'name': 'Li Na', 'parent_id': cls.account.id,
                                        'email': 'li.na@gearbox.example.com'})
        cls.portal_2 = new_test_user(env, login='kam_p_portal2', groups='base.group_portal', name='Oliver Hughes',
                                     email='oliver@other.example.com')
        cls.portal_2.partner_id.parent_id = cls.account_2
        Suggestion = env['kam.suggestion'].with_user(cls.kam_user)
        cls.own = Suggestion.create({
            'partner_id': cls.account.id, 'contact_id': cls.colleague.id, 'channel': 'phone',
            'content': "Deliver before 14:00, please."})
        cls.other = Suggestion.create({
            'partner_id': cls.account_2.id, 'channel': 'phone', 'content': "Another account's secret."})
        cls.other_company = Suggestion.with_company(cls.company_2).create({
            'partner_id': cls.account.id, 'company_id': cls.company_2.id, 'channel': 'phone',
            'content': "Said to the second company."})
        cls.own.write({'report_cause': "Their warehouse closes at 16:00.",
                       'reply': "Draft: a second carrier from May."})
        cls.own.message_post(body="Internal: they are about to switch suppliers.", subtype_xmlid='mail.mt_note')
        cls.own.message_post(body="Public: we are looking into it.", message_type='comment',
                             subtype_xmlid='mail.mt_comment')
        cls.category = env.ref('kam_key_account.kam_suggestion_category_delivery')
        cls.category_2 = env['kam.suggestion.category'].create({'name': 'Second Company Only',
                                                                'company_id': cls.company_2.id})

    # ---- helpers ----------------------------------------------------------------------

    def _csrf(self, url='/my/suggestions/new'):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)

    def _submit(self, content, category_id='', csrf=None):
        return self.url_open('/my/suggestions/new', data={
            'csrf_token': csrf or self._csrf(), 'content': content, 'category_id': category_id})

    def _portal_suggestions(self):
        return self.env['kam.suggestion'].search([('contact_id', '=', self.portal.partner_id.id)])

    def _call_kw(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request('/web/dataset/call_kw', {
            'model': model, 'method': method, 'args': args, 'kwargs': kwargs or {}})

    # ---- submit -----------------------------------------------------------------------

    def test_submit_through_the_form(self):
        self.authenticate('kam_p_portal', 'kam_p_portal')
        response = self._submit("Please label each pallet with our part numbers.", str(self.category.id))
        self.assertEqual(response.status_code, 200)
        suggestion = self._portal_suggestions()
        self.assertEqual(len(suggestion), 1)
        self.assertRecordValues(suggestion, [{
            'channel': 'web', 'partner_id': self.account.id, 'contact_id': self.portal.partner_id.id,
            'company_id': self.company.id, 'category_id': self.category.id, 'user_id': self.kam_user.id,
            'report_user_id': self.kam_user.id, 'received_by_id': False, 'stage_code': 'new',
            'content': "Please label each pallet with our part numbers.",
            'received_date': fields.Date.context_today(suggestion.with_user(self.portal))}])
        self.assertTrue(response.url.endswith(f'/my/suggestions/{suggestion.id}?submitted=1'), response.url)
        self.assertIn("we received your suggestion", response.text)
        # G2: thanked, once, in its thread; the contact follows it (the replies reach them).
        self.assertEqual(suggestion.acknowledged_to, 'wang.fang@gearbox.example.com')
        self.assertIn(self.portal.partner_id, suggestion.message_partner_ids)
        self.assertIn(self.kam_user.partner_id, suggestion.message_partner_ids)
        self.assertIn(suggestion.name, self.url_open('/my/suggestions').text)

    @mute_logger('odoo.http')
    def test_submit_needs_csrf(self):
        self.authenticate('kam_p_portal', 'kam_p_portal')
        response = self._submit("Forged from another site.", csrf='forged')
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._portal_suggestions())

    def test_bad_input_keeps_the_form(self):
        self.authenticate('kam_p_portal', 'kam_p_portal')
        cases = [
            ("   ", '', "Write your suggestion before sending it."),
            ("x" * 20001, '', "please keep it within 20000 characters"),
            ("Unknown category", '999999999', "Choose the category of your suggestion from the list."),
            ("Not a number", 'abc', "Choose the category of your suggestion from the list."),
            ("Second company category", str(self.category_2.id),
             "Choose the category of your suggestion from the list."),
        ]
        for content, category_id, error in cases:
            with self.subTest(error=error, category_id=category_id):
                response = self._submit(content, category_id)
                self.assertEqual(response.status_code, 200)
                self.assertIn(error, response.text)
                if content.strip() and len(content) < 100:
                    self.assertIn(content, response.text, "what was typed stays in the form")
        self.assertFalse(self._portal_suggestions())

    def test_hourly_limit_per_contact(self):
        Suggestion = self.env['kam.suggestion'].with_user(self.portal)
        for index in range(5):
            Suggestion._kam_portal_submit(f"Suggestion {index}")
        self.authenticate('kam_p_portal', 'kam_p_portal')
        response = self._submit("The sixth within the hour.")
        self.assertEqual(response.status_code, 200)
        self.assertIn("You have sent 5 suggestions in the last hour", response.text)
        self.assertIn("The sixth within the hour.", response.text, "nothing lost: the text stays in the form")
        self.assertEqual(len(self._portal_suggestions()), 5)
        # Another contact of the same account has a limit of their own.
        with self.assertRaises(UserError):
            Suggestion._kam_portal_submit("Still the sixth.")
        # Configurable per company; 0 closes the portal to suggestions.
        self.company.kam_suggestion_portal_hourly_limit = 6
        self.assertEqual(self._submit("The sixth, now allowed.").status_code, 200)
        self.assertEqual(len(self._portal_suggestions()), 6)
        self.company.kam_suggestion_portal_hourly_limit = 0
        with self.assertRaisesRegex(UserError, "not received through the portal"):
            Suggestion._kam_portal_submit("Closed.")
        # Older than an hour: no longer counted.
        self.company.kam_suggestion_portal_hourly_limit = 6
        self.env.cr.execute("UPDATE kam_suggestion SET create_date = create_date - interval '2 hours' WHERE id IN %s",
                            [tuple(self._portal_suggestions().ids)])
        self.assertTrue(Suggestion._kam_portal_submit("A new hour."))

    def test_limit_is_a_company_setting(self):
        self.assertEqual(self.company_2.kam_suggestion_portal_hourly_limit, 5)
        with self.assertRaises(ValidationError):
            self.company.kam_suggestion_portal_hourly_limit = -1
        view = self.env.ref('kam_key_account.res_company_view_form_inherit_kam')
        self.assertIn('kam_suggestion_portal_hourly_limit', view.arch_db)

    def test_only_key_accounts_submit(self):
        stranger = new_test_user(self.env, login='kam_p_stranger', groups='base.group_portal', name='Stranger')
        with self.assertRaisesRegex(UserError, "contacts of our key accounts"):
            self.env['kam.suggestion'].with_user(stranger)._kam_portal_submit("Hello")
        self.authenticate('kam_p_stranger', 'kam_p_stranger')
        response = self.url_open('/my/suggestions/new')
        self.assertEqual(response.status_code, 200)
        self.assertNotIn('name="content"', response.text)

    # ---- see own, nobody else's ---------------------------------------------------------

    def test_list_and_detail_show_own_account_only(self):
        self.authenticate('kam_p_portal', 'kam_p_portal')
        listing = self.url_open('/my/suggestions')
        self.assertEqual(listing.status_code, 200)
        self.assertIn(self.own.name, listing.text, "a colleague's suggestion: the account's")
        self.assertNotIn(self.other.name, listing.text)
        self.assertNotIn(self.other_company.name, listing.text)
        for sortby in ('date', 'name', 'stage', 'bogus'):
            self.assertEqual(self.url_open(f'/my/suggestions?sortby={sortby}').status_code, 200)

        page = self.url_open(f'/my/suggestions/{self.own.id}')
        self.assertEqual(page.status_code, 200)
        self.assertIn("Deliver before 14:00", page.text)
        for internal in ("Their warehouse closes", "Draft: a second carrier", "about to switch suppliers"):
            self.assertNotIn(internal, page.text)
        for suggestion in (self.other, self.other_company):
            with self.subTest(suggestion=suggestion.name):
                response = self.url_open(f'/my/suggestions/{suggestion.id}')
                self.assertEqual(response.status_code, 404)
                self.assertNotIn(suggestion.content, response.text)
        self.assertEqual(self.url_open('/my/suggestions/999999999').status_code, 404)

    def test_reply_shown_once_sent(self):
        self.own.sudo()._kam_engine_write({'reply_date': fields.Date.today(), 'reply_on_time': True})
        self.authenticate('kam_p_portal', 'kam_p_portal')
        page = self.url_open(f'/my/suggestions/{self.own.id}')
        self.assertIn("Draft: a second carrier from May.", page.text)
        self.assertIn("Replied on Time", page.text)

    def test_anonymous_is_sent_to_login(self):
        response = self.url_open(f'/my/suggestions/{self.own.id}', allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn('/web/login', response.headers['Location'])

    def test_home_counter(self):
        self.authenticate('kam_p_portal', 'kam_p_portal')
        counters = self.make_jsonrpc_request('/my/counters', {'counters': ['kam_suggestion_count']})
        self.assertEqual(counters['kam_suggestion_count'], 1)
        self.assertIn('/my/suggestions', self.url_open('/my').text)

    def test_employee_and_portal_open_my_pages(self):
        """An employee without a Key Accounts role, and the portal user, open /my and
        /my/suggestions without an error."""
        for login in ('kam_p_employee', 'kam_p_portal', 'kam_p_portal2'):
            self.authenticate(login, login)
            for url in ('/my', '/my/home', '/my/suggestions', '/my/suggestions/new'):
                with self.subTest(login=login, url=url):
                    self.assertEqual(self.url_open(url).status_code, 200)
            counters = self.make_jsonrpc_request('/my/counters', {'counters': ['kam_suggestion_count']})
            self.assertEqual(counters['kam_suggestion_count'], 0 if login == 'kam_p_employee' else 1)

    def test_portal_in_chinese(self):
        """A Chinese contact reads the portal pages in Chinese, submits, and is refused in
        Chinese (the error comes back on the form, the text kept)."""
        self.env['res.lang']._activate_lang('zh_CN')
        self.env['ir.module.module']._load_module_terms(['kam_key_account'], ['zh_CN'], overwrite=True)
        self.portal.lang = 'zh_CN'
        self.authenticate('kam_p_portal', 'kam_p_portal')
        self.assertIn('新建建议', self.url_open('/my/suggestions').text)
        self.assertIn('您的建议', self.url_open('/my/suggestions/new').text)
        response = self._submit('   ')
        self.assertIn('请先填写建议内容再发送', response.text)
        response = self._submit('请在每个托盘标签上印上我们的零件号。')
        self.assertIn('谢谢：我们已收到您的建议', response.text)
        self.assertIn('请在每个托盘标签上', self._portal_suggestions().content)

    # ---- nothing internal over RPC ---------------------------------------------------

    @mute_logger('odoo.http', 'odoo.models')
    def test_internal_fields_hidden_over_rpc(self):
        self.authenticate('kam_p_portal', 'kam_p_portal')
        described = self._call_kw('kam.suggestion', 'fields_get', [], {'attributes': ['type']})
        for name in INTERNAL_FIELDS:
            self.assertNotIn(name, described)
        for name in ('name', 'content', 'stage_id', 'deadline_status', 'reply_date'):
            self.assertIn(name, described)

        rows = self._call_kw('kam.suggestion', 'search_read', [[]], {})
        self.assertEqual([row['id'] for row in rows], self.own.ids, "their account's, in their company")
        self.assertFalse(set(INTERNAL_FIELDS) & rows[0].keys())
        for name in INTERNAL_FIELDS:
            with self.subTest(field=name):
                with self.assertRaises(JsonRpcException):
                    self._call_kw('kam.suggestion', 'read', [self.own.ids, [name]])
                # (`approval_state != False` is always true: the ORM drops it unread.)
                domain = [(name, '=', 'approved')] if name == 'approval_state' else [(name, '!=', False)]
                with self.assertRaises(JsonRpcException):
                    self._call_kw('kam.suggestion', 'search_read', [domain], {'fields': ['name']})
        with self.assertRaises(JsonRpcException):
            self._call_kw('kam.suggestion', 'read', [self.other.ids, ['content']])
        with self.assertRaises(JsonRpcException):
            self._call_kw('kam.suggestion', 'web_read', [self.own.ids, {'summary_id': {}}])

    @mute_logger('odoo.http', 'odoo.models')
    def test_portal_cannot_create_or_write_over_rpc(self):
        self.authenticate('kam_p_portal', 'kam_p_portal')
        attempts = [
            ('create', [[{'content': "By RPC", 'partner_id': self.account.id, 'channel': 'web'}]]),
            ('write', [self.own.ids, {'content': "Rewritten"}]),
            ('write', [self.own.ids, {'stage_id': self.own.stage_id.id}]),
            ('unlink', [self.own.ids]),
            ('action_cancel', [self.own.ids]),
            ('_kam_portal_submit', ["Private method"]),
        ]
        for method, args in attempts:
            with self.subTest(method=method), self.assertRaises(JsonRpcException):
                self._call_kw('kam.suggestion', method, args)
        self.assertEqual(self.own.content, "Deliver before 14:00, please.")
        self.assertFalse(self._portal_suggestions())
        # The model level agrees with the endpoint.
        with self.assertRaises(AccessError):
            self.env['kam.suggestion'].with_user(self.portal).create({'content': "x", 'partner_id': self.account.id})

    # ---- the portal chatter: public messages only -------------------------------------

    def test_chatter_shows_public_messages_only(self):
        self.authenticate('kam_p_portal', 'kam_p_portal')
        page = self.url_open(f'/my/suggestions/{self.own.id}').text
        token = re.search(r'data-token="([^"]+)"', page).group(1)
        self.assertEqual(token, self.own.access_token)
        fetched = self.make_jsonrpc_request('/mail/chatter_fetch', {
            'thread_model': 'kam.suggestion', 'thread_id': self.own.id, 'token': token})
        bodies = " ".join(str(message['body']) for message in fetched['data']['mail.message'])
        self.assertIn("we are looking into it", bodies)
        self.assertNotIn("about to switch suppliers", bodies)
        # Without the token: the user's own rights, which give no message of the thread.
        fetched = self.make_jsonrpc_request('/mail/chatter_fetch', {
            'thread_model': 'kam.suggestion', 'thread_id': self.own.id})
        self.assertNotIn("about to switch suppliers",
                         " ".join(str(message['body']) for message in fetched['data']['mail.message']))
        # Nor through the messages of the record.
        note = self.own.message_ids.filtered(lambda m: 'about to switch' in (m.body or ''))
        self.assertTrue(note)
        with self.assertRaises(JsonRpcException), mute_logger('odoo.http', 'odoo.models'):
            self._call_kw('mail.message', 'read', [note.ids, ['body']])

        # The contact writes in the thread: their message, public, the owner notified.
        self.make_jsonrpc_request('/mail/message/post', {
            'thread_model': 'kam.suggestion', 'thread_id': self.own.id, 'token': token,
            'post_data': {'body': "Any news?", 'message_type': 'comment', 'subtype_xmlid': 'mail.mt_comment'}})
        posted = self.own.message_ids[:1]
        self.assertIn("Any news?", posted.body)
        self.assertEqual(posted.author_id, self.portal.partner_id)
        self.assertFalse(posted.subtype_id.internal)

    def test_other_token_does_not_open_the_chatter(self):
        self.other.sudo()._portal_ensure_token()
        self.authenticate('kam_p_portal', 'kam_p_portal')
        page = self.url_open(f'/my/suggestions/{self.own.id}').text
        token = re.search(r'data-token="([^"]+)"', page).group(1)
        with self.assertRaises(Exception), mute_logger('odoo.http'):
            self.make_jsonrpc_request('/mail/chatter_fetch', {
                'thread_model': 'kam.suggestion', 'thread_id': self.other.id, 'token': token})

    # ---- the browser ------------------------------------------------------------------

    def test_portal_tour(self):
        self.start_tour('/my', 'kam_suggestion_portal_tour', login='kam_p_portal')
        suggestion = self._portal_suggestions()
        self.assertRecordValues(suggestion, [{
            'channel': 'web', 'category_id': self.category.id, 'partner_id': self.account.id,
            'content': "Please label each pallet with our own part numbers."}])

    def test_demo_portal_user(self):
        """Demo: the portal user (`portal`) is a contact of Northwind Logistics and sent it a
        suggestion from the portal."""
        portal = self.env.ref('base.demo_user0', raise_if_not_found=False)
        northwind = self.env.ref('kam_key_account.kam_partner_northwind', raise_if_not_found=False)
        if not (portal and northwind):
            self.skipTest("installed without demo data")
        self.assertEqual(portal.partner_id.commercial_partner_id, northwind)
        sent = self.env['kam.suggestion'].search([('contact_id', '=', portal.partner_id.id), ('channel', '=', 'web')])
        self.assertEqual(len(sent), 1)
        self.assertTrue(sent.acknowledged_date)
        self.authenticate('portal', 'portal')
        self.assertIn(sent.name, self.url_open('/my/suggestions').text)
