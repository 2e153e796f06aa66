from odoo import api, fields, models
from odoo.exceptions import ValidationError


class KamRiskIndicator(models.Model):
    """An indicator of the customer risk-analysis table (S7, 客户风险分析表)."""
    _name = 'kam.risk.indicator'
    _description = 'Risk Indicator'
    _order = 'sequence, id'

    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        help="What the indicator means to the screening's code, whatever its name: 'fit' takes its "
             "default score from the resource fit (S5), 'competitors' from the competitor analysis (S6).")
    sequence = fields.Integer(default=10)
    weight = fields.Float(default=1.0, digits=(6, 2), help="Relative weight in the weighted mean.")
    description = fields.Text(translate=True, help="What a 1 and what a 5 mean for this indicator.")
    active = fields.Boolean(default=True)

    @api.constrains('weight')
    def _check_weight_positive(self):
        for indicator in self:
            if indicator.weight <= 0:
                raise ValidationError(self.env._(
                    "The weight of the indicator %(indicator)s must be positive.", indicator=indicator.name))
