from datetime import date, timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import Form, new_test_user

from .common import KamBooksCommon


class TestSalesFromBooks(KamBooksCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({'fiscalyear_last_day': 31, 'fiscalyear_last_month': '3'})
        customer, contact = cls.customer, cls.customer_contact
        cls._post(customer, date(2025, 3, 15), [(cls.product_a, 1, 100.0)])
        cls._post(contact, date(2025, 4, 10), [(cls.product_a, 1, 120.0), (cls.product_b, 2, 40.0)])
        cls._post(customer, date(2025, 4, 20), [(cls.product_b, 1, 30.0)], move_type='out_refund')
        # 800 in the foreign currency, at 2 per unit of the company's: 400 in the books.
        cls._post(customer, date(2026, 1, 5), [(cls.product_a, 4, 200.0)], currency=cls.foreign_currency)
        # Neither a draft invoice nor a vendor bill is a sale.
        cls._post(customer, date(2025, 4, 11), [(cls.product_a, 1, 9999.0)], post=False)
        cls._post(customer, date(2025, 4, 12), [(cls.product_a, 1, 7777.0)], move_type='in_invoice')
        cls.Partner = cls.env['res.partner']

    def test_sales_per_month(self):
        figures = self.Partner.with_user(self.kam_user)._kam_sales_by_month(
            self.customer, date(2025, 1, 1), date(2026, 12, 31))
        customer = self.customer.with_user(self.kam_user)
        self.assertEqual(figures, {
            (customer, date(2025, 3, 1)): 100.0,
            (customer, date(2025, 4, 1)): 170.0,  # 120 + 2 x 40 - 30 (credit note)
            (customer, date(2026, 1, 1)): 400.0,
        })
        # Dates are inclusive at both ends.
        self.assertEqual(self.Partner._kam_sales_by_month(self.customer, date(2025, 3, 16), date(2025, 4, 10)),
                         {(self.customer, date(2025, 4, 1)): 200.0})

    def test_sales_per_fiscal_year(self):
        """The company's fiscal year ends on 31 March: March 2025 closes FY 2024-25."""
        figures = self.Partner.with_user(self.kam_user)._kam_sales_by_fiscal_year(
            self.customer, date(2025, 1, 1), date(2026, 12, 31))
        self.assertEqual({(p.id, d): amount for (p, d), amount in figures.items()}, {
            (self.customer.id, date(2025, 3, 31)): 100.0,
            (self.customer.id, date(2026, 3, 31)): 570.0,
        })
        self.company.write({'fiscalyear_last_day': 31, 'fiscalyear_last_month': '12'})
        figures = self.Partner._kam_sales_by_fiscal_year(self.customer, date(2025, 1, 1), date(2026, 12, 31))
        self.assertEqual({d: amount for (__, d), amount in figures.items()},
                         {date(2025, 12, 31): 270.0, date(2026, 12, 31): 400.0})

    def test_sales_per_product(self):
        lines = self.Partner.with_user(self.kam_user)._kam_sales_by_product(
            self.customer, date(2025, 1, 1), date(2026, 12, 31))
        self.assertEqual([(line['product'], line['quantity'], line['amount']) for line in lines], [
            (self.product_a, 6.0, 620.0),   # 100 + 120 + 400
            (self.product_b, 1.0, 50.0),    # 2 x 40 - 30: the credit note counts negative
        ])
        self.assertEqual({line['partner'] for line in lines}, {self.customer})

    def test_multi_company(self):
        """Each company's figures come from its own books, in its own currency; a user
        reads only those of the companies they work in."""
        self._post(self.customer, date(2025, 4, 15), [(self.product_a, 1, 1000.0)], company=self.company_2)
        Partner = self.Partner.with_user(self.kam_user).with_context(
            allowed_company_ids=[self.company.id, self.company_2.id])
        span = (date(2025, 4, 1), date(2025, 4, 30))
        self.assertEqual(list(Partner._kam_sales_by_month(self.customer, *span).values()), [170.0])
        self.assertEqual(list(Partner._kam_sales_by_month(self.customer, *span, company=self.company_2).values()),
                         [1000.0])
        only_first = self.Partner.with_user(self.kam_user).with_context(allowed_company_ids=[self.company.id])
        with self.assertRaises(AccessError):
            only_first._kam_sales_by_month(self.customer, *span, company=self.company_2)
        # The candidates list shows each company's rows to the users of that company only.
        self._post(self.customer, fields.Date.today(), [(self.product_a, 1, 1_500_000.0)], company=self.company_2)
        Candidate = self.env['kam.sales.candidate'].with_user(self.kam_user)
        rows = Candidate.with_context(allowed_company_ids=[self.company.id]).search(
            [('partner_id', '=', self.customer.id)])
        self.assertFalse(rows)
        rows = Candidate.with_context(allowed_company_ids=[self.company_2.id, self.company.id]).search(
            [('partner_id', '=', self.customer.id)])
        self.assertRecordValues(rows, [{'company_id': self.company_2.id, 'amount': 1_500_000.0,
                                        'tier_id': self.tier_potential.id}])

    def test_access_without_invoicing_rights(self):
        """A KAM user without Invoicing rights reads the aggregates, not the invoices; anyone
        without a Key Accounts role reads neither."""
        self.assertFalse(self.kam_user.has_group('account.group_account_invoice'))
        span = (date(2025, 1, 1), date(2026, 12, 31))
        self.assertTrue(self.Partner.with_user(self.kam_user)._kam_sales_by_month(self.customer, *span))
        invoices = self.env['account.move'].search([('commercial_partner_id', '=', self.customer.id)])
        self.assertTrue(invoices)
        for invoice in invoices:  # the invoices keep their own rights (a salesman's own only, with Sales)
            with self.assertRaises(AccessError):
                invoice.with_user(self.kam_user).check_access('read')
        for user in (self.employee, self.salesman):
            with self.assertRaises(AccessError):
                self.Partner.with_user(user)._kam_sales_by_month(self.customer, *span)
            with self.assertRaises(AccessError):
                self.Partner.with_user(user)._kam_sales_by_product(self.customer, *span)
            with self.assertRaises(AccessError):
                self.env['kam.sales.candidate'].with_user(user).search([])
        portal = new_test_user(self.env, login='kam_t_portal', groups='base.group_portal')
        with self.assertRaises(AccessError):
            self.Partner.with_user(portal)._kam_sales_by_month(self.customer, *span)

    def test_basis_and_tier_from_the_books(self):
        """S2: the sales of the last twelve months from the books; the hand-typed basis is
        the fallback for accounts the books have no sales for."""
        today = fields.Date.today()
        self._post(self.account_2, today - timedelta(days=20), [(self.product_a, 1, 6_000_000.0)])
        self._post(self.account_2, today - timedelta(days=400), [(self.product_a, 1, 50_000_000.0)])
        self.account.kam_annual_sales = 1_200_000
        self.account_2.kam_annual_sales = 300_000
        accounts = (self.account | self.account_2).with_user(self.kam_user)
        self.assertRecordValues(accounts, [
            {'kam_sales_basis': 1_200_000, 'kam_sales_basis_source': 'manual',
             'kam_qualifying_tier_id': self.tier_potential.id, 'kam_books_sales_12_months': 0.0},
            {'kam_sales_basis': 6_000_000, 'kam_sales_basis_source': 'books',
             'kam_qualifying_tier_id': self.tier_key.id, 'kam_books_sales_12_months': 6_000_000},
        ])
        # A screening of the account takes its basis from the books.
        screening = Form(self.env['kam.screening'].with_user(self.kam_user_2))
        screening.partner_id = self.account_2
        self.assertEqual(screening.annual_sales, 6_000_000)
        self.assertEqual(screening.proposed_tier_id, self.tier_key)

    def test_partner_form_figures(self):
        """This and last fiscal year on the contact's form, for a KAM user."""
        today = fields.Date.context_today(self.account.with_user(self.kam_user))
        this_year_from, __ = self.company._kam_fiscal_year(today)
        last_year_day = this_year_from - timedelta(days=1)
        self._post(self.account, today, [(self.product_a, 1, 700.0)])
        self._post(self.account, last_year_day, [(self.product_a, 1, 300.0)])
        self.assertRecordValues(self.account.with_user(self.kam_user), [{
            'kam_books_sales_this_year': 700.0, 'kam_books_sales_last_year': 300.0,
        }])
        # Editing the contact (onchange on a new record) keeps the figures of the books.
        with Form(self.account.with_user(self.kam_user)) as form:
            form.kam_annual_sales = 123.0
            form.company_id = self.company_2  # recomputes the figures of the record being edited
            self.assertEqual(form.kam_books_sales_this_year, 0.0)
            form.company_id = self.company
            self.assertEqual(form.kam_books_sales_this_year, 700.0)
            self.assertIn(form.kam_sales_basis, (700.0, 1000.0))  # last year's day may be a year ago
            self.assertEqual(form.kam_sales_basis, form.kam_books_sales_12_months)
        # The form opens for a KAM user without Invoicing rights, and for a plain employee.
        for user in (self.kam_user, self.employee):
            partner = self.account.with_user(user)
            form_fields = partner.get_views([(False, 'form')])['models']['res.partner']['fields']
            self.assertEqual('kam_books_sales_this_year' in form_fields, user == self.kam_user)
            values = partner.web_read({name: {} for name in form_fields})[0]
            self.assertEqual(values.get('kam_books_sales_this_year'), 700.0 if user == self.kam_user else None)

    def test_candidates(self):
        today = fields.Date.today()
        Partner = self.env['res.partner']
        big, small, key, screened = Partner.create([
            {'name': 'Big Buyer', 'is_company': True},
            {'name': 'Small Buyer', 'is_company': True},
            {'name': 'Known Key Account', 'is_company': True, 'kam_tier_id': self.tier_key.id,
             'kam_is_key_account': True},
            {'name': 'Screened Buyer', 'is_company': True},
        ])
        self._post(big, today, [(self.product_a, 1, 5_500_000.0)])
        self._post(big, today - timedelta(days=400), [(self.product_a, 1, 90_000_000.0)])  # too old
        self._post(small, today, [(self.product_a, 1, 999_999.0)])
        self._post(key, today, [(self.product_a, 1, 8_000_000.0)])
        self._post(screened, today, [(self.product_a, 1, 2_000_000.0)])
        self.env['kam.screening'].create({'partner_id': screened.id})
        Candidate = self.env['kam.sales.candidate'].with_user(self.kam_user)
        candidates = Candidate.search([('partner_id', 'in', (big | small | key | screened).ids)])
        self.assertRecordValues(candidates, [
            {'partner_id': big.id, 'amount': 5_500_000.0, 'tier_id': self.tier_key.id, 'invoice_count': 1},
        ])
        # One click: a screening prefilled from the books.
        action = candidates.action_open_screening()
        screening = Form(self.env[action['res_model']].with_user(self.kam_user).with_context(**action['context']))
        self.assertEqual(screening.partner_id, big)
        self.assertEqual(screening.annual_sales, 5_500_000.0)
        self.assertEqual(screening.proposed_tier_id, self.tier_key)
        screening.save()
        self.assertFalse(Candidate.search([('partner_id', '=', big.id)]), "being screened now")

    def test_sales_of_500_accounts(self):
        """The basis, the tier and the figures of 500 accounts cost what those of 20 cost."""
        all_accounts = self.env['res.partner'].create([
            {'name': f'Account {n}', 'is_company': True, 'company_id': self.company.id} for n in range(500)])
        today = fields.Date.today()
        for account in all_accounts[:10]:
            self._post(account, today, [(self.product_a, 1, 1_000_000.0)])
        for size in (20, 500):
            accounts = all_accounts[:size].with_user(self.kam_user)
            self.env.invalidate_all()
            with self.subTest(size=size), self.assertQueryCount(__system__=15):
                self.assertEqual(len(accounts.mapped('kam_qualifying_tier_id')), 1)
            self.env.invalidate_all()
            with self.subTest(size=size), self.assertQueryCount(__system__=7):
                accounts.mapped('kam_books_sales_last_year')
            with self.subTest(size=size), self.assertQueryCount(__system__=1):
                lines = self.env['res.partner'].with_user(self.kam_user)._kam_sales_by_product(
                    accounts, today - timedelta(days=30), today)
            self.assertEqual(len(lines), 10)


class TestSalesFromOrders(KamBooksCommon):
    """With Sales installed, a company whose fapiao are issued outside Odoo measures on
    confirmed sale orders."""

    def test_confirmed_orders_as_basis(self):
        if 'sale.report' not in self.env:
            self.skipTest("the Sales app is not installed")
        # Order dates are datetimes: the days are the user's (here Asia/Shanghai).
        today = fields.Date.context_today(self.customer.with_user(self.kam_user))
        self._post(self.customer, today, [(self.product_a, 1, 100.0)])
        orders = self.env['sale.order'].create([{
            'partner_id': partner.id,
            'date_order': fields.Datetime.now(),
            'order_line': [Command.create({'product_id': self.product_b.id, 'product_uom_qty': quantity,
                                           'price_unit': 1000.0, 'tax_ids': False})],
        } for partner, quantity in ((self.customer_contact, 3), (self.customer, 5))])
        orders[0].action_confirm()  # the second stays a quotation
        settings = self.env['res.config.settings'].create({})
        self.assertTrue(settings.kam_sales_orders_available)
        settings.kam_sales_source = 'sale'
        settings.execute()
        self.assertEqual(self.company.kam_sales_source, 'sale')
        Partner = self.env['res.partner'].with_user(self.kam_user)
        span = (today - timedelta(days=1), today)
        self.assertEqual(list(Partner._kam_sales_by_month(self.customer, *span).values()), [3000.0])
        lines = Partner._kam_sales_by_product(self.customer, *span)
        self.assertEqual([(line['product'], line['quantity'], line['amount']) for line in lines],
                         [(self.product_b, 3.0, 3000.0)])
        self.assertRecordValues(self.customer.with_user(self.kam_user), [
            {'kam_sales_basis': 3000.0, 'kam_sales_basis_source': 'books'}])
        self.company.kam_sales_source = 'invoice'
        self.assertEqual(list(Partner._kam_sales_by_month(self.customer, *span).values()), [100.0])

    def test_candidates_from_orders(self):
        """A company measuring on orders finds its candidates among the customers of its
        confirmed orders, at the company's currency; invoices no longer count there."""
        if 'sale.report' not in self.env:
            self.skipTest("the Sales app is not installed")
        Partner = self.env['res.partner']
        by_order, by_invoice = Partner.create([
            {'name': 'Orders Buyer', 'is_company': True}, {'name': 'Invoiced Buyer', 'is_company': True}])
        pricelist = self.env['product.pricelist'].create(
            {'name': 'Foreign', 'currency_id': self.foreign_currency.id, 'company_id': self.company.id})
        order = self.env['sale.order'].create({
            'partner_id': by_order.id, 'pricelist_id': pricelist.id,
            'order_line': [Command.create({'product_id': self.product_a.id, 'product_uom_qty': 1,
                                           'price_unit': 12_000_000.0, 'tax_ids': False})],
        })
        order.action_confirm()
        self._post(by_invoice, fields.Date.today(), [(self.product_a, 1, 2_000_000.0)])
        Candidate = self.env['kam.sales.candidate'].with_user(self.kam_user)
        domain = [('partner_id', 'in', (by_order | by_invoice).ids)]
        self.assertEqual(Candidate.search(domain).partner_id, by_invoice)
        self.company.kam_sales_source = 'sale'
        # 12M in the foreign currency at 2 per unit: 6M in the company's, the Key tier.
        self.assertRecordValues(Candidate.search(domain), [
            {'partner_id': by_order.id, 'amount': 6_000_000.0, 'tier_id': self.tier_key.id, 'invoice_count': 1}])
