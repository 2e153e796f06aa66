from odoo import api, fields, models
from odoo.exceptions import ValidationError


class KamTier(models.Model):
    """A key-account tier (大客户等级), e.g. Potential < Key < Strategic.

    Tiers ascend by sequence and each asks for strictly more annual sales than the one
    before it (S2), so an amount qualifies for exactly one tier: see `_get_tier_for_amount`.
    Everyone reads tiers; KAM Managers configure them.
    """
    _name = 'kam.tier'
    _description = 'Key-Account Tier'
    _order = 'sequence, min_annual_sales, id'
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    color = fields.Integer()
    active = fields.Boolean(default=True)
    company_id = fields.Many2one('res.company', default=lambda self: self.env.company, index=True)
    currency_id = fields.Many2one(
        'res.currency', compute='_compute_currency_id',
        help="The company's currency, or the current company's for a shared tier.")
    min_annual_sales = fields.Monetary(
        'Minimum Annual Sales', currency_field='currency_id',
        help="Annual sales an account needs to qualify for this tier (S2).")
    description = fields.Text(translate=True)
    partner_count = fields.Integer('Accounts', compute='_compute_partner_count')

    _code_company_uniq = models.Constraint(
        'unique(code, company_id)', 'A tier code must be unique per company.')

    @api.depends('company_id')
    @api.depends_context('company')
    def _compute_currency_id(self):
        for tier in self:
            tier.currency_id = (tier.company_id or self.env.company).currency_id

    def _compute_partner_count(self):
        counts = dict(self.env['res.partner']._read_group(
            [('kam_tier_id', 'in', self.ids)], ['kam_tier_id'], ['__count']))
        for tier in self:
            tier.partner_count = counts.get(tier, 0)

    @api.constrains('min_annual_sales')
    def _check_min_annual_sales_not_negative(self):
        if any(tier.min_annual_sales < 0 for tier in self):
            raise ValidationError(self.env._("The minimum annual sales of a tier cannot be negative."))

    @api.constrains('sequence', 'min_annual_sales', 'company_id', 'active')
    def _check_min_annual_sales_ascending(self):
        """Within a company (shared tiers included) a later tier asks for strictly more."""
        if all(tier.company_id for tier in self):
            tiers = self.search([('company_id', 'in', self.company_id.ids + [False])])
        else:  # a shared tier sits on every company's ladder: all tiers, a few configuration rows
            tiers = self.search([])  # pylint: disable=no-search-all
        for company in tiers.company_id or [self.env['res.company']]:
            ladder = tiers.filtered(lambda t: not t.company_id or t.company_id == company)
            previous = None
            for tier in ladder.sorted(lambda t: (t.sequence, t.id)):
                if previous is not None and tier.min_annual_sales <= previous.min_annual_sales:
                    raise ValidationError(self.env._(
                        "The tier %(tier)s must require more annual sales than %(previous)s "
                        "(%(amount)s), which comes before it.",
                        tier=tier.display_name, previous=previous.display_name,
                        amount=previous.currency_id.format(previous.min_annual_sales)))
                previous = tier

    @api.model
    def _get_tier_for_amount(self, amount, company=None):
        """Return the highest tier whose minimum annual sales is at most `amount`.

        :param float amount: annual sales in the company's currency
        :param company: the company whose tiers apply (default: the current company)
        :return: a kam.tier record, empty when the amount is below every minimum
        """
        company = company or self.env.company
        return self._tier_picker(company)(amount, company)

    @api.model
    def _tier_picker(self, companies):
        """One query for the tiers of `companies` (shared ones included); returns
        ``pick(amount, company)``, the highest tier of that company's ladder the amount reaches.
        Computes over many records use it instead of one search each."""
        tiers = self.search_fetch([('company_id', 'in', companies.ids + [False])])  # names too: shown next
        tiers = tiers.sorted(lambda t: (t.min_annual_sales, t.sequence), reverse=True)

        def pick(amount, company):
            for tier in tiers:
                if tier.company_id in (company, self.env['res.company']) and tier.min_annual_sales <= (amount or 0.0):
                    return tier
            return self.browse()
        return pick
