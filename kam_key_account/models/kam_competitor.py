from odoo import fields, models


class KamCompetitor(models.Model):
    """A competitor we meet at key accounts (S6, D5). KAM Users read and add them."""
    _name = 'kam.competitor'
    _description = 'Competitor'
    _order = 'name'

    name = fields.Char(required=True)
    website = fields.Char()
    description = fields.Text()
    active = fields.Boolean(default=True)
    company_id = fields.Many2one('res.company', index=True)

    _name_company_uniq = models.Constraint('unique(name, company_id)', 'This competitor already exists.')
