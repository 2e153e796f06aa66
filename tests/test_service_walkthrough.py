"""Service requests walked through as the demo users (issue 12, second review): the web
client's reads of every service view, the forms inside the request (an event line), the
partner's Service Team tab, the calendar entries of the service events and the printed form,
in English and Chinese, as a salesperson, a supervisor, a manager, `demo` (a technician on
every demo team, without a Key Accounts role) and a portal customer invited to an event."""
from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user

from .test_walkthrough import read_spec

USERS = ('kam_key_account.kam_user_li', 'kam_key_account.kam_supervisor', 'kam_key_account.kam_manager',
         'base.user_demo')


def sub_form_specs(arch, fields, env):
    """{x2many field: the read specification of its embedded form} (a line opened)."""
    specs = {}
    for node in arch.iter('field'):
        field = fields.get(node.get('name'))
        sub_form = next((child for child in node if child.tag == 'form'), None)
        if field and sub_form is not None:
            sub_fields = env[field['relation']].fields_get(attributes=['type', 'relation'])
            specs[node.get('name')] = read_spec(sub_form, sub_fields, env)
    return specs


class TestServiceWalkThrough(TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env['res.lang']._activate_lang('zh_CN')
        cls.env['ir.module.module']._load_module_terms(['base', 'web', 'mail', 'calendar', 'kam_key_account'],
                                                       ['zh_CN'])
        cls.users = cls.env['res.users']
        for xmlid in USERS:
            cls.users |= cls.env.ref(xmlid, raise_if_not_found=False) or cls.env['res.users']
        cls.requests = cls.env['kam.service.request'].search([])
        cls.archivist = new_test_user(
            cls.env, login='kam_t_svc_walk_archivist', groups='base.group_user,kam_key_account.group_kam_archivist',
            name='Archivist')

    def _env(self, user, lang):
        return self.env(user=user, context={'lang': lang, 'tz': user.tz or 'UTC'})

    def _open_form(self, records, env, extra_views=()):
        """Each record's form as the web client reads it, and each line of its x2many
        fields opened in its embedded form."""
        Model = env[records._name]
        views = Model.get_views([(False, 'form'), *extra_views])
        arch = etree.fromstring(views['views']['form']['arch'])
        fields = views['models'][records._name]['fields']
        spec = read_spec(arch, fields, env)
        sub_specs = sub_form_specs(arch, fields, env)
        for record in records.with_env(env):
            values = record.web_read(spec)[0]
            for name, sub_spec in sub_specs.items():
                lines = record[name]
                if lines and values.get(name):
                    lines.web_read(sub_spec)
        return views

    def test_the_demo_is_there(self):
        self.assertGreaterEqual(len(self.users), 4, "the demo users are installed")
        self.assertEqual(set(self.requests.mapped('stage_id.code')),
                         {'draft', 'review', 'approved', 'progress', 'done', 'refused'})

    def test_every_service_view_as_each_user(self):
        demo = self.env.ref('base.user_demo')
        for user in self.users | self.archivist:
            for lang in ('en_US', 'zh_CN'):
                env = self._env(user, lang)
                with self.subTest(user=user.login, lang=lang):
                    Request = env['kam.service.request']
                    readable = Request.search([])
                    if user == demo:
                        self.assertTrue(readable, "demo is on every demo team: it reads their requests")
                    views = Request.get_views([(False, mode) for mode in (
                        'kanban', 'list', 'pivot', 'graph', 'activity', 'search')])
                    fields = views['models']['kam.service.request']['fields']
                    for mode in ('kanban', 'list'):
                        spec = read_spec(etree.fromstring(views['views'][mode]['arch']), fields, env)
                        Request.web_search_read([], spec, limit=40)
                    Request.web_read_group([], ['stage_id'], ['__count'])
                    self._open_form(readable, env)
                    # Its events, on their calendar, and as a request's button opens them.
                    Event = env['kam.service.event']
                    views = Event.get_views([(False, 'calendar'), (False, 'list'), (False, 'form')])
                    events = Event.search([])
                    for mode in ('calendar', 'list'):
                        spec = read_spec(etree.fromstring(views['views'][mode]['arch']),
                                         views['models']['kam.service.event']['fields'], env)
                        Event.web_search_read([], spec, limit=40)
                    self._open_form(events, env)
                    # The printed form of every request they read.
                    for request in readable:
                        html = env['ir.actions.report']._render_qweb_html(
                            'kam_key_account.action_report_kam_service_request', request.ids)[0]
                        self.assertIn(request.name, str(html))

    def test_my_service_tasks_and_the_team_tab(self):
        supervisor = self.env.ref('kam_key_account.kam_supervisor')
        accounts = self.env['kam.service.team.member'].search([]).partner_id
        self.assertTrue(accounts)
        for user in self.users:
            for lang in ('en_US', 'zh_CN'):
                env = self._env(user, lang)
                with self.subTest(user=user.login, lang=lang):
                    Task = env['kam.service.task']
                    views = Task.get_views([(False, 'list'), (False, 'search')])
                    spec = read_spec(etree.fromstring(views['views']['list']['arch']),
                                     views['models']['kam.service.task']['fields'], env)
                    Task.web_search_read([('responsible_id', '=', user.id)], spec)  # My Service Tasks
                    tasks = Task.search([])
                    if user == supervisor:
                        self.assertTrue(tasks, "the finance support of the demo holds its payment-terms task")
                    self._open_form(tasks, env)
                    self._open_form(accounts.with_env(env), env)

    def test_the_calendar_entries_of_the_service_events(self):
        entries = self.env['kam.service.event'].search([]).calendar_event_id
        self.assertTrue(entries, "approved demo requests are on the calendar")
        for user in self.users:
            for lang in ('en_US', 'zh_CN'):
                env = self._env(user, lang)
                invited = entries.filtered(lambda e, u=user: u.partner_id in e.partner_ids)
                with self.subTest(user=user.login, lang=lang):
                    self._open_form(invited, env)
                    env['calendar.event'].search_read([('id', 'in', entries.ids)], ['name', 'start', 'stop'])

    def test_an_invited_customer_reads_the_entry_and_nothing_else(self):
        event = self.env['kam.service.event'].search([('calendar_event_id', '!=', False)], limit=1)
        contact = event.contact_ids[:1]
        self.assertTrue(contact, "the demo invites the account's contacts")
        portal = new_test_user(self.env, login='kam_t_svc_walk_portal', groups='base.group_portal',
                               partner_id=contact.id)
        for lang in ('en_US', 'zh_CN'):
            env = self._env(portal, lang)
            values = event.calendar_event_id.with_env(env).read(['name', 'description', 'location', 'partner_ids'])[0]
            request = event.request_id.sudo()
            for internal in (request.content, request.deeper_needs, request.organisation):
                if internal:
                    self.assertNotIn(internal, values['description'] or '')
            for model in ('kam.service.request', 'kam.service.event', 'kam.service.task', 'kam.service.team.member',
                          'kam.service.type'):
                with self.subTest(model=model), self.assertRaises(AccessError):
                    env[model].search([], limit=1)

    def test_the_printed_form_keeps_the_customer_information_inside_key_accounts(self):
        """demo reads the requests of its teams, not their customer information (grouped
        Key Accounts): nor in the printed form."""
        demo = self.env.ref('base.user_demo')
        request = self.requests.filtered(lambda r: r.sudo().deeper_needs)[:1]
        self.assertTrue(request.with_user(demo).has_access('read'))
        report = 'kam_key_account.action_report_kam_service_request'
        html = str(self.env['ir.actions.report'].with_user(demo)._render_qweb_html(report, request.ids)[0])
        self.assertNotIn(request.deeper_needs, html)
        html = str(self.env['ir.actions.report'].with_user(self.env.ref('kam_key_account.kam_supervisor'))
                   ._render_qweb_html(report, request.ids)[0])
        self.assertIn(request.deeper_needs, html, "Key Accounts users print it")
