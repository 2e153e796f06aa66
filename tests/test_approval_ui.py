"""The approval UI is defined once (views/kam_approval_templates.xml) and injected into
every process's form and search views by `kam.process.mixin._get_view`."""
from lxml import etree

from odoo.tests import HttpCase
from odoo.tools.safe_eval import safe_eval
from odoo.tools.view_validation import valid_view

from .common import KamScreeningCommon
from .test_visit import KamVisitCommon

PROCESSES = ('kam.screening', 'kam.visit')


class TestApprovalUi(KamScreeningCommon):

    def _arch(self, model, view_type, user=None, view_id=False, lang='en_US'):
        Model = self.env[model].with_user(user or self.kam_user).with_context(lang=lang)
        return etree.fromstring(Model.get_views([(view_id, view_type)])['views'][view_type]['arch'])

    def assertOnce(self, arch, xpath, msg=None):
        self.assertEqual(len(arch.xpath(xpath)), 1, msg or xpath)

    def assertApprovalForm(self, arch):
        for xpath in ("/form/header/button[@name='action_request_approval']",
                      "/form/header/button[@name='action_approve'][@invisible='not can_approve']",
                      "/form/header/button[@name='action_open_approval_wizard'][contains(@context, 'rejected')]",
                      "/form/div[@name='kam_approval_banner'][following-sibling::sheet]",
                      "/form/sheet/div[@name='button_box']/button[@name='action_open_approval_history']",
                      "/form/sheet/notebook/page[@name='kam_approval']/field[@name='approval_review_ids']"):
            self.assertOnce(arch, xpath)
        banner = arch.xpath("//div[@name='kam_approval_banner']")[0]
        self.assertEqual(banner.get('invisible'), "approval_state != 'pending'")
        self.assertEqual(
            {node.get('name') for node in banner.iter('field')},
            {'approval_review_id', 'approval_reviewer_ids', 'approval_deadline'})
        self.assertIn('Waiting for', ''.join(banner.itertext()))

    def assertApprovalSearch(self, arch):
        for name in ('to_approve', 'pending', 'approved', 'rejected'):
            self.assertOnce(arch, f"/search/filter[@name='{name}']")

    def test_forms_and_searches_of_every_process_get_the_approval_ui_once(self):
        for model in PROCESSES:
            with self.subTest(model=model):
                form = self._arch(model, 'form')
                self.assertApprovalForm(form)
                # The override is the General Manager's: removed for the others by its groups.
                self.assertFalse(form.xpath("//button[contains(@context, 'override')]"))
                gm_form = self._arch(model, 'form', user=self.kam_gm)
                self.assertOnce(gm_form, "/form/header/button[@name='action_open_approval_wizard']"
                                         "[contains(@context, 'override')][@invisible='not can_override_approval']")
                self.assertApprovalSearch(self._arch(model, 'search'))

    def test_the_fields_of_the_injected_nodes_are_loaded(self):
        for model in PROCESSES:
            with self.subTest(model=model):
                views = self.env[model].with_user(self.kam_user).get_views([(False, 'form')])
                fields = views['models'][model]['fields']
                for name in ('approval_state', 'can_approve', 'can_override_approval', 'approval_round',
                             'approval_review_id', 'approval_reviewer_ids', 'approval_deadline',
                             'approval_review_ids'):
                    self.assertIn(name, fields)
                self.assertIn('decision_ids', views['models']['kam.approval.review']['fields'])

    def test_injected_views_pass_odoo_view_validation(self):
        for model in PROCESSES:
            for view_type in ('form', 'search'):
                with self.subTest(model=model, view_type=view_type):
                    arch, view = self.env[model]._get_view(view_type=view_type)
                    self.assertTrue(arch.xpath("//*[@name='kam_approval' or @name='to_approve']"))
                    view._validate_view(arch, model)
                    self.assertTrue(valid_view(arch, env=self.env, model=model))

    def test_an_inherited_view_gets_the_approval_ui_once(self):
        base = self.env.ref('kam_key_account.kam_screening_view_form')
        # An extension that moves the notebook's last page and a primary view on top of it.
        View = self.env['ir.ui.view']
        View.create({
            'name': 'kam.screening.form.test.extension', 'model': 'kam.screening', 'inherit_id': base.id,
            'arch': '<xpath expr="//page[@name=\'needs\']" position="after"><page name="extra" string="Extra"/></xpath>'})
        primary = View.create({
            'name': 'kam.screening.form.test.primary', 'model': 'kam.screening', 'inherit_id': base.id,
            'mode': 'primary', 'arch': '<field name="partner_id" position="after"><field name="likelihood"/></field>'})
        search = View.create({
            'name': 'kam.screening.search.test.primary', 'model': 'kam.screening', 'mode': 'primary',
            'inherit_id': self.env.ref('kam_key_account.kam_screening_view_search').id,
            'arch': '<filter name="my" position="after"><filter name="mine_too" string="Mine" '
                    'domain="[(\'user_id\', \'=\', uid)]"/></filter>'})
        self.assertApprovalForm(self._arch('kam.screening', 'form'))
        self.assertApprovalForm(self._arch('kam.screening', 'form', view_id=primary.id))
        self.assertApprovalSearch(self._arch('kam.screening', 'search', view_id=search.id))

    def test_a_view_that_already_holds_a_node_does_not_get_it_twice(self):
        base = self.env.ref('kam_key_account.kam_screening_view_form')
        self.env['ir.ui.view'].create({
            'name': 'kam.screening.form.test.own.page', 'model': 'kam.screening', 'inherit_id': base.id,
            'arch': '<notebook position="inside"><page name="kam_approval" string="Our own approvals">'
                    '<field name="approval_review_ids"/></page></notebook>'})
        form = self._arch('kam.screening', 'form')
        self.assertOnce(form, "//page[@name='kam_approval']")
        self.assertEqual(form.xpath("//page[@name='kam_approval']/@string"), ['Our own approvals'])

    def test_each_process_words_its_request(self):
        screening = self._arch('kam.screening', 'form').xpath("//button[@name='action_request_approval']")[0]
        self.assertEqual(screening.get('string'), 'Request Approval')
        self.assertEqual(screening.get('invisible'), "approval_state not in ('draft', 'rejected')")
        self.assertIsNone(screening.getprevious(), "first in the screening's header")
        visit = self._arch('kam.visit', 'form').xpath("//button[@name='action_request_approval']")[0]
        self.assertEqual(visit.get('string'), 'Request Budget Approval')
        self.assertEqual(visit.get('invisible'),
                         "approval_state not in ('draft', 'rejected') or (not budget_over_threshold)")
        self.assertEqual(visit.getprevious().get('name'), 'action_book', "after the visit's booking")

    def test_the_approval_ui_reads_in_the_users_language(self):
        self.env['res.lang']._activate_lang('zh_CN')
        self.env.ref('kam_key_account.kam_approval_form_buttons').update_field_translations(
            'arch_db', {'zh_CN': {'Approve': '批准'}})
        self.env.ref('kam_key_account.kam_approval_search_filters').update_field_translations(
            'arch_db', {'zh_CN': {'Waiting for My Approval': '待我审批'}})
        for model in PROCESSES:
            with self.subTest(model=model):
                form = self._arch(model, 'form', lang='zh_CN')
                self.assertEqual(form.xpath("//button[@name='action_approve']/@string"), ['批准'])
                search = self._arch(model, 'search', lang='zh_CN')
                self.assertEqual(search.xpath("//filter[@name='to_approve']/@string"), ['待我审批'])
        self.assertEqual(self._arch('kam.visit', 'form').xpath("//button[@name='action_approve']/@string"),
                         ['Approve'], "the view cache is per language")

    def test_the_filters_find_what_they_say(self):
        waiting = self._new_screening(name='Waiting Industries')
        draft = self._new_screening(name='Draft Industries')
        waiting.with_user(self.kam_user).action_request_approval()
        search = self._arch('kam.screening', 'search', user=self.kam_supervisor)
        Screening = self.env['kam.screening'].with_user(self.kam_supervisor)
        for name, expected in (('to_approve', waiting), ('pending', waiting), ('approved', Screening),
                               ('rejected', Screening)):
            with self.subTest(filter=name):
                domain = safe_eval(search.xpath(f"//filter[@name='{name}']/@domain")[0], {'uid': self.kam_supervisor.id})
                self.assertEqual(Screening.search(domain) & (waiting | draft), expected)
        self.assertFalse(self.env['kam.screening'].with_user(self.kam_manager).search(safe_eval(
            search.xpath("//filter[@name='to_approve']/@domain")[0], {'uid': self.kam_manager.id})) & waiting,
            "not waiting for the manager yet")


class TestVisitApprovalBanner(KamVisitCommon, HttpCase):

    def test_a_visit_waiting_for_its_budget_shows_the_banner_and_the_page(self):
        visit = self._visit(budget_amount=8000)
        visit.action_request_approval()
        self.assertEqual(visit.approval_state, 'pending')
        self.start_tour(f'/odoo/key-account-visits/{visit.id}', 'kam_visit_approval_banner_tour',
                        login='kam_t_supervisor')
        self.assertEqual(visit.approval_state, 'approved')
