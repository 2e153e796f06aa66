from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form
from odoo.tools import mute_logger

from .common import KamCommon


class TestAccountProfile(KamCommon):

    def _figure(self, **values):
        return self.env['kam.account.figure'].create(dict({
            'partner_id': self.account.id, 'fiscal_year': 2025}, **values))

    def test_ratios(self):
        figure = self._figure(
            current_assets=400, current_liabilities=200, total_assets=1000, revenue=2000,
            cost_of_sales=1460, net_profit=150, receivables=500, inventory=200)
        self.assertRecordValues(figure, [{
            'current_asset_ratio': 0.4,       # 400 / 1000
            'current_ratio': 2.0,             # 400 / 200
            'net_margin': 0.075,              # 150 / 2000
            'return_on_assets': 0.15,         # 150 / 1000
            'collection_days': 91.25,         # 500 / 2000 * 365
            'inventory_days': 50.0,           # 200 / 1460 * 365
        }])
        figure.net_profit = -100  # a loss is a figure like any other
        self.assertAlmostEqual(figure.net_margin, -0.05)
        self.assertAlmostEqual(figure.return_on_assets, -0.1)

    def test_ratio_with_zero_divisor_is_empty(self):
        figure = self._figure(current_assets=400, net_profit=10, receivables=5, inventory=3)
        for ratio in ('current_asset_ratio', 'current_ratio', 'net_margin', 'return_on_assets',
                      'collection_days', 'inventory_days'):
            self.assertFalse(figure[ratio], ratio)
        figure.total_assets = 800
        self.assertEqual(figure.current_asset_ratio, 0.5)
        self.assertFalse(figure.current_ratio, "still no current liabilities")

    def test_negative_figures_are_refused(self):
        for name in ('current_assets', 'current_liabilities', 'total_assets', 'revenue',
                     'cost_of_sales', 'receivables', 'inventory'):
            with self.subTest(figure=name), self.assertRaisesText(ValidationError, 'cannot be negative'):
                self._figure(**{name: -1})
        self.assertFalse(self.account.kam_figure_ids, "nothing saved")

    def test_one_set_of_figures_per_year(self):
        self._figure(revenue=1)
        self.assertEqual(self.account.kam_figure_ids.fiscal_year, 2025)
        with mute_logger('odoo.sql_db'), self.assertRaises(IntegrityError), self.cr.savepoint():
            self._figure(revenue=2)

    def test_qualifying_tier_follows_annual_sales(self):
        self.account_2.kam_annual_sales = 6_000_000
        self.assertEqual(self.account_2.kam_qualifying_tier_id, self.tier_key)
        self.account_2.kam_annual_sales = 500
        self.assertFalse(self.account_2.kam_qualifying_tier_id)
        self.assertFalse(self.account_2.kam_tier_id, "the qualifying tier is only a suggestion")

    def test_profile_through_the_form(self):
        with Form(self.account.with_user(self.kam_user)) as form:
            form.kam_annual_sales = 25_000_000
            form.kam_customers_profile = 'Automotive OEMs in East China'
            self.assertEqual(form.kam_qualifying_tier_id, self.tier_strategic)
            with form.kam_figure_ids.new() as line:
                line.fiscal_year = 2024
                line.current_assets = 300
                line.total_assets = 600
                self.assertEqual(line.current_asset_ratio, 0.5)
            with form.kam_contact_ids.new() as person:
                person.name = 'Sun Li'
                person.kam_contact_role = 'influencer'
                person.kam_preferred_contact_manner = 'phone'
                person.kam_preferred_contact_time = 'Afternoons'
        self.assertEqual(self.account.kam_figure_ids.current_asset_ratio, 0.5)
        person = self.account.child_ids.filtered(lambda c: c.name == 'Sun Li')
        self.assertEqual(person.kam_contact_role, 'influencer')
        self.assertEqual(person.commercial_partner_id, self.account)

    def test_decision_maker_hierarchy(self):
        boss = self.contact
        assistant = self.env['res.partner'].create({
            'name': 'Assistant', 'parent_id': self.account.id, 'kam_contact_role': 'gatekeeper',
            'kam_reports_to_id': boss.id, 'kam_habits': 'Prefers short calls'})
        self.assertEqual(assistant.kam_reports_to_id, boss)
        self.assertIn(assistant, self.account.kam_contact_ids)
        self.assertNotIn(self.account, self.account.kam_contact_ids)

    def test_qualifying_tier_of_many_partners_costs_two_queries(self):
        partners = self.env['res.partner'].create([
            {'name': f'Sized {i}', 'is_company': True, 'kam_annual_sales': i * 1_500_000} for i in range(20)])
        self.env.invalidate_all()
        partners.mapped('kam_annual_sales')  # the partners themselves are read first
        with self.assertQueryCount(2):  # the tiers: one search, one read; not one per partner
            tiers = partners.mapped('kam_qualifying_tier_id')
        self.assertEqual(tiers, self.tier_potential | self.tier_key | self.tier_strategic)
        self.assertEqual(partners[3].kam_qualifying_tier_id, self.tier_potential, "4.5M is below Key's 5M")
        self.assertEqual(partners[4].kam_qualifying_tier_id, self.tier_key, "6M")


class TestFiguresBelongToTheirAccount(KamCommon):
    """Figures are part of their account: creating them on, or moving them to, an account
    the user does not manage is a write on that account, and is refused."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.figure = cls.env['kam.account.figure'].create(
            {'partner_id': cls.account.id, 'fiscal_year': 2024, 'revenue': 100})

    def test_kam_user_keeps_their_accounts_figures(self):
        figure = self.figure.with_user(self.kam_user)
        figure.revenue = 120
        other_year = self.env['kam.account.figure'].with_user(self.kam_user).create(
            {'partner_id': self.account.id, 'fiscal_year': 2023, 'revenue': 90})
        self.assertEqual(other_year.partner_id, self.account)

    def test_figures_cannot_be_created_on_anothers_account(self):
        with self.assertRaises(AccessError):
            self.env['kam.account.figure'].with_user(self.kam_user).create(
                {'partner_id': self.account_2.id, 'fiscal_year': 2024, 'revenue': 1})

    def test_figures_cannot_be_moved_to_anothers_account(self):
        with self.assertRaises(AccessError):
            self.figure.with_user(self.kam_user).write({'partner_id': self.account_2.id})
        self.assertEqual(self.figure.partner_id, self.account)
        with self.assertRaises(AccessError):
            self.account_2.with_user(self.kam_user).kam_figure_ids = [(4, self.figure.id)]
        self.assertEqual(self.figure.partner_id, self.account)

    def test_supervisor_moves_figures_anywhere(self):
        self.figure.with_user(self.kam_supervisor).partner_id = self.account_2
        self.assertEqual(self.figure.partner_id, self.account_2)
