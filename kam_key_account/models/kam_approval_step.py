from ast import literal_eval

from odoo import api, fields, models
from odoo.exceptions import ValidationError

APPROVAL_MODES = [
    ('any', 'Any One'),
    ('all', 'All of Them'),
    ('quorum', 'N of Them'),
]
APPROVER_KINDS = [
    ('group', 'Members of a Group'),
    ('users', 'Named Users'),
    ('team_leader', "Leader of the Responsible's Sales Team"),
    ('account_manager', "The Account's Key-Account Manager"),
]


class KamApprovalStep(models.Model):
    """One sign-off of a chain: who approves, how many of them, when it applies."""
    _name = 'kam.approval.step'
    _inherit = ['kam.company.follow.mixin']
    _kam_company_parent = 'chain_id'
    _description = 'Approval Step'
    _order = 'chain_id, sequence, id'

    chain_id = fields.Many2one('kam.approval.chain', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='chain_id.company_id', store=True, index=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True, translate=True, help="e.g. 营销主管审核 (supervisor review)")
    approver_kind = fields.Selection(APPROVER_KINDS, 'Approvers', required=True, default='group')
    group_id = fields.Many2one('res.groups', 'Approver Group')
    user_ids = fields.Many2many('res.users', string='Approver Users', domain=[('share', '=', False)])
    mode = fields.Selection(APPROVAL_MODES, required=True, default='any')
    quorum = fields.Integer('Approvals Needed', default=1, help="For 'N of them': how many must approve.")
    condition_domain = fields.Char(
        'Applies When', default='[]',
        help="The step applies only to records matching this domain, e.g. special payment terms.")
    deadline_days = fields.Integer('Deadline (days)', default=3)
    stage_id = fields.Many2one(
        'kam.stage', 'Stage When Passed', help="Where the record goes when this step passes.")
    escalation_group_id = fields.Many2one(
        'res.groups', 'Escalate To',
        help="Who is notified when the step is overdue or has no reviewer left. "
             "Default: the next Key Accounts role up.")

    @api.constrains('approver_kind', 'group_id', 'user_ids', 'mode', 'quorum', 'deadline_days', 'condition_domain')
    def _check_step(self):
        for step in self:
            if step.approver_kind == 'group' and not step.group_id:
                raise ValidationError(self.env._("The step %(step)s needs an approver group.", step=step.name))
            if step.approver_kind == 'users' and not step.user_ids:
                raise ValidationError(self.env._("The step %(step)s needs approver users.", step=step.name))
            if step.mode == 'quorum' and step.quorum < 1:
                raise ValidationError(self.env._(
                    "The step %(step)s needs at least one approval.", step=step.name))
            if step.deadline_days < 0:
                raise ValidationError(self.env._(
                    "The deadline of the step %(step)s cannot be negative.", step=step.name))
            try:
                domain = literal_eval(step.condition_domain or '[]')
                self.env[step.chain_id.model]._search(domain)
            except Exception as error:  # noqa: BLE001 - any malformed domain is a user error here
                raise ValidationError(self.env._(
                    "The condition of the step %(step)s is not a valid domain: %(error)s",
                    step=step.name, error=error)) from error

    def _applies_to(self, record):
        return bool(record.filtered_domain(literal_eval(self.condition_domain or '[]')))
