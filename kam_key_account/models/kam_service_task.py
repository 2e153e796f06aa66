from odoo import api, fields, models
from odoo.exceptions import ValidationError


class KamServiceTask(models.Model):
    """A task carrying out a service request (R5): one per task type of an approved
    request, for the team member holding the type's role.

    The participant pattern of `kam.assigned.line`: the responsible (any employee, see
    the rules kam_service_task_rule_participant and kam_service_request_rule_participant)
    reads the task and its request and does the task, from the task or by marking its
    activity done (the feedback is the resolution), recording its actual cost; those who
    may edit the request re-assign, edit and delete its tasks.
    """
    _name = 'kam.service.task'
    _inherit = ['kam.assigned.line', 'kam.company.follow.mixin', 'mail.thread']
    _kam_company_parent = 'request_id'
    _kam_line_parent = 'request_id'
    _kam_line_participant_fields = frozenset({'state', 'resolution', 'actual_cost'})
    _description = 'Service Task'
    _order = 'due_date, id'
    _check_company_auto = True

    request_id = fields.Many2one('kam.service.request', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='request_id.company_id', store=True)
    partner_id = fields.Many2one(related='request_id.partner_id', string='Account', store=True, index=True)
    currency_id = fields.Many2one(related='request_id.currency_id')
    type_id = fields.Many2one('kam.service.type', 'Service', check_company=True)
    role = fields.Selection(related='type_id.responsible_role')
    actual_cost = fields.Monetary(tracking=True)
    state = fields.Selection(tracking=True, group_expand=True)
    responsible_id = fields.Many2one(tracking=True)
    resolution = fields.Text(tracking=True)

    _positive_cost = models.Constraint(
        'CHECK(actual_cost >= 0)', "The actual cost of a service task cannot be negative.")

    @api.depends('department_id', 'type_id', 'request_id')
    def _compute_responsible_id(self):
        """The team member holding the type's role (R5), else the assigned line's default."""
        holders = self._kam_role_holders()
        for task in self:
            task.responsible_id = holders.get(task) or task.responsible_id
        return super(KamServiceTask, self.filtered(lambda t: not holders.get(t)))._compute_responsible_id()

    @api.constrains('type_id', 'request_id')
    def _check_role_held(self):
        holders = self._kam_role_holders()
        for task in self.filtered('type_id'):
            if not holders.get(task):
                raise ValidationError(self.env._(
                    "Nobody on the service team of %(account)s holds the role %(role)s, which carries out "
                    "%(service)s: add a team member with that role first.",
                    account=task.request_id.partner_id.display_name,
                    role=dict(task._fields['role']._description_selection(self.env)).get(task.role),
                    service=task.type_id.name))

    def _kam_role_holders(self):
        """{task: the member of its account's team holding its type's role} (one query)."""
        accounts = self.request_id.partner_id.commercial_partner_id
        members = self.env['kam.service.team.member'].sudo().search([('partner_id', 'in', accounts.ids)])
        holders = {}
        for task in self.filtered('type_id'):
            holder = members.filtered(lambda m, t=task: m.partner_id == t.request_id.partner_id.commercial_partner_id
                                      and m.role == t.type_id.responsible_role)[:1]
            if holder:
                holders[task] = holder.user_id.with_env(self.env)
        return holders

    def _kam_line_summary(self):
        return self.env._("Service task: %(task)s", task=self._kam_line_label())
