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
    ('company_vp', "The Company's Marketing VP (default: the General Managers)"),
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

    def _candidate_users(self, record, ladder):
        """Who this step names for `record`, before four eyes and delegations.

        :param ladder: the Key Accounts roles (`kam.approval.review._role_ladder`)
        """
        self.ensure_one()
        if self.approver_kind == 'group':
            # The group's own members: a Supervisor step is not sent to every Director
            # and General Manager (they imply the group); escalation reaches them if needed.
            return self.group_id.user_ids
        if self.approver_kind == 'users':
            return self.user_ids
        if self.approver_kind == 'team_leader':
            # The responsible's own supervisor; without a team leader, the Supervisors.
            return record._approval_responsible().sale_team_id.user_id or ladder[1:2].user_ids
        if self.approver_kind == 'company_vp':
            # Configured per company (a named user or a group), the General Managers by default.
            company = record.company_id
            return company.kam_vp_user_id or company.kam_vp_group_id.user_ids or ladder[-1:].user_ids
        return record._approval_partner().commercial_partner_id.kam_manager_id

    def _resolve_reviewers(self, record, ladder, substitutes, requester):
        """The users who review this step for `record`, and notes on delegations.

        :param substitutes: {user: substitute} of the batch (`kam.approval.delegation._substitutes`)
        """
        self.ensure_one()
        Review = self.env['kam.approval.review']
        users = Review._eligible_users(record, self._candidate_users(record, ladder), requester)
        return Review._delegated_users(record, users, substitutes, requester)

    def _applies_to(self, record):
        return bool(record.filtered_domain(literal_eval(self.condition_domain or '[]')))
