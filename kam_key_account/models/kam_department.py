from odoo import api, fields, models
from odoo.exceptions import ValidationError


class KamDepartment(models.Model):
    """A department that answers the key-account processes (技术、质控、生产、售后、财务):
    its responsible receives the problems, opinions and tasks raised to it, its manager
    (or the manager of a parent department) the overdue ones. Neither needs a Key Accounts
    role. Key Accounts Managers configure departments; every employee reads them.

    Odoo's `hr.department` is not linked on purpose: the addon does not depend on `hr`.
    """
    _name = 'kam.department'
    _description = 'Key-Account Department'
    _order = 'sequence, name'
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    parent_id = fields.Many2one('kam.department', 'Parent Department', index=True, check_company=True,
                                ondelete='restrict')
    child_ids = fields.One2many('kam.department', 'parent_id', 'Sub-Departments')
    responsible_id = fields.Many2one(
        'res.users', required=True, domain=[('share', '=', False)],
        help="Receives the problems, opinions and tasks raised to the department.")
    manager_id = fields.Many2one(
        'res.users', domain=[('share', '=', False)],
        help="Receives what is overdue in the department; without one, the parent department's manager.")
    manager_ids = fields.Many2many(
        'res.users', 'kam_department_manager_rel', 'department_id', 'user_id', 'Managers Up the Chain',
        compute='_compute_manager_ids', store=True, recursive=True,
        help="The managers of this department and of its parent departments: they read what is raised "
             "to it, and the nearest one receives what is overdue.")
    company_id = fields.Many2one('res.company', default=lambda self: self.env.company, index=True)
    active = fields.Boolean(default=True)

    @api.depends('name', 'parent_id.name')
    def _compute_display_name(self):
        for department in self:
            names, current = [], department
            while current:
                names.append(current.name or '')
                current = current.parent_id
            department.display_name = ' / '.join(reversed(names))

    @api.depends('manager_id', 'parent_id.manager_ids')
    def _compute_manager_ids(self):
        for department in self:
            department.manager_ids = department.manager_id | department.parent_id.manager_ids

    @api.constrains('parent_id')
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(self.env._("A department cannot be one of its own sub-departments."))

    @api.constrains('responsible_id', 'manager_id')
    def _check_internal_users(self):
        for department in self:
            if (department.responsible_id | department.manager_id).filtered('share'):
                raise ValidationError(self.env._(
                    "The responsible and the manager of %(department)s must be internal users.",
                    department=department.name))

    def _kam_escalation_manager(self):
        """The manager of this department, else of the nearest parent department that has one."""
        department = self[:1]
        while department and not department.manager_id:
            department = department.parent_id
        return department.manager_id
