from odoo import fields, models


class KamSuggestionCategory(models.Model):
    """How suggestions are sorted (G3): product, quality, delivery, service, price, other.
    Everyone reads them; KAM Managers configure them, per company or for all."""
    _name = 'kam.suggestion.category'
    _description = 'Key-Account Suggestion Category'
    _order = 'sequence, name'

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    color = fields.Integer()
    active = fields.Boolean(default=True)
    company_id = fields.Many2one('res.company', index=True, help="Leave empty for a category every company uses.")
    description = fields.Text(translate=True)

    _name_company_uniq = models.Constraint(
        'unique(name, company_id)', 'This suggestion category already exists.')
