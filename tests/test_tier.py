from odoo.exceptions import ValidationError
from odoo.tests import Form

from .common import KamCommon


class TestTier(KamCommon):

    def test_default_tiers_ascend(self):
        tiers = self.tier_potential | self.tier_key | self.tier_strategic
        self.assertEqual(tiers.mapped('code'), ['POT', 'KEY', 'STR'])
        self.assertEqual(tiers.sorted().ids, tiers.ids, "ordered by sequence")
        minimums = tiers.mapped('min_annual_sales')
        self.assertEqual(minimums, sorted(set(minimums)))

    def test_tier_for_amount(self):
        Tier = self.env['kam.tier']
        self.assertFalse(Tier._get_tier_for_amount(0))
        self.assertFalse(Tier._get_tier_for_amount(999_999))
        self.assertEqual(Tier._get_tier_for_amount(1_000_000), self.tier_potential, "the minimum itself qualifies")
        self.assertEqual(Tier._get_tier_for_amount(4_999_999), self.tier_potential)
        self.assertEqual(Tier._get_tier_for_amount(5_000_000), self.tier_key)
        self.assertEqual(Tier._get_tier_for_amount(19_999_999.99), self.tier_key)
        self.assertEqual(Tier._get_tier_for_amount(50_000_000), self.tier_strategic)

    def test_company_tiers_sit_on_the_shared_ladder(self):
        Tier = self.env['kam.tier']
        platinum = Tier.create({'name': 'Platinum', 'code': 'PLT', 'sequence': 40,
                                'min_annual_sales': 80_000_000, 'company_id': self.company_2.id})
        self.assertEqual(Tier._get_tier_for_amount(90_000_000, self.company_2), platinum)
        self.assertEqual(Tier._get_tier_for_amount(90_000_000, self.company), self.tier_strategic,
                         "another company's tier never applies")

    def test_minimum_must_exceed_previous_tier(self):
        with self.assertRaisesText(ValidationError, 'must require more annual sales'):
            self.env['kam.tier'].create({
                'name': 'Gold', 'code': 'GLD', 'sequence': 25, 'min_annual_sales': 3_000_000})
        with self.assertRaisesText(ValidationError, 'must require more annual sales'):
            self.tier_strategic.min_annual_sales = 5_000_000  # equal is not enough
        self.assertEqual(self.tier_strategic.min_annual_sales, 20_000_000)
        with self.assertRaises(ValidationError):
            self.tier_potential.sequence = 99
        # In its place, a new tier is welcome.
        gold = self.env['kam.tier'].create({
            'name': 'Gold', 'code': 'GLD', 'sequence': 25, 'min_annual_sales': 10_000_000})
        self.assertEqual(self.env['kam.tier']._get_tier_for_amount(12_000_000), gold)

    def test_negative_minimum_is_refused(self):
        with self.assertRaisesText(ValidationError, 'cannot be negative'):
            self.env['kam.tier'].create({
                'name': 'Below', 'code': 'NEG', 'sequence': 1, 'min_annual_sales': -1})

    def test_partner_count_uses_one_query(self):
        accounts = self.env['res.partner'].create([
            {'name': f'Counted {i}', 'is_company': True, 'kam_tier_id': self.tier_strategic.id}
            for i in range(5)])
        tiers = (self.tier_potential | self.tier_key | self.tier_strategic).with_env(self.env)
        tiers.invalidate_recordset(['partner_count'])
        key_before = self.env['res.partner'].search_count([('kam_tier_id', '=', self.tier_key.id)])
        with self.assertQueryCount(1):
            counts = tiers.mapped('partner_count')
        self.assertEqual(counts[1], key_before)
        self.assertGreaterEqual(counts[2], len(accounts))

    def test_tier_form(self):
        with Form(self.env['kam.tier']) as form:
            form.name = 'Diamond'
            form.code = 'DIA'
            form.sequence = 90
            form.min_annual_sales = 100_000_000
        tier = form.record
        self.assertEqual(tier.company_id, self.env.company)
        self.assertEqual(tier.currency_id, self.env.company.currency_id)
        self.assertEqual(tier.partner_count, 0)
