from odoo import fields, models


class KamDepartment(models.Model):
    """A department problems and suggestions are sent to (技术、质控、生产、售后、财务)."""
    _name = 'kam.department'
    _description = 'Key-Account Department'
    _order = 'sequence, name'

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    responsible_id = fields.Many2one('res.users', required=True, domain=[('share', '=', False)])
    company_id = fields.Many2one('res.company', default=lambda self: self.env.company, index=True)
    active = fields.Boolean(default=True)
