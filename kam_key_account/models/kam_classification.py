from odoo import fields, models


class KamClassification(models.Model):
    """A classification tag of the company's rules (S1, D1): product category,
    customer nature or service content. Everyone reads them; KAM Managers edit them."""
    _name = 'kam.classification'
    _description = 'Key-Account Classification'
    _order = 'kind, sequence, name'

    name = fields.Char(required=True, translate=True)
    kind = fields.Selection([
        ('product_category', 'Product Category'),
        ('customer_nature', 'Customer Nature'),
        ('service_content', 'Service Content'),
    ], required=True, default='product_category')
    sequence = fields.Integer(default=10)
    color = fields.Integer()
    active = fields.Boolean(default=True)

    _name_kind_uniq = models.Constraint(
        'unique(name, kind)', 'This classification already exists.')
