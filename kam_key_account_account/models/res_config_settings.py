from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = 'res.config.settings'

    kam_sales_source = fields.Selection(related='company_id.kam_sales_source', readonly=False)
    kam_sales_orders_available = fields.Boolean(
        'Sale Orders Available', compute='_compute_kam_sales_orders_available')

    def _compute_kam_sales_orders_available(self):
        self.kam_sales_orders_available = 'sale.report' in self.env
