from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .kam_approval_chain import APPROVAL_MODES

REVIEW_STATES = [
    ('waiting', 'Waiting'),
    ('pending', 'To Approve'),
    ('approved', 'Approved'),
    ('rejected', 'Rejected'),
    ('cancelled', 'Cancelled'),
]


class KamApprovalReview(models.Model):
    """One step of one approval round of one record: the review line.

    Requesting approval snapshots every applicable step here (reviewers, mode, stage,
    deadline), so later edits of the chain never change a running request. Review
    lines are written by the engine only (sudo, after its checks); whoever can read
    the record reads its review lines.
    """
    _name = 'kam.approval.review'
    _description = 'Approval Review Line'
    _order = 'res_model, res_id, round desc, sequence, id'

    res_model = fields.Char('Document Model', required=True, readonly=True, index=True)
    res_id = fields.Many2oneReference('Document', model_field='res_model', required=True, readonly=True, index=True)
    company_id = fields.Many2one('res.company', readonly=True, index=True)
    round = fields.Integer(required=True, readonly=True)
    sequence = fields.Integer(readonly=True)
    name = fields.Char('Step', required=True, readonly=True)
    step_id = fields.Many2one('kam.approval.step', 'Chain Step', readonly=True, ondelete='set null')
    requester_id = fields.Many2one('res.users', readonly=True)
    reviewer_ids = fields.Many2many(
        'res.users', 'kam_approval_review_reviewer_rel', 'review_id', 'user_id', 'Reviewers', readonly=True)
    mode = fields.Selection(APPROVAL_MODES, required=True, readonly=True)
    quorum = fields.Integer(readonly=True)
    deadline = fields.Date(readonly=True)
    pass_stage_id = fields.Many2one('kam.stage', readonly=True)
    reject_stage_id = fields.Many2one('kam.stage', readonly=True)
    escalation_group_id = fields.Many2one('res.groups', readonly=True)
    state = fields.Selection(REVIEW_STATES, required=True, default='waiting', readonly=True, index=True)
    escalated = fields.Boolean(readonly=True)
    required_count = fields.Integer(
        'Approvals Needed', readonly=True,
        help="Fixed when the step is requested: reviewers added by escalation stand in, they do not raise it.")
    decision_ids = fields.One2many('kam.approval.decision', 'review_id', 'Decisions', readonly=True)
    approval_count = fields.Integer(compute='_compute_approval_count')
    decided_by_ids = fields.Many2many('res.users', compute='_compute_approval_count', string='Decided By')
    decision_summary = fields.Char('Decision', compute='_compute_approval_count')

    @api.depends('decision_ids.decision', 'decision_ids.user_id')
    def _compute_approval_count(self):
        for review in self:
            approvals = review.decision_ids.filtered(lambda d: d.decision == 'approved')
            review.approval_count = len(approvals)
            review.decided_by_ids = review.decision_ids.user_id
            review.decision_summary = "; ".join(
                f"{d.user_id.name}: {d.comment}" if d.comment else d.user_id.name
                for d in review.decision_ids)

    @api.depends('name', 'round')
    def _compute_display_name(self):
        for review in self:
            review.display_name = review.name

    @api.model
    def _cron_escalate_overdue(self):
        """Escalate each overdue step once. Safe with several workers: a review another
        worker holds is skipped (SKIP LOCKED) and the escalated flag makes a rerun a no-op."""
        overdue = self.search([
            ('state', '=', 'pending'), ('escalated', '=', False),
            ('deadline', '<', fields.Date.context_today(self))])
        if not overdue:
            return
        self.env.cr.execute(SQL(
            "SELECT id FROM kam_approval_review WHERE id IN %s AND escalated IS NOT TRUE "
            "FOR UPDATE SKIP LOCKED", tuple(overdue.ids)))
        locked = self.browse(row[0] for row in self.env.cr.fetchall())
        for model, reviews in locked.grouped('res_model').items():
            records = self.env[model].browse(reviews.mapped('res_id')).exists()
            records._approval_escalate(reviews, self.env._("The step is overdue."))

    def _required_approvals(self):
        self.ensure_one()
        return max(self.required_count, 1)


class KamApprovalDecision(models.Model):
    """One person's decision on a review line: who, when, what, why."""
    _name = 'kam.approval.decision'
    _description = 'Approval Decision'
    _order = 'id'

    review_id = fields.Many2one('kam.approval.review', required=True, ondelete='cascade', index=True, readonly=True)
    res_model = fields.Char(related='review_id.res_model', store=True)
    res_id = fields.Many2oneReference(related='review_id.res_id', store=True, model_field='res_model')
    user_id = fields.Many2one('res.users', 'Decided By', required=True, readonly=True)
    decision = fields.Selection([('approved', 'Approved'), ('rejected', 'Rejected')], required=True, readonly=True)
    comment = fields.Text(readonly=True)
    override = fields.Boolean('General Manager Override', readonly=True)
    date = fields.Datetime(default=fields.Datetime.now, readonly=True)


class KamApprovalDelegation(models.Model):
    """While a user is away, approval requests go to their substitute.

    Each user manages their own delegations; KAM Managers manage everyone's.
    """
    _name = 'kam.approval.delegation'
    _description = 'Approval Delegation'
    _order = 'date_from desc, id desc'

    user_id = fields.Many2one(
        'res.users', 'Delegating User', required=True, default=lambda self: self.env.user, index=True)
    substitute_id = fields.Many2one('res.users', 'Substitute', required=True, domain=[('share', '=', False)])
    date_from = fields.Date('From', required=True, default=fields.Date.context_today)
    date_to = fields.Date('To', required=True)
    active = fields.Boolean(default=True)

    _dates_ordered = models.Constraint(
        'CHECK(date_from <= date_to)', 'A delegation cannot end before it starts.')

    @api.constrains('user_id', 'substitute_id')
    def _check_substitute(self):
        for delegation in self:
            if delegation.user_id == delegation.substitute_id:
                raise ValidationError(self.env._("A user cannot be their own substitute."))

    @api.depends('user_id', 'substitute_id')
    def _compute_display_name(self):
        for delegation in self:
            delegation.display_name = self.env._(
                "%(user)s → %(substitute)s", user=delegation.user_id.name, substitute=delegation.substitute_id.name)

    @api.model
    def _substitutes(self, users, day=None):
        """Map each user away on `day` to their substitute (one search for all users)."""
        day = day or fields.Date.context_today(self)
        delegations = self.sudo().search([
            ('user_id', 'in', users.ids), ('date_from', '<=', day), ('date_to', '>=', day),
            ('substitute_id.active', '=', True)])
        return {delegation.user_id: delegation.substitute_id for delegation in delegations}
