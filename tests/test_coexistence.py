"""Living in someone else's Odoo: users without a Key Accounts role keep working.

The web client opens a view with `get_views`, builds a read specification from the
fields of the arch it received, then calls `web_read` / `web_search_read`. These tests do
the same for every view the addon inherits (found in the database, so a new inherited
view is covered without touching this file), as each kind of user.
"""
from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import KamCommon

X2MANY = ('one2many', 'many2many')
RELATIONAL = ('many2one', 'one2many', 'many2many', 'many2one_reference')
SUBVIEWS = ('list', 'kanban', 'form')


def read_spec(node, fields_by_model, model):
    """The specification the web client builds from an arch: every <field> of `node`,
    x2many fields with the fields of their own subview."""
    spec = {}
    for child in node:
        if not isinstance(child.tag, str):
            continue
        if child.tag != 'field':
            spec.update(read_spec(child, fields_by_model, model))
            continue
        name = child.get('name')
        field = fields_by_model[model][name]
        if field['type'] in X2MANY:
            subview = next((sub for sub in child if sub.tag in SUBVIEWS), None)
            sub_spec = read_spec(subview, fields_by_model, field['relation']) if subview is not None else {}
            spec[name] = {'fields': sub_spec or {'display_name': {}}}
        elif field['type'] in RELATIONAL:
            spec[name] = {'fields': {'display_name': {}}}
        else:
            spec[name] = {}
    return spec


class KamCoexistenceCommon(KamCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.account.with_user(cls.kam_manager).write({
            'kam_is_key_account': True, 'kam_confirmed_date': '2025-06-30',
            'kam_product_category_ids': [(6, 0, cls.env['kam.classification'].search(
                [('kind', '=', 'product_category')], limit=1).ids)],
        })
        cls.account.write({'kam_annual_sales': 8_000_000, 'kam_habits': 'Board meets on Mondays'})
        cls.contact.write({'kam_attitude': 'supportive', 'kam_habits': 'Early riser',
                           'kam_preferred_contact_manner': 'phone'})
        cls.env['kam.account.figure'].create({'partner_id': cls.account.id, 'fiscal_year': 2024,
                                              'revenue': 1000, 'total_assets': 2000})
        cls.env['kam.contact.note'].create({'contact_id': cls.contact.id, 'character': 'Careful'})
        cls.lead = cls.env['crm.lead'].create({
            'name': 'Key account opportunity', 'partner_id': cls.contact.id, 'type': 'opportunity',
            'user_id': False})
        cls.flush_tracking(cls)


class TestInheritedViewsAsEachUser(KamCoexistenceCommon):

    def _inherited_views(self):
        data = self.env['ir.model.data'].search([('module', '=', 'kam_key_account'), ('model', '=', 'ir.ui.view')])
        # The portal's QWeb pages are opened in tests/test_suggestion_portal.py.
        views = self.env['ir.ui.view'].browse(data.mapped('res_id')).filtered(
            lambda view: view.inherit_id and view.type != 'qweb')
        self.assertGreaterEqual(len(views), 6, "the partner, lead and company views at least")
        return views

    def _records(self, model):
        return {
            'res.partner': self.account | self.contact,
            'crm.lead': self.lead,
            'res.company': self.company,
        }.get(model, self.env[model])

    @staticmethod
    def _root(view):
        while view.mode == 'extension' and view.inherit_id:
            view = view.inherit_id
        return view

    def _open_view_as(self, user, view):
        """Load the view as the client does and read what it asks for."""
        root = self._root(view)
        Model = self.env[root.model].with_user(user)
        result = Model.get_views([(root.id, root.type)])
        arch = etree.fromstring(result['views'][root.type]['arch'])
        fields_by_model = {model: info['fields'] for model, info in result['models'].items()}
        spec = read_spec(arch, fields_by_model, root.model)
        records = self._records(root.model)
        if root.type == 'form':
            for record in records:
                values = record.with_user(user).web_read(spec)
                self.assertEqual(values[0]['id'], record.id)
        elif root.type in ('list', 'kanban'):
            domain = [('id', 'in', records.ids)] if records else []
            Model.web_search_read(domain, spec, limit=20)
        elif root.type == 'search':
            self._search_as(Model, arch, user)
        return spec

    def _search_as(self, Model, arch, user):
        """Apply the addon's filters and search fields as the user would."""
        for node in arch.iter('filter', 'field'):
            domain = node.get('domain') if node.tag == 'filter' else node.get('filter_domain')
            if not domain or 'kam_' not in domain + (node.get('name') or ''):
                continue
            domain = safe_eval(domain, {'uid': user.id, 'self': 'Key'})
            Model.web_search_read(domain, {'display_name': {}}, limit=5)

    def _check_views_as(self, user, models=None):
        opened = 0
        for view in self._inherited_views():
            root = self._root(view)
            if models and root.model not in models:
                continue
            if not self.env[root.model].with_user(user).has_access('read'):
                continue
            with self.subTest(user=user.login, view=view.xml_id or view.name):
                self._open_view_as(user, view)
                opened += 1
        self.assertTrue(opened, f"{user.login} opened no view")

    def test_employee_without_kam_role_opens_contacts(self):
        """The reported bug: 'Failed to read field res.partner.kam_figure_ids'."""
        self._check_views_as(self.employee)
        spec = self._open_view_as(self.employee, self.env.ref('kam_key_account.res_partner_view_form_inherit_kam'))
        self.assertNotIn('kam_figure_ids', spec)
        self.assertNotIn('kam_attitude', spec)
        self.assertIn('kam_tier_id', spec, "employees see the tier")

    def test_salesman_without_kam_role_opens_contacts_and_leads(self):
        self._check_views_as(self.salesman)
        lead_form = self._open_view_as(self.salesman, self.env.ref('kam_key_account.crm_lead_view_form_inherit_kam'))
        self.assertIn('kam_tier_id', lead_form)
        self.assertNotIn('kam_visit_id', lead_form)
        values = self.lead.with_user(self.salesman).web_read({'kam_tier_id': {'fields': {'display_name': {}}}})
        self.assertEqual(values[0]['kam_tier_id']['id'], self.tier_key.id)
        for view_type in ('kanban', 'search'):
            with self.subTest(view_type=view_type):
                Lead = self.env['crm.lead'].with_user(self.salesman)
                arch = Lead.get_views([(False, view_type)])['views'][view_type]['arch']
                self.assertIn('kam_tier_id', arch)

    def test_partner_manager_without_kam_role_opens_contacts(self):
        self._check_views_as(self.partner_manager)

    def test_kam_user_opens_everything(self):
        self._check_views_as(self.kam_user)
        spec = self._open_view_as(self.kam_user, self.env.ref('kam_key_account.res_partner_view_form_inherit_kam'))
        for name in ('kam_figure_ids', 'kam_attitude', 'kam_habits', 'kam_annual_sales', 'kam_visit_count'):
            self.assertIn(name, spec)

    def test_key_accounts_views_as_kam_user(self):
        """The addon's own partner list and kanban, read by the people they are for."""
        Partner = self.env['res.partner'].with_user(self.kam_user)
        for xmlid, view_type in (('kam_key_account.res_partner_view_list_kam', 'list'),
                                 ('kam_key_account.res_partner_view_kanban_kam', 'kanban')):
            with self.subTest(view=xmlid):
                result = Partner.get_views([(self.env.ref(xmlid).id, view_type)])
                arch = etree.fromstring(result['views'][view_type]['arch'])
                fields = {m: info['fields'] for m, info in result['models'].items()}
                records = Partner.web_search_read([('id', '=', self.account.id)],
                                                  read_spec(arch, fields, 'res.partner'))
                self.assertEqual(records['records'][0]['kam_tier_id']['id'], self.tier_key.id)

    def test_every_field_on_odoo_models_is_grouped_and_not_copied(self):
        for model in ('res.partner', 'crm.lead'):
            for name, field in self.env[model]._fields.items():
                if field._module != 'kam_key_account' or not name.startswith('kam_'):
                    continue
                with self.subTest(field=f'{model}.{name}'):
                    self.assertTrue(field.groups, "carries groups")
                    self.assertFalse(field.copy, "copy=False")
        assessments = ('kam_contact_role', 'kam_influence', 'kam_attitude', 'kam_reports_to_id',
                       'kam_habits', 'kam_figure_ids', 'kam_annual_sales', 'kam_customers_profile')
        for name in assessments:
            self.assertEqual(self.env['res.partner']._fields[name].groups, 'kam_key_account.group_kam_user')
        self.assertEqual(self.env['crm.lead']._fields['kam_visit_id'].groups, 'kam_key_account.group_kam_user')


class TestPortalContactSeesNoAssessment(KamCoexistenceCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_contact = cls.env['res.partner'].create({
            'name': 'Portal Buyer', 'parent_id': cls.account.id, 'email': 'buyer@example.com',
            'kam_attitude': 'opposed', 'kam_influence': 'low', 'kam_habits': 'Hates cold calls'})
        cls.portal = new_test_user(cls.env, login='kam_t_portal', groups='base.group_portal',
                                   partner_id=cls.portal_contact.id)
        cls.readable = cls.portal_contact | cls.account | cls.contact

    def test_fields_get_lists_no_kam_field(self):
        fields = self.env['res.partner'].with_user(self.portal).fields_get()
        self.assertFalse([name for name in fields if name.startswith('kam_')])
        self.assertIn('name', fields)

    def test_read_search_read_web_read_give_no_kam_field(self):
        Partner = self.env['res.partner'].with_user(self.portal)
        partners = self.readable.with_user(self.portal)
        # The stored fields fields_get offers the portal user (some x2many and computed
        # fields, such as bank accounts or activities, are refused by Odoo itself).
        offered = [name for name, field in Partner.fields_get(attributes=['type']).items()
                   if field['type'] not in X2MANY and Partner._fields[name].store]
        for values in (partners.read(offered), Partner.search_read([('id', 'in', self.readable.ids)], offered)):
            self.assertEqual(len(values), 3, "the portal user reads themselves, their company, a colleague")
            for row in values:
                self.assertFalse([name for name in row if name.startswith('kam_')], row['name'])
        names = [name for name in self.env['res.partner']._fields if name.startswith('kam_')]
        self.assertIn('kam_attitude', names)
        for name in names:
            with self.subTest(field=name):
                with self.assertRaises(AccessError):
                    partners.read([name])
                with self.assertRaises(AccessError):
                    partners.web_read({name: {}})
                with self.assertRaises(AccessError):
                    Partner.search_read([('id', 'in', self.readable.ids)], [name])
        self.assertEqual(partners.web_read({'name': {}})[0]['name'], self.portal_contact.name)

    def test_portal_cannot_search_on_assessments(self):
        with self.assertRaises(AccessError):
            self.env['res.partner'].with_user(self.portal).search([('kam_attitude', '=', 'opposed')])


class TestDuplicate(KamCoexistenceCommon):
    """Duplicate works for everyone who may create contacts (a plain employee may not,
    in Odoo itself); what only the engine or a manager sets is not copied."""

    def test_duplicate_contact_and_account_without_kam_role(self):
        for user in (self.salesman, self.partner_manager):
            for partner in (self.contact, self.account):
                with self.subTest(user=user.login, partner=partner.name):
                    copy = partner.with_user(user).copy()
                    self.assertTrue(copy.name.startswith(partner.name))
                    self.assertFalse(copy.sudo().kam_tier_id)
                    self.assertFalse(copy.sudo().kam_attitude)

    def test_duplicate_key_account_as_kam_user(self):
        copy = self.account.with_user(self.kam_user).copy()
        self.assertRecordValues(copy, [{
            'kam_tier_id': False, 'kam_manager_id': False, 'kam_is_key_account': False,
            'kam_confirmed_date': False, 'kam_annual_sales': 0.0, 'kam_habits': False}])
        self.assertFalse(copy.kam_figure_ids)
        self.assertTrue(self.account.kam_figure_ids, "the original keeps its figures")

    def test_duplicate_contact_as_kam_user_copies_no_assessment(self):
        copy = self.contact.with_user(self.kam_user).copy()
        self.assertFalse(copy.kam_attitude)
        self.assertFalse(copy.kam_contact_role)


@tagged('post_install', '-at_install')
class TestEmployeeOpensKeyAccountContactTour(HttpCase):
    """A plain employee (no Key Accounts role) opens a key account's contact in the browser."""

    def test_employee_opens_key_account_contact(self):
        new_test_user(self.env, login='kam_t_tour_employee', groups='base.group_user',
                      name='Tour Employee', password='kam_t_tour_employee')
        account = self.env['res.partner'].create({
            'name': 'Tour Key Account Co.', 'is_company': True, 'kam_is_key_account': True,
            'kam_tier_id': self.env.ref('kam_key_account.kam_tier_key').id})
        contact = self.env['res.partner'].create({
            'name': 'Tour Decision Maker', 'parent_id': account.id, 'kam_attitude': 'supportive',
            'kam_habits': 'Prefers mornings'})
        self.env['kam.account.figure'].create({'partner_id': account.id, 'fiscal_year': 2024, 'revenue': 10})
        self.start_tour(f'/odoo/contacts/{contact.id}', 'kam_employee_opens_contact',
                        login='kam_t_tour_employee')
        self.start_tour(f'/odoo/contacts/{account.id}', 'kam_employee_opens_account',
                        login='kam_t_tour_employee')
