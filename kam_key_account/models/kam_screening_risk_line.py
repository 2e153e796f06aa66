from odoo import api, fields, models
from odoo.exceptions import ValidationError


class KamScreeningRiskLine(models.Model):
    """One scored indicator of the risk-analysis table (S7)."""
    _name = 'kam.screening.risk.line'
    _description = 'Screening Risk Line'
    _inherit = ['kam.screening.line.mixin']
    _order = 'screening_id, sequence, id'

    indicator_id = fields.Many2one('kam.risk.indicator', required=True, ondelete='restrict')
    sequence = fields.Integer(related='indicator_id.sequence', store=True)
    weight = fields.Float(digits=(6, 2), default=1.0, help="Copied from the indicator when the line is made.")
    score = fields.Integer(help="1 = unfavourable, 5 = favourable; 0 = not scored yet.")
    weighted_score = fields.Float(compute='_compute_weighted_score', digits=(6, 2))
    comment = fields.Text()

    _indicator_uniq = models.Constraint(
        'unique(screening_id, indicator_id)', 'Each indicator is scored once per screening.')

    @api.depends('score', 'weight')
    def _compute_weighted_score(self):
        for line in self:
            line.weighted_score = line.score * line.weight

    @api.constrains('score')
    def _check_score_range(self):
        for line in self:
            if not 0 <= line.score <= 5:
                raise ValidationError(self.env._(
                    "%(indicator)s is scored from 1 (unfavourable) to 5 (favourable), not %(score)s.",
                    indicator=line.indicator_id.name, score=line.score))

    @api.constrains('weight')
    def _check_weight_positive(self):
        for line in self:
            if line.weight <= 0:
                raise ValidationError(self.env._(
                    "The weight of %(indicator)s must be positive.", indicator=line.indicator_id.name))

    @api.onchange('indicator_id')
    def _onchange_indicator_id(self):
        self.weight = self.indicator_id.weight or 1.0
