from collections import defaultdict
from contextlib import nullcontext
from datetime import timedelta

from markupsafe import Markup
from psycopg2.errors import LockNotAvailable

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tools import SQL, html_escape

APPROVAL_FIELDS = frozenset({
    'approval_state', 'approval_review_id', 'approval_round', 'approval_requester_id',
    'approval_transition', 'approval_review_ids',
})
APPROVAL_STATES = [
    ('draft', 'Not Requested'),
    ('pending', 'Waiting for Approval'),
    ('approved', 'Approved'),
    ('rejected', 'Rejected'),
]
TRANSITIONS = [
    ('requested', 'Approval Requested'),
    ('step_approved', 'Step Approved'),
    ('approved', 'Approved'),
    ('rejected', 'Rejected'),
    ('reset', 'Approval Withdrawn'),
]
# Every approval event has its message subtype, declared by the process
# (kam.process.mixin `_kam_approval_subtypes`).
APPROVAL_EVENTS = (*(kind for kind, _label in TRANSITIONS), 'escalated')
APPROVAL_ACTIVITY_TYPE = 'kam_key_account.mail_activity_type_kam_approval'
# The only context keys the engine keeps from its caller: what the user reads (language,
# time zone), the companies they act for, and a test-only rendering switch. Every other
# key (active_test, tracking_disable, mail_notrack, mail_activity_automation_skip,
# default_*, ...) is client input that could change what the engine checks or records.
APPROVAL_CONTEXT_KEYS = ('lang', 'tz', 'allowed_company_ids', 'force_report_rendering')
# The engine's own stage moves (gates, withdrawal) are marked by this value under STAGE_KEY,
# compared by identity: a JSON-RPC client cannot send it. Every other write of stage_id goes
# through the process's checked move (kam.process.mixin, `_kam_move_to`).
STAGE_KEY = 'kam_stage_move'
ENGINE_MOVE = object()
# The step a person saw when they pressed Approve, Reject or Override (the form's buttons
# send it): their decision is on that step or on none. Client input that only restricts.
SEEN_STEP_KEY = 'kam_approval_review_id'
# How long a reviewer waits for another one deciding on the same record.
APPROVAL_LOCK_WAIT = '2s'


class KamApprovalMixin(models.AbstractModel):
    """The approval engine: every key-account process inherits it.

    The chain (`kam.approval.chain`) of the record's model and company says which steps
    apply; requesting approval snapshots them as review lines (`kam.approval.review`),
    and each decision is a `kam.approval.decision` on the current line. Activities of the
    Approval type only remind reviewers: the engine alone creates and removes them.

    ================== ======================================================================
    Who                What
    ================== ======================================================================
    record's writers   request approval (not twice), withdraw it by moving the record back
                       before the first gate stage or by changing what was approved (an
                       approval-relevant field, in any stage: the record goes back to its
                       first stage if it was in a gate); delete a record that has no
                       decision (its review lines go with it)
    current reviewers  approve or reject (with a reason) the current step, once each, never
                       a request of their own nor one of a record they are responsible for
                       (`_approval_responsible`: such a step escalates to the role above)
    General Manager    override-approve the current step, with a reason that is logged (not
                       on their own request or record)
    KAM Managers       are given a To-Do when a step has nobody left who may decide it
    nobody             write approval fields or review lines, move a record into a gate
                       stage (or past the first one) before it is approved, delete a
                       decision, or delete a record that has decisions (archive or cancel it)
    ================== ======================================================================

    The engine writes its own fields with sudo() after its `_check_can_*` checks: a
    context key would be no protection, RPC callers control the context. The engine's
    actions run on `self` without duplicate ids and with none of the caller's context
    keys but those of APPROVAL_CONTEXT_KEYS (see `_approval_env`). The database holds at
    most one decision per review line and user.

    Who reviews a step is the step's (`kam.approval.step._resolve_reviewers`); who may
    decide a line, escalation and stalled steps are the review line's. The stage gating is
    the process's (`kam.process.mixin`). A consumer defines `_kam_process` (its kam.stage
    process), `stage_id`, `company_id`, and may override `_approval_responsible`, `_approval_partner`,
    `_check_approval_ready`, `_on_approval_approved` and `_on_approval_rejected`.
    """
    _name = 'kam.approval.mixin'
    _description = 'Key-Account Approval Engine'
    _kam_process = None
    # Changing one of these on a record waiting for or holding an approval withdraws it.
    _approval_relevant_fields = ()

    approval_state = fields.Selection(
        APPROVAL_STATES, 'Approval', required=True, default='draft', readonly=True, copy=False,
        index=True, tracking=True)
    approval_review_id = fields.Many2one(
        'kam.approval.review', 'Approval Step', readonly=True, copy=False, tracking=True,
        index='btree_not_null')
    approval_round = fields.Integer(readonly=True, copy=False)
    approval_requester_id = fields.Many2one('res.users', 'Approval Requested By', readonly=True, copy=False)
    approval_transition = fields.Selection(TRANSITIONS, 'Last Approval Event', readonly=True, copy=False)
    # Only Key Accounts roles read the approval steps: participants and archivists read the
    # record without its history (fields_get leaves it out, as the form does its page).
    approval_review_ids = fields.One2many(
        'kam.approval.review', 'res_id', 'Approval History', readonly=True, copy=False,
        domain=lambda self: [('res_model', '=', self._name)], groups='kam_key_account.group_kam_user')
    approval_reviewer_ids = fields.Many2many(
        related='approval_review_id.reviewer_ids', string='Current Reviewers')
    approval_deadline = fields.Date(related='approval_review_id.deadline', string='Approval Deadline')
    can_approve = fields.Boolean(compute='_compute_can_approve')
    can_override_approval = fields.Boolean(compute='_compute_can_approve')

    @api.depends('approval_state', 'approval_review_id', 'approval_requester_id')
    @api.depends_context('uid')
    def _compute_can_approve(self):
        user = self.env.user
        is_gm = user.has_group('kam_key_account.group_kam_general_manager')
        for record in self:
            # The current step decides who may act, even for readers not allowed its history.
            review = record.sudo().approval_review_id
            open_to_user = (
                record.approval_state == 'pending' and review.state == 'pending'
                and user != record.approval_requester_id and user not in record._approval_responsible()
                and user not in review.decision_ids.user_id)
            record.can_approve = open_to_user and user in review.reviewer_ids
            record.can_override_approval = open_to_user and is_gm and user not in review.reviewer_ids

    # ------------------------------------------------------------------------------------
    # CRUD: approval fields are the engine's (gated stages are the process's)
    # ------------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            # What create() would fill in for a missing field: the default_* context keys
            # and the user's own defaults are client input, like the values.
            defaults = self.default_get(list(APPROVAL_FIELDS))
            for vals in vals_list:
                if any((vals[name] if name in vals else defaults.get(name)) not in (None, False, 'draft', [])
                       for name in APPROVAL_FIELDS):
                    raise AccessError(self._approval_fields_error())
        return super().create(vals_list)

    def write(self, vals):
        withdrawn = self.browse()
        if not self.env.su:
            if APPROVAL_FIELDS.intersection(vals):
                raise AccessError(self._approval_fields_error())
            withdrawn = self._approval_withdrawn_by(vals)
        result = super().write(vals)
        if withdrawn:
            withdrawn._approval_env()._do_reset_approval()
        return result

    def _approval_withdrawn_by(self, vals):
        """The records of `self` whose running or granted approval a client's write of
        `vals` withdraws: those whose approval-relevant values it changes."""
        if not set(self._approval_relevant_fields) & vals.keys():
            return self.browse()
        # Whatever the stage: a closed record (a cancelled visit) can be reopened, and must
        # not come back holding an approval of other values.
        return self.filtered(lambda r: r.approval_state in ('pending', 'approved') and any(
            r[name] != r._fields[name].convert_to_record(r._fields[name].convert_to_cache(vals[name], r), r)
            for name in self._approval_relevant_fields if name in vals))

    def unlink(self):
        # Review lines are no child records of ours (res_model/res_id): the engine removes
        # those of a record without decisions (the checks below refuse the others).
        reviews = self.env['kam.approval.review'].sudo().search(
            [('res_model', '=', self._name), ('res_id', 'in', self.ids)])
        result = super().unlink()
        reviews._unlink_by_engine()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_pending_approval(self):
        if any(record.approval_state == 'pending' for record in self):
            raise UserError(self.env._(
                "A record waiting for approval cannot be deleted: move it back to draft first."))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_approval_history(self):
        decided = self.env['kam.approval.decision'].sudo()._read_group(
            [('res_model', '=', self._name), ('res_id', 'in', self.ids)], ['res_id'], limit=1)
        if decided:
            raise UserError(self.env._(
                "%(record)s has approval decisions, which are its history and are kept: "
                "archive or cancel it instead of deleting it.",
                record=self.browse(decided[0][0]).sudo().display_name))

    # ------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------

    def _approval_env(self):
        """The engine's records: each once (`[id, id]` must not count twice), in a context
        keeping only APPROVAL_CONTEXT_KEYS of the caller's. Any other key is client input:
        default_* would fill the engine's own records, active_test=False revive archived
        chains, tracking_disable or mail_activity_automation_skip hide a transition."""
        context = {key: self.env.context[key] for key in APPROVAL_CONTEXT_KEYS if key in self.env.context}
        # The whole context replaced on purpose: only the whitelisted keys survive.
        return self.browse(dict.fromkeys(self.ids)).with_context(context)  # pylint: disable=context-overridden

    def action_request_approval(self):
        records = self._approval_env()
        records._check_can_request_approval()
        records._do_request_approval()
        return True

    def action_approve(self):
        records = self._approval_env()
        open_lines = records._check_can_decide(seen_review_id=self.env.context.get(SEEN_STEP_KEY))
        records._do_decide('approved', open_lines=open_lines)
        return True

    def action_open_approval_wizard(self):
        """Reject (or, for a General Manager, override): both need a reason."""
        decision = self.env.context.get('kam_approval_decision', 'rejected')
        return {
            'type': 'ir.actions.act_window',
            'res_model': 'kam.approval.wizard',
            'view_mode': 'form',
            'target': 'new',
            'name': self.env._("Override Approval") if decision == 'override' else self.env._("Reject"),
            'context': {
                'default_res_model': self._name,
                'default_res_ids': str(self.ids),
                'default_decision': decision,
                'default_review_id': self.env.context.get(SEEN_STEP_KEY),
            },
        }

    def action_open_approval_history(self):
        return {
            'type': 'ir.actions.act_window',
            'res_model': 'kam.approval.review',
            'view_mode': 'list',
            'name': self.env._("Approval History"),
            'domain': [('res_model', '=', self._name), ('res_id', 'in', self.ids)],
        }

    def _approval_report_decisions(self):
        """Every decision of the latest approval round, for a printed form: step, decision,
        who and when (read with sudo: the form prints them for whoever may print it)."""
        self.ensure_one()
        reviews = self.env['kam.approval.review'].sudo().search(
            [('res_model', '=', self._name), ('res_id', '=', self.id), ('round', '=', self.approval_round)],
            order='sequence, id')
        labels = dict(self.env['kam.approval.decision']._fields['decision']._description_selection(self.env))
        return [{
            'step': review.name,
            'decision': labels[decision.decision],
            'user': decision.user_id.name,
            'date': fields.Datetime.context_timestamp(self, decision.date).strftime('%Y-%m-%d %H:%M'),
            'comment': decision.comment or '',
        } for review in reviews for decision in review.decision_ids.sorted('id')]

    def _approval_reject(self, reason, seen_review_id=None):
        """:param seen_review_id: the step the user decides on, as their form showed it"""
        if not (reason or '').strip():
            raise UserError(self.env._("Say why you reject: the requester needs the reason."))
        records = self._approval_env()
        open_lines = records._check_can_decide(seen_review_id=seen_review_id)
        records._do_decide('rejected', comment=reason, open_lines=open_lines)

    def _approval_override(self, reason, seen_review_id=None):
        """:param seen_review_id: the step the user decides on, as their form showed it"""
        if not (reason or '').strip():
            raise UserError(self.env._("An override needs a reason: it is logged."))
        records = self._approval_env()
        open_lines = records._check_can_decide(override=True, seen_review_id=seen_review_id)
        records._do_decide('approved', comment=reason, override=True, open_lines=open_lines)

    # ------------------------------------------------------------------------------------
    # Hooks for consumers
    # ------------------------------------------------------------------------------------

    def _approval_responsible(self):
        return self['user_id'] if 'user_id' in self._fields else self.env['res.users']

    def _approval_partner(self):
        return self['partner_id'] if 'partner_id' in self._fields else self.env['res.partner']

    def _check_approval_ready(self):
        """Raise a UserError when a record is not complete enough to be submitted."""

    def _on_approval_approved(self):
        """Called once the last step passed, with the engine's rights."""

    def _on_approval_rejected(self):
        """Called after a rejection, with the engine's rights."""

    # ------------------------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------------------------

    def _check_approval_company(self):
        allowed = self.env.user._get_company_ids()  # cached per user
        for record in self:
            if record.company_id and record.company_id.id not in allowed:
                raise AccessError(self.env._(
                    "%(record)s belongs to %(company)s: you cannot act on its approval.",
                    record=record.display_name, company=record.company_id.name))

    def _check_can_request_approval(self):
        self.check_access('write')
        self._check_approval_company()
        for record in self:
            if record.approval_state not in ('draft', 'rejected'):
                raise UserError(self.env._(
                    "Approval of %(record)s has already been requested.", record=record.display_name))
        self._check_approval_ready()
        chains = self._get_approval_chains()
        for record in self:
            if not chains.get(record.company_id):
                raise UserError(self.env._(
                    "No approval chain is configured for %(model)s: ask a Key Accounts Manager.",
                    model=self.env['ir.model']._get(self._name).name))

    def _check_can_decide(self, override=False, seen_review_id=None):
        """The checks first: a reader who may not decide is refused without taking any lock,
        so they cannot keep the reviewers waiting. Then the lock, which fails (and the RPC
        layer runs the call again) if another decision was committed since this transaction
        began: what the checks read is then still what the database holds, and is not read
        again (under REPEATABLE READ, a second read would see the same snapshot).

        :param seen_review_id: the step the user saw when they chose to decide (the form's,
            sent by its buttons): a decision never lands on a step its author did not see,
            when the one they saw was decided meanwhile (a stale form; the call run again
            after the lock failed)
        :return: the waiting and pending review lines of the batch (for `_do_decide`)
        """
        self.check_access('read')
        self._check_approval_company()
        if override and not self.env.user.has_group('kam_key_account.group_kam_general_manager'):
            raise AccessError(self.env._("Only a General Manager can override an approval step."))
        lines = self._approval_prefetch_open_lines()
        # Who the decision concerns, read once for the batch: the reviewers (who may take the
        # next step, reminded), the requester (notified), the author and the account of the
        # chatter entry, the companies whose partners sign its mail; and the stages the
        # records leave and enter (tracked). With the engine's rights: a reviewer may not read
        # the partner of a requester of another company, which the engine notifies anyway.
        records = self.sudo()
        users = lines.with_context(active_test=False).reviewer_ids | records.approval_requester_id | self.env.user.sudo()
        users.fetch()
        (users.partner_id | records._approval_partner_of_batch() | records.company_id.partner_id).fetch()
        if 'stage_id' in self._fields:
            (records.stage_id | lines.pass_stage_id | lines.reject_stage_id).fetch()
        self._check_decision_open(override)
        if seen_review_id:
            self._check_decision_on_step(seen_review_id)
        self._approval_lock()
        return lines

    def _approval_prefetch_open_lines(self):
        """Read the waiting and pending review lines of the batch, their reviewers and
        decisions, once: the checks, then the decision (the next step's reviewers
        included), use them from the cache."""
        lines = self.env['kam.approval.review'].sudo().search_fetch(self._approval_open_lines_domain())
        lines.fetch(['reviewer_ids', 'decision_ids'])
        return lines

    def _approval_partner_of_batch(self):
        return self.mapped('partner_id') if 'partner_id' in self._fields else self.env['res.partner']

    def _approval_open_lines_domain(self):
        return [('res_model', '=', self._name), ('res_id', 'in', self.ids), ('state', 'in', ('waiting', 'pending'))]

    def _check_decision_open(self, override=False):
        user = self.env.user
        for record in self:
            # The record is readable (checked): so are its review lines and who reviews them.
            review = record.approval_review_id.sudo()
            closed = record.approval_state != 'pending' or review.state != 'pending'
            if closed or (not override and user not in review.reviewer_ids):
                record._check_not_decided_by_others(user)
            if closed:
                raise UserError(self.env._(
                    "%(record)s is not waiting for a decision any more.", record=record.display_name))
            if user == record.approval_requester_id:
                raise UserError(self.env._(
                    "You requested the approval of %(record)s: someone else must decide.",
                    record=record.display_name))
            if user in record._approval_responsible():
                raise UserError(self.env._(
                    "You are responsible for %(record)s: someone else must decide on its approval.",
                    record=record.display_name))
            if user in review.decision_ids.user_id:
                raise UserError(self.env._(
                    "You already decided on the step %(step)s of %(record)s.",
                    step=review.name, record=record.display_name))
            if not override and user not in review.reviewer_ids:
                raise AccessError(self.env._(
                    "Only the reviewers of the step %(step)s (%(reviewers)s) can decide on %(record)s.",
                    step=review.name, record=record.display_name,
                    reviewers=", ".join(review.reviewer_ids.mapped('name')) or "-"))

    def _check_decision_on_step(self, seen_review_id):
        """The records still wait for the step the user saw (`_check_can_decide`)."""
        for record in self:
            current = record.sudo().approval_review_id
            if current.id != seen_review_id:
                # Client input: named only if it is a step id.
                seen = current.browse(seen_review_id if type(seen_review_id) is int else ()).exists()
                raise UserError(self.env._(
                    "The step %(step)s of %(record)s was decided meanwhile: it now waits for %(current)s. "
                    "Reload it to see where it stands.",
                    step=seen.name or "-", record=record.display_name, current=current.name or "-"))

    def _check_not_decided_by_others(self, user):
        """`user` reviews a step of the running round that others decided (e.g. the other
        reviewer of an "any" step was faster): say who, rather than "not a reviewer"."""
        self.ensure_one()
        decided = self.sudo().approval_review_ids.filtered(
            lambda r: r.round == self.approval_round and r.state in ('approved', 'rejected')
            and user in r.reviewer_ids and r.decision_ids and user not in r.decision_ids.user_id,
        ).sorted(lambda r: (r.sequence, r.id))[-1:]
        if decided:
            raise UserError(self.env._(
                "%(users)s already decided on the step %(step)s of %(record)s.",
                users=", ".join(decided.decision_ids.user_id.mapped('name')), step=decided.name,
                record=self.display_name))

    def _approval_lock(self):
        """Two reviewers deciding at once: the second waits (a little) for the first.

        The lock is a no-op UPDATE of the rows, not a SELECT FOR UPDATE: under REPEATABLE
        READ, a transaction whose snapshot predates a decision committed meanwhile then fails
        with a serialization error, the RPC layer runs it again, and the checks above say
        who decided. With a mere row lock it would go on with what it saw before (and two
        approvals of an "all" step would each count alone). The records' current review
        lines are updated with them: what counts a step without touching its record (a
        reviewer archived lowers the approvals an "all" step needs, escalation adds
        reviewers) and a decision then cannot both commit on what each saw before the
        other. The short lock_timeout is set for this statement only: the rest of the
        transaction keeps its own.
        """
        if not self.ids:
            return
        self.env.flush_all()
        review_ids = self.sudo().approval_review_id.ids or [0]
        try:
            # One round trip: keep the transaction's lock_timeout aside, wait at most
            # APPROVAL_LOCK_WAIT for the rows, then put it back.
            self.env.cr.execute(SQL(
                "SELECT set_config('kam.lock_timeout', current_setting('lock_timeout'), true), "
                "set_config('lock_timeout', %s, true); "
                "UPDATE %s SET write_date = write_date WHERE id IN %s; "
                "UPDATE %s SET write_date = write_date WHERE id IN %s; "
                "SELECT set_config('lock_timeout', current_setting('kam.lock_timeout'), true)",
                APPROVAL_LOCK_WAIT, SQL.identifier(self._table), tuple(self.ids),
                SQL.identifier(self.env['kam.approval.review']._table), tuple(review_ids)))
        except LockNotAvailable:  # the transaction is aborted, its lock_timeout with it
            raise UserError(self.env._(
                "Someone else is deciding on this record right now: reload it in a moment.")) from None

    def _approval_write(self, vals):
        """The engine's write of its fields and of the stages it moves records into."""
        return self.sudo().with_context(**{STAGE_KEY: ENGINE_MOVE}).write(vals)

    def _approval_fields_error(self):
        return self.env._(
            "Approval fields and approval stages are set by the approval engine: "
            "use Request Approval, Approve or Reject.")

    # ------------------------------------------------------------------------------------
    # Transitions
    # ------------------------------------------------------------------------------------

    def _get_approval_chains(self):
        """The chain of each company of these records, company-specific first (one query)."""
        chains = self.env['kam.approval.chain'].sudo().search([
            ('model', '=', self._name), ('company_id', 'in', self.company_id.ids + [False]),
        ], order='sequence, id')
        return {company: chains.filtered(lambda c: c.company_id == company)[:1]
                or chains.filtered(lambda c: not c.company_id)[:1]
                for company in self.company_id | self.env['res.company']}

    def _do_request_approval(self):
        """Snapshot the applicable steps of each record as review lines (one create for the
        batch), with the reviewers resolved once per batch: the role ladder and the
        delegations are read once, not per record or step."""
        Review = self.env['kam.approval.review'].sudo()
        today = fields.Date.context_today(self)
        requester = self.env.user
        ladder = Review._role_ladder()
        chains = self._get_approval_chains()
        steps_of = {record: chains[record.company_id].step_ids.filtered(lambda step: step._applies_to(record))
                    for record in self}
        candidates = self.env['res.users'].union(*(
            step._candidate_users(record, ladder) for record, steps in steps_of.items() for step in steps))
        substitutes = self.env['kam.approval.delegation']._substitutes(candidates) if candidates else {}
        review_vals, notes_of = [], {}
        for record, steps in steps_of.items():
            chain = chains[record.company_id]
            notes_of[record] = []
            for step in steps:
                reviewers, delegated = step._resolve_reviewers(record, ladder, substitutes, requester)
                notes_of[record] += delegated
                review_vals.append({
                    'res_model': record._name, 'res_id': record.id, 'company_id': record.company_id.id,
                    'round': record.approval_round + 1, 'sequence': step.sequence, 'name': step.name,
                    'step_id': step.id, 'requester_id': requester.id, 'reviewer_ids': [Command.set(reviewers.ids)],
                    'mode': step.mode, 'quorum': step.quorum,
                    'deadline': today + timedelta(days=step.deadline_days),
                    'pass_stage_id': step.stage_id.id, 'reject_stage_id': chain.reject_stage_id.id,
                    'escalation_group_id': step.escalation_group_id.id,
                    'state': 'waiting', 'escalated': False,
                    'required_count': step.quorum if step.mode == 'quorum' else (
                        1 if step.mode == 'any' else max(len(reviewers), 1)),
                })
        reviews_of = Review.create(review_vals).grouped('res_id')
        to_notify, approved_at_once = [], self.browse()
        for record in self:
            chain = chains[record.company_id]
            reviews = reviews_of.get(record.id, Review)
            notes = notes_of[record]
            vals = {
                'approval_round': record.approval_round + 1, 'approval_requester_id': requester.id,
                'approval_transition': 'requested',
            }
            if chain.request_stage_id:
                vals['stage_id'] = chain.request_stage_id.id
            if reviews:
                first = reviews[0]
                first.state = 'pending'
                notes += first._ensure_reviewers(record, ladder, requester=requester)
                vals.update(approval_state='pending', approval_review_id=first.id)
                to_notify.append((record, first, first.reviewer_ids))
            else:  # no step applies to this record: nothing to sign off
                last_stage = chain.step_ids.stage_id[-1:]
                vals.update(approval_state='approved', approval_review_id=False, approval_transition='approved')
                if last_stage:
                    vals['stage_id'] = last_stage.id
                notes.append(self.env._("No approval step applies: approved at once."))
                approved_at_once |= record
            record._approval_log(notes)
            record._approval_write(vals)
        self._approval_sync_activities(schedule=to_notify)
        if approved_at_once:
            approved_at_once.sudo()._on_approval_approved()

    def _do_decide(self, decision, comment=False, override=False, open_lines=None):
        """:param open_lines: the waiting and pending review lines of the batch, if known
            (`_check_can_decide` returns them)"""
        Decision = self.env['kam.approval.decision'].sudo()
        Decision.create([{
            'review_id': record.approval_review_id.id, 'user_id': self.env.uid, 'decision': decision,
            'comment': comment, 'override': override,
        } for record in self])
        ladder = self.env['kam.approval.review']._role_ladder()
        if open_lines is None:
            open_lines = self._approval_prefetch_open_lines()
        rounds = open_lines.grouped('res_id')
        note = self.env._("Override by a General Manager: %(reason)s", reason=comment) if override else comment
        decided = self.approval_review_id.sudo()
        to_close, to_notify, approved, rejected, partial = self.browse(), [], self.browse(), self.browse(), self.browse()
        for record in self:
            review = record.approval_review_id.sudo()
            open_reviews = rounds.get(record.id, review.browse()).filtered(lambda r: r.round == record.approval_round)
            notes = [note]
            if decision == 'rejected':
                review.state = 'rejected'
                (open_reviews - review).state = 'cancelled'
                vals = {'approval_state': 'rejected', 'approval_review_id': False, 'approval_transition': 'rejected'}
                if review.reject_stage_id:
                    vals['stage_id'] = review.reject_stage_id.id
                to_close |= record
                rejected |= record
            elif not override and review.approval_count < review._required_approvals():
                # One of several approvals this step needs: the step stays current.
                record._approval_log(notes, subtype_kind='step_approved')
                partial |= record
                continue
            else:
                vals, next_review = record._approval_step_passed(review, notes, ladder, open_reviews)
                to_close |= record
                if next_review:
                    to_notify.append((record, next_review, next_review.reviewer_ids))
                else:
                    approved |= record
            record._approval_log(notes)
            record._approval_write(vals)
        if partial:
            partial._approval_remove_activities(self.env.user)
        self._approval_sync_activities(close=to_close, schedule=to_notify)
        # Removing reminders empties the cache: the steps the tracking shows as left are
        # read again for the batch, not once per record.
        decided.fetch(['name', 'round'])
        if approved:
            approved.sudo()._on_approval_approved()
        if rejected:
            rejected.sudo()._on_approval_rejected()

    def _approval_step_passed(self, review, notes, ladder, open_reviews=None):
        """Close `review` as approved; return the record's new values and the next review.

        :param open_reviews: the waiting and pending lines of the running round, if known
        """
        self.ensure_one()
        review.state = 'approved'
        if open_reviews is None:
            open_reviews = self.sudo().approval_review_ids.filtered(lambda r: r.round == self.approval_round)
        next_review = open_reviews.filtered(lambda r: r.state == 'waiting').sorted(lambda r: (r.sequence, r.id))[:1]
        vals = {}
        if review.pass_stage_id:
            vals['stage_id'] = review.pass_stage_id.id
        if next_review:
            next_review.state = 'pending'
            notes += next_review._ensure_reviewers(self, ladder)
            vals.update(approval_review_id=next_review.id, approval_transition='step_approved')
        else:
            vals.update(approval_state='approved', approval_review_id=False, approval_transition='approved')
            if not review.pass_stage_id:
                # The last applicable step has no stage (a later, conditional step was left
                # out): the approved record goes where the chain's approval leads.
                final_stage = review.step_id.chain_id.step_ids.stage_id[-1:]
                if final_stage:
                    vals['stage_id'] = final_stage.id
        return vals, next_review

    def _approval_advance(self, review, notes):
        """A step whose approvals are all in (its last missing reviewer left) passes."""
        self.ensure_one()
        ladder = self.env['kam.approval.review']._role_ladder()
        vals, next_review = self._approval_step_passed(review, notes, ladder)
        self._approval_log(notes)
        self._approval_write(vals)
        self._approval_sync_activities(
            close=self, schedule=[(self, next_review, next_review.reviewer_ids)] if next_review else ())
        if not next_review:
            self.sudo()._on_approval_approved()

    def _do_reset_approval(self):
        """The record went back before its first gate, or what was approved changed: the
        running round ends (its lines stay as history) and the reminders go. (The process
        puts back in its first stage a record left where only an approval leads.)"""
        records = self.sudo()
        records.approval_review_ids.filtered(lambda r: r.state in ('waiting', 'pending')).state = 'cancelled'
        records.write({'approval_state': 'draft', 'approval_review_id': False, 'approval_transition': 'reset'})
        self._approval_sync_activities(close=self)

    # ------------------------------------------------------------------------------------
    # Escalation, activities, chatter
    # ------------------------------------------------------------------------------------

    def _approval_escalate(self, reviews, reason):
        """Escalate pending reviews of these records (cron, lost reviewers): one message each.
        A step nobody is left to take is not marked escalated: the managers are told."""
        to_notify, stalled = [], reviews.browse()
        author = self.env.ref('base.partner_root')
        subtype = self._approval_subtype('escalated')  # one per model: a missing one is a translated error
        ladder = reviews._role_ladder()
        by_record = reviews.filtered(lambda r: r.res_model == self._name).grouped('res_id')
        with self._kam_batch_posts(author=author) as records:
            for record in records:
                for review in by_record.get(record.id, reviews.browse()):
                    added = review._escalation_users(record, ladder)
                    if added:
                        review.write({'reviewer_ids': [Command.link(user.id) for user in added], 'escalated': True})
                        to_notify.append((record, review, added))
                        body = self.env._(
                            "%(reason)s The step %(step)s is escalated to %(users)s.",
                            reason=reason, step=review.name, users=", ".join(added.mapped('name')))
                    else:
                        stalled |= review
                        body = f"{reason} {review._stalled_note()}"
                    record.message_post(body=body, subtype_id=subtype.id, author_id=author.id)
        self._approval_sync_activities(schedule=to_notify)
        stalled._report_stalled()

    def _approval_sync_activities(self, close=None, schedule=()):
        """The one place that removes and schedules approval activities, in batch.

        Scheduled with `activity_schedule`, one call per reviewer, deadline and step (not
        per record); a caller's `mail_activity_automation_skip` never silences them. A step
        passing to the next one hands its reminders on (as `activity_reschedule` does):
        a record's closed reminder is given to its next reviewer, one write per reviewer,
        deadline and step, rather than deleted and created again; the others are deleted,
        last, as a deletion empties the whole cache.

        :param close: records whose open approval activities are removed (a decision is
            no `_action_done`: the chatter entry is the engine's own)
        :param schedule: (record, review, users) triples, one activity per user
        """
        Activity = self.env['mail.activity'].sudo().with_context(
            mail_activity_automation_skip=False, mail_activity_quick_update=True)
        note = html_escape(self.env._("Approve or reject it from the document, not from the activity."))
        entries = [(record, user, review.deadline, review.name, note)
                   for record, review, users in schedule for user in users]
        closed = Activity.browse()
        if close:
            closed = Activity.search_fetch([
                ('res_model', '=', self._name), ('res_id', 'in', close.ids),
                ('activity_type_id', '=', Activity._kam_approval_type().id),
            ])
        if closed and entries:
            free = {res_id: list(activities) for res_id, activities in closed.grouped('res_id').items()}
            handed_on, to_create = defaultdict(list), []
            for entry in entries:
                record, user, deadline, summary, _note = entry
                if record._name == self._name and free.get(record.id):
                    handed_on[user.id, deadline, summary].append(free[record.id].pop().id)
                else:
                    to_create.append(entry)
            for (user_id, deadline, summary), activity_ids in handed_on.items():
                Activity.browse(activity_ids).write({
                    'user_id': user_id, 'date_deadline': deadline, 'summary': summary, 'note': note})
            closed = Activity.browse(activity.id for activities in free.values() for activity in activities)
            entries = to_create
        if entries:
            Activity._kam_schedule(APPROVAL_ACTIVITY_TYPE, entries)
        closed.unlink()

    def _approval_remove_activities(self, users):
        self.env['mail.activity'].sudo().search([
            ('res_model', '=', self._name), ('res_id', 'in', self.ids), ('user_id', 'in', users.ids),
            ('activity_type_id', '=', self.env['mail.activity']._kam_approval_type().id)]).unlink()

    def _approval_log(self, notes, subtype_kind=None):
        """Attach the decision's comment to the transition's single chatter entry."""
        body = Markup('<br/>').join(html_escape(note) for note in notes if note)
        if subtype_kind:  # no tracked field changes: a message of its own
            self.message_post(body=body or self.env._("Approved."),
                              subtype_id=self._approval_subtype(subtype_kind).id)
        elif body:
            self._track_set_log_message(body)

    def _kam_batch_posts(self, author=None):
        """A block posting one message on each of these records (kam.process.mixin prepares
        them for the batch); yields the records to post on."""
        return nullcontext(self)

    def _approval_subtype(self, kind):
        """The message subtype of an approval event (APPROVAL_EVENTS), as the process
        declares it: kam.process.mixin."""
        raise NotImplementedError(f"{self._name} declares no approval subtypes")

    def _track_subtype(self, initial_values):
        self.ensure_one()
        if {'approval_state', 'approval_review_id'} & initial_values.keys() and self.approval_transition:
            subtype = self._approval_subtype(self.approval_transition)
            if subtype:
                return subtype
        return super()._track_subtype(initial_values)
