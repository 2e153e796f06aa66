from odoo import fields, models


class KamScreeningCompetitor(models.Model):
    """One competitor's capability at the candidate (S6)."""
    _name = 'kam.screening.competitor'
    _description = 'Screening Competitor Analysis'
    _inherit = ['kam.screening.line.mixin']
    _order = 'screening_id, id'

    competitor_id = fields.Many2one('kam.competitor', required=True, ondelete='restrict', check_company=True)
    technology = fields.Text()
    products = fields.Text()
    services = fields.Text()
    strengths = fields.Text()
    weaknesses = fields.Text()
