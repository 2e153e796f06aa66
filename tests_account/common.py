"""Books for the bridge's tests: charts of accounts in both companies, products, and
helpers that post customer invoices, credit notes and (with Sales) confirm orders."""
from datetime import date

from odoo.fields import Command
from tests.common import KamCommon


class KamBooksCommon(KamCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ChartTemplate = cls.env['account.chart.template']
        for company in (cls.company, cls.company_2):
            if not company.chart_template:
                ChartTemplate.try_loading('generic_coa', company, install_demo=False)
        cls.currency = cls.company.currency_id
        cls.foreign_currency = cls.env['res.currency'].with_context(active_test=False).search(
            [('name', '=', 'EUR' if cls.currency.name != 'EUR' else 'USD')], limit=1)
        cls.foreign_currency.active = True
        # 1 unit of the company's currency buys 2 units of the foreign one.
        cls.env['res.currency.rate'].create({
            'currency_id': cls.foreign_currency.id, 'company_id': cls.company.id,
            'name': date(2020, 1, 1), 'rate': 2.0})
        Product = cls.env['product.product']
        cls.product_a = Product.create({'name': 'Spindle Motor', 'list_price': 100.0, 'taxes_id': False})
        cls.product_b = Product.create({'name': 'Maintenance Contract', 'list_price': 50.0, 'taxes_id': False})
        cls.customer = cls.env['res.partner'].create({'name': 'Books Customer Co.', 'is_company': True})
        cls.customer_contact = cls.env['res.partner'].create({
            'name': 'Purchasing Dept', 'parent_id': cls.customer.id, 'type': 'invoice'})

    @classmethod
    def _post(cls, partner, invoice_date, lines, move_type='out_invoice', company=None, currency=None,
              post=True):
        """Post an invoice (or credit note, vendor bill...) of `lines`: [(product, quantity, price)]."""
        company = company or cls.company
        move = cls.env['account.move'].with_company(company).create({
            'move_type': move_type,
            'partner_id': partner.id,
            'invoice_date': invoice_date,
            'date': invoice_date,
            'currency_id': (currency or company.currency_id).id,
            'invoice_line_ids': [Command.create({
                'product_id': product.id, 'quantity': quantity, 'price_unit': price, 'tax_ids': False,
            }) for product, quantity, price in lines],
        })
        if post:
            move.action_post()
        return move
