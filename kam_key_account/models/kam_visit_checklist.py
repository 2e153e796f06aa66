from odoo import api, fields, models

CHECKLIST_CATEGORIES = [
    ('company', 'Company Materials'),
    ('customer', 'Customer Materials'),
    ('personal', 'Personal Materials'),
    ('dress', 'Dress'),
    ('expenses', 'Expenses'),
    ('gifts', 'Gifts'),
]


class KamVisitChecklist(models.Model):
    """A line of a visit's preparation checklist (V5)."""
    _name = 'kam.visit.checklist'
    _description = 'Visit Preparation Checklist Line'
    _order = 'visit_id, sequence, id'

    visit_id = fields.Many2one('kam.visit', required=True, ondelete='cascade', index=True)
    sequence = fields.Integer(default=10)
    category = fields.Selection(CHECKLIST_CATEGORIES, required=True, default='company')
    name = fields.Char('Item', required=True)
    done = fields.Boolean()

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.visit_id._check_lines_writable()
        return lines

    def write(self, vals):
        self.visit_id._check_lines_writable()
        if vals.get('visit_id'):  # moving a line: the new visit must be writable too
            self.env['kam.visit'].browse(vals['visit_id'])._check_lines_writable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_visit_not_writable(self):
        self.visit_id._check_lines_writable()


class KamVisitChecklistTemplate(models.Model):
    """The configurable checklist every new visit starts with."""
    _name = 'kam.visit.checklist.template'
    _description = 'Visit Checklist Template'
    _order = 'sequence, id'

    sequence = fields.Integer(default=10)
    category = fields.Selection(CHECKLIST_CATEGORIES, required=True, default='company')
    name = fields.Char('Item', required=True, translate=True)
    active = fields.Boolean(default=True)
