from ast import literal_eval

from odoo import api, fields, models
from odoo.exceptions import ValidationError

APPROVER_KINDS = [
    ('group', 'Members of a Group'),
    ('users', 'Named Users'),
    ('team_leader', "Leader of the Responsible's Sales Team"),
    ('account_manager', "The Account's Key-Account Manager"),
]
APPROVAL_MODES = [
    ('any', 'Any One'),
    ('all', 'All of Them'),
    ('quorum', 'N of Them'),
]


class KamApprovalChain(models.Model):
    """The sign-offs a kind of record needs, per company: ordered steps.

    Configuration, not code: KAM Managers edit chains; running requests keep the
    reviewers, steps and stages they were given when approval was requested. A chain of
    a company (and its steps) is seen in that company only; a chain without company in all.
    """
    _name = 'kam.approval.chain'
    _description = 'Approval Chain'
    _order = 'model, company_id, sequence, id'

    name = fields.Char(required=True, translate=True)
    model = fields.Selection(selection='_selection_model', required=True, index=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        'res.company', index=True, help="Leave empty for a chain every company uses.")
    step_ids = fields.One2many('kam.approval.step', 'chain_id', 'Steps', copy=True)
    request_stage_id = fields.Many2one(
        'kam.stage', 'Stage on Request', help="Where a record goes when its approval is requested.")
    reject_stage_id = fields.Many2one('kam.stage', 'Stage on Rejection')
    step_count = fields.Integer(compute='_compute_step_count')

    @api.model
    def _selection_model(self):
        registry = self.env.registry
        consumers, todo = set(), ['kam.approval.mixin']
        while todo:  # every model inheriting the engine, through other mixins too
            children = set(registry[todo.pop()]._inherit_children) - consumers
            consumers |= children
            todo += children
        concrete = sorted(model for model in consumers if not self.env[model]._abstract)
        # ir.model's name is translated, a model's _description is not (one query for all).
        names = dict(self.env['ir.model'].sudo().search_fetch(
            [('model', 'in', concrete)], ['model', 'name']).mapped(lambda m: (m.model, m.name)))
        return [(model, names.get(model) or self.env[model]._description) for model in concrete]

    @api.depends('step_ids')
    def _compute_step_count(self):
        for chain in self:
            chain.step_count = len(chain.step_ids)

    @api.constrains('request_stage_id', 'reject_stage_id', 'step_ids', 'model')
    def _check_stages_of_the_process(self):
        for chain in self:
            process = getattr(self.env[chain.model], '_kam_process', None)
            stages = chain.request_stage_id | chain.reject_stage_id | chain.step_ids.stage_id
            if process and any(stage.process != process for stage in stages):
                raise ValidationError(self.env._(
                    "The stages of the chain %(chain)s must belong to its process.", chain=chain.display_name))


class KamApprovalStep(models.Model):
    """One sign-off of a chain: who approves, how many of them, when it applies."""
    _name = 'kam.approval.step'
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
