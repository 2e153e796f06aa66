from odoo import fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL


class KamSalesCandidate(models.Model):
    """Customers whose sales of the last twelve months qualify for a key-account tier, who
    have no key-account status (no tier, not a key account) and no open screening.

    A report on the books (``_auto = False``): one row per customer and company, its
    amount in that company's currency and the highest tier of that company's ladder the
    amount reaches. The amount is what the company's sales basis says: posted customer
    invoices minus credit notes, untaxed, as ``account.invoice.report`` counts them; or,
    for a company measuring on orders (with Sales), its confirmed sale orders, untaxed. KAM users read it for the companies they work in
    (no Invoicing rights needed) and open a screening prefilled from the books in one click.
    """
    _name = 'kam.sales.candidate'
    _description = 'Key-Account Candidate from the Books'
    _auto = False
    _order = 'amount desc, id'
    _rec_name = 'partner_id'
    _depends = {
        'account.move': ['state', 'move_type', 'commercial_partner_id', 'invoice_date'],
        'account.move.line': ['balance', 'company_id', 'display_type', 'account_id', 'move_id'],
        'res.company': ['kam_sales_source'],
        'res.partner': ['active', 'kam_tier_id', 'kam_is_key_account', 'commercial_partner_id'],
        'kam.tier': ['active', 'company_id', 'min_annual_sales', 'sequence'],
        'kam.screening': ['partner_id', 'is_open'],
    }

    partner_id = fields.Many2one('res.partner', 'Customer', readonly=True)
    company_id = fields.Many2one('res.company', readonly=True)
    currency_id = fields.Many2one('res.currency', readonly=True)
    amount = fields.Monetary('Sales, Last 12 Months', readonly=True, currency_field='currency_id')
    tier_id = fields.Many2one('kam.tier', 'Qualifying Tier', readonly=True)
    invoice_count = fields.Integer('Documents', readonly=True, aggregator='sum',
                                   help="Invoices and credit notes, or confirmed orders.")
    last_invoice_date = fields.Date('Last Document', readonly=True, aggregator='max')

    @property
    def _table_query(self):
        return SQL("""
            WITH sales AS (%(sales)s)
            SELECT sales.id, sales.partner_id, sales.company_id, company.currency_id,
                   sales.amount, tier.id AS tier_id, sales.invoice_count, sales.last_invoice_date
              FROM sales
              JOIN res_company company ON company.id = sales.company_id
              JOIN res_partner partner ON partner.id = sales.partner_id
              JOIN LATERAL (
                    SELECT t.id FROM kam_tier t
                     WHERE t.active
                       AND (t.company_id IS NULL OR t.company_id = sales.company_id)
                       AND COALESCE(t.min_annual_sales, 0) <= sales.amount
                  ORDER BY t.min_annual_sales DESC, t.sequence DESC
                     LIMIT 1
                   ) tier ON TRUE
             WHERE sales.amount > 0
               AND partner.active
               AND partner.kam_tier_id IS NULL
               AND partner.kam_is_key_account IS NOT TRUE
               AND NOT EXISTS (SELECT 1 FROM kam_screening screening
                                WHERE screening.partner_id = partner.id AND screening.is_open)
        """, sales=self._sales_query())

    def _sales_query(self):
        """Sales of the last twelve months per customer and company, from each company's
        basis: posted invoices (even ids), or confirmed orders with Sales (odd ids)."""
        invoices = SQL("""
            SELECT MIN(line.id) * 2 AS id,
                   move.commercial_partner_id AS partner_id,
                   line.company_id,
                   SUM(-line.balance) AS amount,
                   COUNT(DISTINCT move.id) AS invoice_count,
                   MAX(move.invoice_date) AS last_invoice_date
              FROM account_move_line line
              JOIN account_move move ON move.id = line.move_id
              JOIN res_company company ON company.id = line.company_id
             WHERE move.state = 'posted'
               AND move.move_type IN ('out_invoice', 'out_refund')
               AND line.display_type = 'product'
               AND line.account_id IS NOT NULL
               AND move.invoice_date > CURRENT_DATE - INTERVAL '1 year'
               AND company.kam_sales_source IS DISTINCT FROM 'sale'
          GROUP BY move.commercial_partner_id, line.company_id
        """)
        if 'sale.order' not in self.env:
            return invoices
        Order, Line = self.env['sale.order'], self.env['sale.order.line']
        # sale.order is not in _depends (Sales is optional): flush what the query reads.
        to_flush = [Order._fields[name] for name in ('state', 'partner_id', 'date_order', 'currency_rate', 'company_id')]
        to_flush += [Line._fields[name] for name in ('order_id', 'price_subtotal')]
        to_flush.append(self.env['res.partner']._fields['commercial_partner_id'])
        orders = SQL("""
            SELECT MIN(line.id) * 2 + 1 AS id,
                   partner.commercial_partner_id AS partner_id,
                   sale.company_id,
                   SUM(line.price_subtotal / CASE COALESCE(sale.currency_rate, 0) WHEN 0 THEN 1.0
                                                 ELSE sale.currency_rate END) AS amount,
                   COUNT(DISTINCT sale.id) AS invoice_count,
                   MAX(sale.date_order)::date AS last_invoice_date
              FROM sale_order_line line
              JOIN sale_order sale ON sale.id = line.order_id
              JOIN res_partner partner ON partner.id = sale.partner_id
              JOIN res_company company ON company.id = sale.company_id
             WHERE sale.state = 'sale'
               AND sale.date_order > CURRENT_DATE - INTERVAL '1 year'
               AND company.kam_sales_source = 'sale'
          GROUP BY partner.commercial_partner_id, sale.company_id
        """)
        return SQL().join([SQL("%s UNION ALL %s", invoices, orders), *(SQL(to_flush=field) for field in to_flush)])

    def action_open_screening(self):
        """A new screening of the candidate, prefilled from the books: the candidate, its
        company and its sales of the last twelve months (S2), which propose the tier."""
        self.ensure_one()
        if not self.env['kam.screening'].has_access('create'):
            raise AccessError(self.env._("You are not allowed to screen accounts."))
        return {
            'type': 'ir.actions.act_window',
            'res_model': 'kam.screening',
            'view_mode': 'form',
            'views': [(False, 'form')],
            'target': 'current',
            'context': {
                'default_partner_id': self.partner_id.id,
                'default_company_id': self.company_id.id,
                'default_annual_sales': self.amount,
            },
        }
