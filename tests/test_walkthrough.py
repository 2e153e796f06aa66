"""A walk-through of every Key Accounts menu, as each demo user would click it, in English
and in Chinese: each view of the menu's action loads, its records read with the web client's
specification, and the first record's form opens. An employee without any Key Accounts role
(`demo`) opens the menus it sees (My Opinions, My Service Tasks...). New processes and menus
are covered without a line here."""
from lxml import etree

from odoo.tests import TransactionCase, new_test_user

USERS = (
    'kam_key_account.kam_user_li', 'kam_key_account.kam_supervisor', 'kam_key_account.kam_manager',
    'kam_key_account.kam_director', 'kam_key_account.kam_gm', 'base.user_demo',
)
SUB_VIEWS = ('list', 'kanban', 'form')


def read_spec(arch, fields, env):
    """The web client's read specification of a view: its fields, with the display name of
    the related records and the fields of the embedded x2many views."""
    spec = {}
    for node in arch.iter('field'):
        if any(parent.tag in SUB_VIEWS and parent is not arch for parent in node.iterancestors()):
            continue
        name = node.get('name')
        field = fields.get(name)
        if not field or name in spec:
            continue
        if field['type'] == 'many2one':
            spec[name] = {'fields': {'display_name': {}}}
        elif field['type'] in ('one2many', 'many2many'):
            sub_arch = next((child for child in node if child.tag in ('list', 'kanban')), None)
            if sub_arch is not None:
                sub_fields = env[field['relation']].fields_get(attributes=['type', 'relation'])
                spec[name] = {'fields': read_spec(sub_arch, sub_fields, env)}
            elif (node.get('widget') or '').startswith('many2many'):  # tags, avatars: their names
                spec[name] = {'fields': {'display_name': {}}}
            else:  # ids only (activities, followers: their widgets fetch the rest themselves)
                spec[name] = {}
        else:
            spec[name] = {}
    return spec


class TestWalkThrough(TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env['res.lang']._activate_lang('zh_CN')
        cls.env['ir.module.module']._load_module_terms(['base', 'web', 'mail', 'kam_key_account'], ['zh_CN'])
        cls.users = cls.env['res.users']
        for xmlid in USERS:
            cls.users |= cls.env.ref(xmlid, raise_if_not_found=False) or cls.env['res.users']
        cls.archivist = new_test_user(
            cls.env, login='kam_t_walk_archivist', groups='base.group_user,kam_key_account.group_kam_archivist',
            name='Archivist', tz='Asia/Shanghai')
        data = cls.env['ir.model.data'].search([('module', '=', 'kam_key_account'), ('model', '=', 'ir.ui.menu')])
        cls.menus = cls.env['ir.ui.menu'].browse(data.mapped('res_id')).filtered(
            lambda menu: menu.action and menu.action._name == 'ir.actions.act_window')

    def _walk(self, user, lang):
        env = self.env(user=user, context={'lang': lang, 'tz': user.tz or 'UTC'})
        visible = env['ir.ui.menu']._visible_menu_ids()
        opened = 0
        # Reachable: the menu and every menu above it are visible.
        reachable = self.menus.filtered(
            lambda m: all(int(menu_id) in visible for menu_id in m.parent_path.strip('/').split('/')))
        for menu in reachable:
            action = menu.action.sudo()
            Model = env[action.res_model]
            modes = [mode for mode in action.view_mode.split(',') if mode != 'activity']
            view_ids = {view.view_mode: view.view_id.id for view in action.view_ids}
            views = Model.get_views([(view_ids.get(mode, False), mode) for mode in modes] + [(False, 'search')])
            fields = views['models'][action.res_model]['fields']
            records = Model.browse()
            for mode in modes:
                with self.subTest(user=user.login, lang=lang, menu=menu.complete_name, view=mode):
                    arch = etree.fromstring(views['views'][mode]['arch'])
                    spec = read_spec(arch, fields, env)
                    if mode in ('list', 'kanban'):
                        result = Model.web_search_read([], spec, limit=20)
                        records |= Model.browse([row['id'] for row in result['records']])
                    elif mode in ('pivot', 'graph', 'calendar'):
                        Model.search_read([], list(spec) or ['display_name'], limit=20)
            if records:
                form = Model.get_views([(view_ids.get('form', False), 'form')])
                spec = read_spec(etree.fromstring(form['views']['form']['arch']),
                                 form['models'][action.res_model]['fields'], env)
                with self.subTest(user=user.login, lang=lang, menu=menu.complete_name, view='form'):
                    records[:1].web_read(spec)
                    opened += 1
        return reachable, opened

    def test_every_menu_as_each_user_in_english_and_chinese(self):
        self.assertGreaterEqual(len(self.users), 5, "the demo users are installed")
        for user in self.users | self.archivist:
            for lang in ('en_US', 'zh_CN'):
                walked, opened = self._walk(user, lang)
                if user.has_group('kam_key_account.group_kam_user'):
                    self.assertGreaterEqual(len(walked), 15, f"{user.login} walks the Key Accounts app")
                    self.assertGreaterEqual(opened, 10, f"{user.login} opens records of the demo")
                elif user == self.archivist:
                    self.assertGreaterEqual(len(walked), 4, "the archive, and what is assigned")
                    self.assertGreaterEqual(opened, 1, "the archivist opens an approved document of the demo")
                else:
                    self.assertEqual(
                        set(walked.mapped('name')), {'My Problems', 'My Service Tasks', 'My Opinions'}
                        if lang == 'en_US' else set(walked.mapped('name')),
                        "an employee without a Key Accounts role reaches what is assigned to them")
                    self.assertEqual(len(walked), 3)
