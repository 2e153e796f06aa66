from odoo import fields, models

IMPACTS = [('low', 'Low'), ('medium', 'Medium'), ('high', 'High')]


class KamDevelopmentPlanFactor(models.Model):
    """A factor of the customer's purchase decision (大客户开发影响因素表, D3)."""
    _name = 'kam.development.plan.factor'
    _description = 'Development Plan Purchase Factor'
    _inherit = ['kam.development.plan.line.mixin']
    _order = 'plan_id, sequence, id'

    sequence = fields.Integer(default=10)
    name = fields.Char('Factor', required=True)
    impact = fields.Selection(IMPACTS, required=True, default='medium')
    notes = fields.Text()
