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
    score = fields.Integer(
        compute='_compute_score', store=True, readonly=False,
        help="1 = unfavourable, 5 = favourable; 0 = not scored yet. Resource fit and competitor "
             "situation propose a score from S5 and S6, which the writer may adjust.")
    weighted_score = fields.Float(compute='_compute_weighted_score', digits=(6, 2))
    comment = fields.Text()

    _indicator_uniq = models.Constraint(
        'unique(screening_id, indicator_id)', 'Each indicator is scored once per screening.')

    @api.depends('indicator_id.code', 'screening_id.fit_score', 'screening_id.no_competitor',
                 'screening_id.competitor_line_ids')
    def _compute_score(self):
        for line in self:
            screening = line.screening_id
            if line.indicator_id.code == 'fit':
                line.score = round(screening.fit_score)
            elif line.indicator_id.code == 'competitors':
                # No rival is the favourable case; each rival makes the situation harder.
                # Competitors listed count over the "no competitor" flag.
                count = len(screening.competitor_line_ids)
                line.score = {0: 5 if screening.no_competitor else 0, 1: 3}.get(count, 2)
            else:
                line.score = line.score  # the writer's own score: nothing proposes one

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
