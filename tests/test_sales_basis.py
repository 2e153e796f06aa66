from datetime import date

from .common import KamCommon


class TestSalesBasisWithoutBooks(KamCommon):
    """Without the accounting bridge the books say nothing: S2 takes the hand-typed basis,
    and D4's per-product history gets no lines (its callers use their own)."""

    def test_hand_typed_basis_is_the_basis(self):
        if 'kam.sales.candidate' in self.env:
            self.skipTest("the accounting bridge is installed: tests_account/ covers it")
        self.account.kam_annual_sales = 6_000_000
        self.assertRecordValues(self.account.with_user(self.kam_user), [{
            'kam_sales_basis': 6_000_000, 'kam_sales_basis_source': 'manual',
            'kam_qualifying_tier_id': self.tier_key.id,
        }])
        Partner = self.env['res.partner'].with_user(self.kam_user)
        span = (date(2025, 1, 1), date(2025, 12, 31))
        self.assertEqual(Partner._kam_sales_by_product(self.account, *span), [])
        self.assertEqual(Partner._kam_sales_by_month(self.account, *span), {})
        self.assertEqual(Partner._kam_sales_by_fiscal_year(self.account, *span), {})
