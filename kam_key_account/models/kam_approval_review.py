from odoo import api, fields, models
from odoo.exceptions import UserError

from .kam_approval_step import APPROVAL_MODES

# The engine's permit to delete review lines: an object compared by identity, which no
# JSON-RPC payload can carry (see KamApprovalReview._unlink_by_engine).
_ENGINE_UNLINK = object()
ESCALATION_BATCH = 100

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
    the record reads its review lines. Nobody deletes them: the engine removes those of a
    record deleted before any decision was made.
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
    stalled = fields.Boolean(
        'No Eligible Reviewer', readonly=True,
        help="Nobody was left to decide this step, even by escalation: the Key Accounts managers were given a To-Do.")
    required_count = fields.Integer(
        'Approvals Needed', readonly=True,
        help="Fixed when the step is requested: reviewers added by escalation stand in, they do not raise it.")
    decision_ids = fields.One2many('kam.approval.decision', 'review_id', 'Decisions', readonly=True)
    approval_count = fields.Integer(compute='_compute_approval_count')
    decided_by_ids = fields.Many2many('res.users', compute='_compute_approval_count')
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

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        if self.env.context.get('kam_approval_engine_unlink') is not _ENGINE_UNLINK or self.decision_ids:
            raise UserError(self.env._(
                "Approval review lines are the approval history: they are never deleted."))

    @api.model
    def _cron_escalate_overdue(self, batch_size=ESCALATION_BATCH):
        """Escalate each overdue step once, a batch at a time, committing after each batch
        (`_commit_progress`, here only: outside a cron it commits, which tests forbid)."""
        while True:
            processed, remaining = self._escalate_overdue_batch(batch_size)
            time_left = self.env['ir.cron']._commit_progress(processed, remaining=remaining)
            # Nothing processed: the rest is locked by another worker, which handles it.
            if not processed or not remaining or time_left <= 0:
                return

    @api.model
    def _escalate_overdue_batch(self, limit):
        """Escalate up to `limit` overdue steps; return (escalated, still overdue).

        Safe with several workers: steps another worker holds are skipped (SKIP LOCKED),
        and the state is checked again under the lock, so a step decided or escalated
        meanwhile is left alone.
        """
        domain = self._overdue_domain()
        # A few more candidates than the batch: those another transaction holds are skipped.
        reviews = self.search(domain, order='id', limit=2 * limit).try_lock_for_update(limit=limit)
        reviews.invalidate_recordset(['state', 'escalated', 'stalled', 'deadline'])
        reviews = reviews.filtered_domain(domain)
        for model, model_reviews in reviews.grouped('res_model').items():
            records = self.env[model].browse(model_reviews.mapped('res_id')).exists() \
                if model in self.env else self.env['kam.approval.mixin']
            # A line whose record is gone would be picked again by every batch.
            model_reviews.filtered(lambda r: r.res_id not in records.ids).state = 'cancelled'
            records._approval_escalate(model_reviews, self.env._("The step is overdue."))
        return len(reviews), self.search_count(domain)

    def _overdue_domain(self):
        return [('state', '=', 'pending'), ('escalated', '=', False), ('stalled', '=', False),
                ('deadline', '<', fields.Date.context_today(self))]

    def _unlink_by_engine(self):
        """Delete review lines that have no decision (their record is deleted)."""
        return self.with_context(kam_approval_engine_unlink=_ENGINE_UNLINK).unlink()

    def _required_approvals(self):
        self.ensure_one()
        return max(self.required_count, 1)
