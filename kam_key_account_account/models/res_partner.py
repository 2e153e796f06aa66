from collections import defaultdict
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError


class ResPartner(models.Model):
    """Key-account sales figures from the company's own books.

    Each figure is a grouped read of ``account.invoice.report`` (posted customer invoices
    and credit notes, by ``commercial_partner_id``, signed untaxed amounts in the company's
    currency) or, for a company whose ``kam_sales_source`` says so and where Sales is
    installed, of ``sale.report`` (confirmed orders). Nothing is stored per partner.

    =================================  =====================================================
    Who                                What
    =================================  =====================================================
    KAM users (every role)             the aggregates of the accounts they may read, for the
                                       companies they work in: read with sudo after
                                       `_kam_check_sales_access`, without Invoicing rights
    Invoicing users                    the invoices and lines behind them, as usual
    anyone else                        nothing (AccessError)
    =================================  =====================================================
    """
    _inherit = 'res.partner'

    kam_books_sales_12_months = fields.Monetary(
        'Sales, Last 12 Months', currency_field='kam_currency_id',
        compute='_compute_kam_books_sales', groups='kam_key_account.group_kam_user',
        help="From the books: the sales basis of S2 when there are any.")
    kam_books_sales_this_year = fields.Monetary(
        'Sales, This Fiscal Year', currency_field='kam_currency_id',
        compute='_compute_kam_books_sales', groups='kam_key_account.group_kam_user')
    kam_books_sales_last_year = fields.Monetary(
        'Sales, Last Fiscal Year', currency_field='kam_currency_id',
        compute='_compute_kam_books_sales', groups='kam_key_account.group_kam_user')

    # The books make the basis depend on the current company (for shared accounts).
    @api.depends('kam_annual_sales', 'company_id')
    @api.depends_context('company')
    def _compute_kam_sales_basis(self):
        return super()._compute_kam_sales_basis()

    @api.depends('kam_annual_sales', 'company_id')
    @api.depends_context('company')
    def _compute_kam_qualifying_tier_id(self):
        return super()._compute_kam_qualifying_tier_id()

    @api.depends('company_id')
    @api.depends_context('company')
    def _compute_kam_books_sales(self):
        """One grouped read per company over the months since the start of the previous
        fiscal year, then sums in Python."""
        self.kam_books_sales_12_months = 0.0
        self.kam_books_sales_this_year = 0.0
        self.kam_books_sales_last_year = 0.0
        annual = self._kam_books_annual_sales()
        today = fields.Date.context_today(self)
        for company, partners in self._kam_group_by_company(readable=True).items():
            this_year_from, __ = company._kam_fiscal_year(today)
            last_year_from, last_year_to = company._kam_fiscal_year(this_year_from - timedelta(days=1))
            # Records of a form being edited are new ones: the books know their origin.
            this_year, last_year = defaultdict(float), defaultdict(float)
            monthly = self._kam_sales_by_month(partners._origin, last_year_from, today, company)
            for (partner, month), amount in monthly.items():
                if month >= this_year_from:
                    this_year[partner] += amount
                elif month <= last_year_to:
                    last_year[partner] += amount
            for partner in partners:
                partner.kam_books_sales_this_year = this_year[partner._origin]
                partner.kam_books_sales_last_year = last_year[partner._origin]
                partner.kam_books_sales_12_months = annual.get(partner._origin, 0.0)

    def _kam_books_annual_sales(self):
        """The sales of the last twelve months (a year ago, excluded, to today): the basis of
        S2. Accounts without any sales in the books are left out: they keep their
        hand-typed basis (e.g. a company whose fapiao are issued outside Odoo)."""
        partners = self._origin.browse(dict.fromkeys(p._origin.id for p in self if p._origin.id))
        if not partners:
            return {}
        today = fields.Date.context_today(self)
        result = {}
        for company, company_partners in partners._kam_group_by_company(readable=True).items():
            groups = self._kam_sales_read_group(
                company_partners, today - relativedelta(years=1) + timedelta(days=1), today, company, [])
            result.update((partner, amount) for partner, amount in groups if amount)
        return result

    @api.model
    def _kam_sales_by_month(self, partners, date_from, date_to, company=None):
        groups = self._kam_sales_read_group(partners, date_from, date_to, company, ['month'])
        return {(partner, month): amount for partner, month, amount in groups}

    @api.model
    def _kam_sales_by_fiscal_year(self, partners, date_from, date_to, company=None):
        """The months, each counted in the fiscal year its first day belongs to (the
        company's ``fiscalyear_last_day`` and ``fiscalyear_last_month``)."""
        company = company or self.env.company
        result = defaultdict(float)
        for (partner, month), amount in self._kam_sales_by_month(partners, date_from, date_to, company).items():
            result[partner, company._kam_fiscal_year(month)[1]] += amount
        return dict(result)

    @api.model
    def _kam_sales_by_product(self, partners, date_from, date_to, company=None):
        groups = self._kam_sales_read_group(partners, date_from, date_to, company, ['product'])
        lines = [{'partner': partner, 'product': product, 'quantity': quantity, 'amount': amount}
                 for partner, product, amount, quantity in groups]
        return sorted(lines, key=lambda line: (line['partner'].id, -line['amount']))

    def _kam_group_by_company(self, readable=False):
        """The figures of an account are those of its company, or of the current company
        for an account shared between companies (whose tiers it is measured against).

        :param readable: keep only the companies whose figures the user may read, so that
            computed fields fall back (to the hand-typed basis, to zero) instead of raising
        """
        groups = self.grouped(lambda partner: partner.company_id or self.env.company)
        if readable and not self.env.su:
            if not self.env.user.has_group('kam_key_account.group_kam_user'):
                return {}
            groups = {company: partners for company, partners in groups.items() if company in self.env.companies}
        return groups

    @api.model
    def _kam_sales_read_group(self, partners, date_from, date_to, company, groupby):
        """The one query behind every figure.

        :param groupby: a list of ``'month'`` (first day of the month) and ``'product'``
        :return: ``_read_group`` rows: partner, the `groupby` keys, amount (and quantity
            when grouped by product), amounts in `company`'s currency
        """
        company = company or self.env.company
        partners = partners.browse(dict.fromkeys(partners.ids))
        self._kam_check_sales_access(partners, company)
        if not partners:
            return []
        # Sudo after our own check; one company at a time, so that the reports' currency
        # table converts nothing: amounts stay in that company's currency.
        env = self.sudo().with_company(company).with_context(allowed_company_ids=company.ids).env
        date_to_excluded = date_to + timedelta(days=1)
        if company._kam_sales_use_orders():
            report, date_field, quantity = env['sale.report'], 'date', 'product_uom_qty'
            domain = [('state', '=', 'sale')]
            # sale.report declares no _depends: nothing flushes the orders before it is read.
            env['sale.order'].flush_model()
            env['sale.order.line'].flush_model()
        else:
            report, date_field, quantity = env['account.invoice.report'], 'invoice_date', 'quantity'
            domain = [('state', '=', 'posted'), ('move_type', 'in', ('out_invoice', 'out_refund'))]
        domain += [
            ('company_id', '=', company.id),
            ('commercial_partner_id', 'in', partners.ids),
            (date_field, '>=', date_from),
            (date_field, '<', date_to_excluded),
        ]
        keys = {'month': f'{date_field}:month', 'product': 'product_id'}
        aggregates = ['price_subtotal:sum'] + ([f'{quantity}:sum'] if 'product' in groupby else [])
        rows = report._read_group(
            domain, ['commercial_partner_id'] + [keys[key] for key in groupby], aggregates)
        result = []
        for partner, *rest in rows:
            if 'month' in groupby:  # a datetime for orders, a date for invoices
                index = groupby.index('month')
                rest[index] = fields.Date.to_date(rest[index])
            if 'product' in groupby:
                index = groupby.index('product')
                rest[index] = rest[index].with_env(self.env)
            result.append((partner.with_env(self.env), *rest))
        return result

    @api.model
    def _kam_check_sales_access(self, partners, company):
        """KAM users read the figures of the accounts they may read, in the companies
        they are working in; the invoices themselves keep their own rights."""
        if self.env.su:
            return
        if not self.env.user.has_group('kam_key_account.group_kam_user'):
            raise AccessError(self.env._("Only Key Accounts users may read the sales figures of accounts."))
        if company not in self.env.companies:
            raise AccessError(self.env._(
                "You cannot read the sales figures of %(company)s: select that company first.",
                company=company.sudo().name))
        partners.check_access('read')
