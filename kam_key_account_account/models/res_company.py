from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import date_utils


class ResCompany(models.Model):
    _inherit = 'res.company'

    kam_sales_source = fields.Selection(
        [('invoice', 'Posted Invoices'), ('sale', 'Confirmed Sale Orders')],
        'Key-Account Sales From', default='invoice', required=True,
        help="Where the key-account sales figures come from: posted customer invoices and "
             "credit notes, or confirmed sale orders (with the Sales app) for companies that "
             "issue their invoices (fapiao) outside Odoo.")

    @api.constrains('kam_sales_source')
    def _check_kam_sales_source(self):
        if 'sale.report' not in self.env and any(c.kam_sales_source == 'sale' for c in self):
            raise ValidationError(self.env._(
                "Key-account sales can come from sale orders only when the Sales app is installed."))

    def _kam_sales_use_orders(self):
        self.ensure_one()
        return self.kam_sales_source == 'sale' and 'sale.report' in self.env

    def _kam_fiscal_year(self, day):
        """First and last day of the fiscal year of this company that holds `day`."""
        self.ensure_one()
        return date_utils.get_fiscal_year(
            day, day=self.fiscalyear_last_day, month=int(self.fiscalyear_last_month))
