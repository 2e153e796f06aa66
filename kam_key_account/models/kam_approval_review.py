import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import html_escape

from .kam_approval_step import APPROVAL_MODES

# The engine's permit to delete review lines: an object compared by identity, which no
# JSON-RPC payload can carry (see KamApprovalReview._unlink_by_engine).
_ENGINE_UNLINK = object()
ESCALATION_BATCH = 100
# The Key Accounts roles from the lowest up: escalation goes one rung higher.
KAM_ROLE_LADDER = [
    'kam_key_account.group_kam_user',
    'kam_key_account.group_kam_supervisor',
    'kam_key_account.group_kam_manager',
    'kam_key_account.group_kam_director',
    'kam_key_account.group_kam_general_manager',
]

_logger = logging.getLogger(__name__)

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
    decision_summary = fields.Char('Decision', compute='_compute_decision_summary')

    @api.depends('decision_ids.decision', 'decision_ids.user_id')
    def _compute_approval_count(self):
        for review in self:
            approvals = review.decision_ids.filtered(lambda d: d.decision == 'approved')
            review.approval_count = len(approvals)
            review.decided_by_ids = review.decision_ids.user_id

    # Apart from the count: the engine counts approvals without reading the deciders' names.
    @api.depends('decision_ids.comment', 'decision_ids.user_id')
    def _compute_decision_summary(self):
        for review in self:
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

    # ------------------------------------------------------------------------------------
    # Eligibility, delegations, escalation: who may decide a line of a given record
    # ------------------------------------------------------------------------------------

    @api.model
    def _role_ladder(self):
        """The Key Accounts roles, lowest first: read once per batch and passed along."""
        IrModelData = self.env['ir.model.data']
        return self.env['res.groups'].browse([IrModelData._xmlid_to_res_id(xmlid) for xmlid in KAM_ROLE_LADDER])

    @api.model
    def _eligible_users(self, record, users, requester=None):
        """Who of `users` may decide on `record`: four eyes, so neither the requester nor
        the record's responsible (`_approval_responsible`, e.g. a visit's leader) decides
        their own request; active internal users of the record's company."""
        requester = requester or record.approval_requester_id or self.env.user
        excluded = requester | record._approval_responsible()
        company = record.company_id
        return users.filtered(lambda u: u.active and not u.share and u not in excluded
                              and (not company or company.id in u._get_company_ids()))

    @api.model
    def _delegated_users(self, record, users, substitutes, requester=None):
        """`users` with those away replaced by their substitute, when the substitute may
        decide on `record`; and the notes saying so.

        :param substitutes: {user: substitute} of the batch (`kam.approval.delegation._substitutes`)
        """
        notes = []
        for user in users:
            substitute = substitutes.get(user)
            if substitute and self._eligible_users(record, substitute, requester):
                users = (users - user) | substitute
                notes.append(self.env._(
                    "%(user)s is away: %(substitute)s reviews in their place.",
                    user=user.name, substitute=substitute.name))
        return users, notes

    def _escalation_users(self, record, ladder, requester=None):
        """Who this line escalates to: the step's escalation group, else the Key Accounts
        role above the step's group, else the General Managers (eligible ones only)."""
        self.ensure_one()
        group = self.escalation_group_id
        if not group:
            step_group = self.step_id.group_id
            above = ladder[ladder.ids.index(step_group.id) + 1:] if step_group in ladder else ladder[2:]
            group = above[:1] or ladder[-1:]
        for candidates in (group.user_ids, group.all_user_ids, ladder[-1:].all_user_ids):
            users = self._eligible_users(record, candidates - self.reviewer_ids, requester)
            if users:
                return users
        return self.env['res.users']

    def _ensure_reviewers(self, record, ladder, requester=None):
        """A line that cannot pass with its reviewers escalates at once (it never passes by
        itself); one that nobody can take is reported (`_report_stalled`). Return the notes."""
        self.ensure_one()
        reviewers = self._eligible_users(record, self.reviewer_ids, requester)
        if reviewers and len(reviewers) >= self._required_approvals():
            return []
        added = self._escalation_users(record, ladder, requester)
        if not added:
            self._report_stalled()
            return [self._stalled_note()]
        self.write({'reviewer_ids': [Command.link(user.id) for user in added], 'escalated': True})
        return [self.env._(
            "The step %(step)s has no eligible reviewer left: escalated to %(users)s.",
            step=self.name, users=", ".join(added.mapped('name')))]

    def _stalled_note(self):
        self.ensure_one()
        return self.env._(
            "Nobody is eligible to decide the step %(step)s: the Key Accounts managers are asked to "
            "fix the approval chain or its reviewers, then to withdraw the request and submit it again.",
            step=self.name)

    def _report_stalled(self):
        """These lines have nobody left who may decide them: each is flagged (reported once)
        and every Key Accounts manager of its company gets a To-Do on its record
        (`activity_schedule`, one call per manager and step, whatever the caller's context)."""
        if not self:
            return
        self.stalled = True
        managers = self.env['ir.model.data']._xmlid_to_res_id('kam_key_account.group_kam_manager')
        managers = self.env['res.groups'].browse(managers).all_user_ids.filtered(lambda u: u.active and not u.share)
        today = fields.Date.context_today(self)
        entries = []
        for review in self:
            record = self.env[review.res_model].browse(review.res_id)
            told = managers.filtered(lambda u, c=review.company_id: not c or c in u.company_ids)
            if not told:
                _logger.warning("Approval step %s of %s,%s has no eligible reviewer and no Key Accounts "
                                "manager to report it to.", review.id, review.res_model, review.res_id)
            summary = self.env._("Approval stalled: %(step)s", step=review.name)
            note = html_escape(review._stalled_note())
            entries += [(record, manager, today, summary, note) for manager in told]
        self.env['mail.activity'].sudo().with_context(mail_activity_automation_skip=False)._kam_schedule(
            'mail.mail_activity_data_todo', entries)

    def _unlink_by_engine(self):
        """Delete review lines that have no decision (their record is deleted)."""
        return self.with_context(kam_approval_engine_unlink=_ENGINE_UNLINK).unlink()

    def _required_approvals(self):
        self.ensure_one()
        return max(self.required_count, 1)
