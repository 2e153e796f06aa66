from odoo import fields, models


class KamDevelopmentPlanSale(models.Model):
    """A line of the transaction history typed by hand (D4): sales and volume of a
    product over a period, where the books (kam_key_account_account) have none."""
    _name = 'kam.development.plan.sale'
    _description = 'Development Plan Transaction Line'
    _inherit = ['kam.development.plan.line.mixin']
    _order = 'plan_id, period desc, id'

    period = fields.Date(required=True, help="The month (its first day) or the year of these sales.")
    product = fields.Char(required=True)
    quantity = fields.Float()
    amount = fields.Monetary(required=True)

    _positive = models.Constraint(
        'CHECK(amount >= 0 AND quantity >= 0)', "Sales and quantities of the transaction history cannot be negative.")
