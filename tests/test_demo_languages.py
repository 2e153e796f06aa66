"""The demo reads in the language of the team that plays it (README, "Demo data"): each step
is run by the user who would act, in their language, so what it stores (approval activity
summaries, chatter entries, notes) is written in that language, as the web client would."""
import re

from odoo.exceptions import UserError
from odoo.tests import TransactionCase
from odoo.tools import html2plaintext

from .common import KamScreeningCommon

CJK = re.compile(r'[\u4e00-\u9fff]')


class TestDemoLanguages(TransactionCase):
    """On the demo records `make test` installs (zh_CN active, the demo users as README says)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        cls.li, cls.emma = ref('kam_key_account.kam_user_li'), ref('kam_key_account.kam_user_emma')
        cls.supervisor, cls.manager, cls.gm = (
            ref(f'kam_key_account.{xmlid}') for xmlid in ('kam_supervisor', 'kam_manager', 'kam_gm'))
        cls.step_zh = ref('kam_key_account.kam_approval_step_screening_manager').with_context(lang='zh_CN').name

    def _model_name(self, model, lang):
        return self.env['ir.model'].with_context(lang=lang)._get(model).name

    def test_demo_team_languages(self):
        self.assertEqual(set((self.li | self.supervisor | self.manager | self.gm).mapped('lang')), {'zh_CN'})
        self.assertEqual(self.emma.lang, 'en_US')
        self.assertTrue(CJK.search(self.step_zh), "our zh_CN terms are loaded")

    def test_chinese_steps_are_stored_in_chinese(self):
        # Requested by Li, reviewed by the supervisor: the manager's reminder and the chatter.
        screening = self.env.ref('kam_key_account.kam_screening_demo_hangzhou')
        reminder = screening.activity_ids.filtered(lambda a: a.user_id == self.manager)
        self.assertEqual(reminder.summary, self.step_zh)
        self.assertTrue(CJK.search(html2plaintext(reminder.note)), reminder.note)
        created = screening.message_ids.sorted('id')[:1]
        self.assertEqual(created.author_id, self.li.partner_id, "created by its owner, not by the installer")
        self.assertIn(self._model_name('kam.screening', 'zh_CN'), created.body)
        self.assertNotIn('created', created.body)
        # The engine's own texts (env._), here the visit's reminder of the supervisor.
        visit = self.env.ref('kam_key_account.kam_visit_demo_xinneng')
        self.assertTrue(visit.message_ids.filtered(lambda m: m.author_id == self.supervisor.partner_id
                                                   and CJK.search(html2plaintext(m.body or ''))
                                                   and visit.problem_ids.description in m.body),
                        "the problems raised, in the supervisor's words")

    def test_english_steps_are_stored_in_english(self):
        visit = self.env.ref('kam_key_account.kam_visit_demo_northwind')
        booked = visit.activity_ids.filtered(lambda a: a.user_id == self.emma)
        self.assertTrue(booked.summary.startswith('Visit: '), booked.summary)
        created = visit.message_ids.sorted('id')[:1]
        self.assertEqual(created.author_id, self.emma.partner_id)
        self.assertIn(f"{self._model_name('kam.visit', 'en_US')} created", created.body)

    def test_demo_loader_follows_its_users_language(self):
        # A fresh set of demo requests, with the whole team in English, then in Chinese: the
        # request under review reminds the supervisor in the team's language.
        team = self.li | self.emma | self.supervisor | self.manager | self.gm
        Request = self.env['kam.service.request']
        for lang, step in (('en_US', 'Supervisor Review'),
                           ('zh_CN', self.env.ref('kam_key_account.kam_approval_step_service_supervisor')
                            .with_context(lang='zh_CN').name)):
            with self.subTest(lang=lang):
                team.write({'lang': lang})
                before = Request.search([])
                Request._kam_demo_load()
                pending = (Request.search([]) - before).filtered(lambda r: r.approval_state == 'pending')
                self.assertEqual(len(pending), 1)
                self.assertEqual(pending.activity_ids.mapped('summary'), [step])
                self.assertEqual(bool(CJK.search(pending.message_ids.sorted('id')[:1].body)), lang == 'zh_CN')


class TestTextsInTheUsersLanguage(KamScreeningCommon):
    """Outside the demo: texts stored without a language in the context, and the errors."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env['res.lang']._activate_lang('zh_CN')
        cls.env['ir.module.module']._load_module_terms(['kam_key_account'], ['zh_CN'])
        cls.kam_user.lang = 'zh_CN'
        cls.model_zh = cls.env['ir.model'].with_context(lang='zh_CN')._get('kam.screening').name

    def test_creation_note_in_one_language_when_the_context_names_none(self):
        # An install, the mail gateway or an RPC call without context: mail's _() takes the
        # creator's language; the document's name follows it ("大客户筛选 创建", not
        # "Key-Account Screening 创建").
        partner = self.env['res.partner'].create({'name': 'No Context Ltd', 'is_company': True})
        screening = self.env['kam.screening'].with_user(self.kam_user).with_context(
            lang=None, mail_create_nolog=False).create({'partner_id': partner.id})
        body = screening.message_ids.sorted('id')[:1].body
        self.assertIn(self.model_zh, body)
        self.assertNotIn('Key-Account', body)

    def test_missing_chain_error_names_the_document_in_the_users_language(self):
        self.env['kam.approval.chain'].search([('model', '=', 'kam.screening')]).active = False
        with self.assertRaisesText(UserError, self.model_zh):
            self.screening.with_user(self.kam_user).with_context(lang='zh_CN').action_request_approval()


class TestDemoCurrency(TransactionCase):
    """The demo's amounts are in the company's currency, the one our tiers, thresholds and
    the books compare against (README, "Demo data": why not a KAM currency of their own)."""

    def test_demo_amounts_in_the_company_currency(self):
        currency = self.env.ref('base.main_company').currency_id
        figures = self.env['kam.account.figure'].search([('partner_id.kam_manager_id', '!=', False)])
        self.assertGreaterEqual(len(figures), 12)
        self.assertEqual(figures.currency_id, currency, "one currency: the list's and pivot's totals add up")
        visits = self.env['kam.visit'].search([('budget_amount', '>', 0)])
        self.assertTrue(visits)
        self.assertEqual(visits.currency_id, currency)
        screening = self.env.ref('kam_key_account.kam_screening_demo_suzhou')
        self.assertEqual(screening.currency_id, currency)
        self.assertEqual(self.env.ref('kam_key_account.kam_tier_strategic').currency_id, currency)
