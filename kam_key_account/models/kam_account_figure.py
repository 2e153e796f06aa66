from odoo import api, fields, models
from odoo.exceptions import ValidationError

RATIO_DIGITS = (16, 4)
NON_NEGATIVE_FIGURES = (
    'current_assets', 'current_liabilities', 'total_assets', 'revenue', 'cost_of_sales',
    'receivables', 'inventory',
)


class KamAccountFigure(models.Model):
    """One fiscal year of an account's operating figures (D2, 大客户信息分类表).

    The ratios follow from the figures; a ratio whose divisor is zero is left empty
    (0 in the database, hidden in the views), never a division error. Net profit may be
    negative (a loss); every other figure may not.

    ==========================  ==========================================
    Who                         May
    ==========================  ==========================================
    KAM User                    read all; write those of accounts they manage
    Supervisor and above        read and write all (their companies)
    anyone else                 nothing
    ==========================  ==========================================

    Creating figures on, or moving them to, an account the user may not manage is refused
    (the create rule, and a check of the moved figures after the write).
    """
    _name = 'kam.account.figure'
    _inherit = ['kam.company.follow.mixin']
    _kam_company_parent = 'partner_id'
    _description = 'Key-Account Operating Figures'
    _order = 'partner_id, fiscal_year desc'
    _rec_name = 'fiscal_year'

    partner_id = fields.Many2one(
        'res.partner', 'Account', required=True, index=True, ondelete='cascade',
        domain=[('is_company', '=', True)])
    company_id = fields.Many2one(related='partner_id.company_id', store=True, index=True)
    fiscal_year = fields.Integer(required=True, default=lambda self: fields.Date.today().year - 1)
    currency_id = fields.Many2one(
        'res.currency', required=True, default=lambda self: self.env.company.currency_id)
    current_assets = fields.Monetary()
    current_liabilities = fields.Monetary()
    total_assets = fields.Monetary()
    revenue = fields.Monetary()
    cost_of_sales = fields.Monetary()
    net_profit = fields.Monetary(help="Negative for a loss.")
    receivables = fields.Monetary()
    inventory = fields.Monetary()

    current_asset_ratio = fields.Float(
        'Current-Asset Ratio', compute='_compute_ratios', store=True, digits=RATIO_DIGITS,
        aggregator='avg', help="Current assets / total assets (流动资产率).")
    current_ratio = fields.Float(
        compute='_compute_ratios', store=True, digits=RATIO_DIGITS, aggregator='avg',
        help="Current assets / current liabilities.")
    net_margin = fields.Float(
        'Net Profit Margin', compute='_compute_ratios', store=True, digits=RATIO_DIGITS,
        aggregator='avg', help="Net profit / revenue.")
    return_on_assets = fields.Float(
        compute='_compute_ratios', store=True, digits=RATIO_DIGITS, aggregator='avg',
        help="Net profit / total assets.")
    collection_days = fields.Float(
        'Collection Period (days)', compute='_compute_ratios', store=True, digits=(16, 1),
        aggregator='avg', help="Receivables / revenue × 365 (回款周期).")
    inventory_days = fields.Float(
        'Inventory Period (days)', compute='_compute_ratios', store=True, digits=(16, 1),
        aggregator='avg', help="Inventory / cost of sales × 365 (存货周期).")

    _partner_year_uniq = models.Constraint(
        'unique(partner_id, fiscal_year)', 'An account has one set of figures per fiscal year.')
    _fiscal_year_valid = models.Constraint(
        'CHECK(fiscal_year BETWEEN 1900 AND 2999)', 'The fiscal year must be a year such as 2025.')

    @api.depends('current_assets', 'current_liabilities', 'total_assets', 'revenue',
                 'cost_of_sales', 'net_profit', 'receivables', 'inventory')
    def _compute_ratios(self):
        for figure in self:
            figure.current_asset_ratio = _ratio(figure.current_assets, figure.total_assets)
            figure.current_ratio = _ratio(figure.current_assets, figure.current_liabilities)
            figure.net_margin = _ratio(figure.net_profit, figure.revenue)
            figure.return_on_assets = _ratio(figure.net_profit, figure.total_assets)
            figure.collection_days = _ratio(figure.receivables * 365, figure.revenue)
            figure.inventory_days = _ratio(figure.inventory * 365, figure.cost_of_sales)

    @api.constrains(*NON_NEGATIVE_FIGURES)
    def _check_figures_not_negative(self):
        for figure in self:
            negative = [name for name in NON_NEGATIVE_FIGURES if figure[name] < 0]
            if negative:
                raise ValidationError(self.env._(
                    "%(figures)s of %(account)s cannot be negative (only net profit can, for a loss).",
                    figures=", ".join(figure._fields[name]._description_string(self.env)
                                      for name in negative),
                    account=figure.display_name))

    @api.depends('partner_id', 'fiscal_year')
    def _compute_display_name(self):
        for figure in self:
            figure.display_name = f"{figure.partner_id.display_name or ''} {figure.fiscal_year}".strip()

    def write(self, vals):
        result = super().write(vals)
        if 'partner_id' in vals:
            # Moving figures is a write on the account they land on.
            self.check_access('write')
        return result


def _ratio(numerator, divisor):
    """`numerator / divisor`, or False (an empty field) when the divisor is zero."""
    return numerator / divisor if divisor else False
