from odoo import fields, models


class KamBenchTierRequest(models.Model):
    """A request validated by OCA tier definitions, as base_tier_validation's own tester
    model is: the baseline `make bench` sets beside the key-account approval engine."""
    _name = 'kam.bench.tier.request'
    _description = 'Bench Tier Request'
    _inherit = ['mail.thread', 'tier.validation']
    _tier_validation_manual_config = True

    name = fields.Char(required=True)
    partner_id = fields.Many2one('res.partner', 'Customer')
    amount = fields.Float()
    state = fields.Selection(
        [('draft', 'Draft'), ('confirmed', 'Confirmed'), ('cancel', 'Cancelled')],
        default='draft', required=True)

    def action_confirm(self):
        self.write({'state': 'confirmed'})
