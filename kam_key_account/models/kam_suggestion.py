from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

CHANNELS = [
    ('face', 'Face to Face'),
    ('phone', 'Phone'),
    ('wechat', 'WeChat'),
    ('web', 'Web / Portal'),
    ('email', 'E-mail'),
]
DEADLINE_STATUSES = [
    ('on_time', 'On Time'),
    ('due_soon', 'Due Soon'),
    ('overdue', 'Overdue'),
    ('replied_on_time', 'Replied on Time'),
    ('replied_late', 'Replied Late'),
]


class KamSuggestion(models.Model):
    """A key account's suggestion or complaint (大客户建议处理流程, G1-G5, G10-G11).

    ================== ======================================================================
    Who                What
    ================== ======================================================================
    KAM User           records the suggestions of the accounts they manage or own (G1-G3),
                       writes the report (G4) and requests its review; once its summary is
                       approved, replies with the feedback form (G10) and thanks (G11)
    KAM Manager        reviews the report (G5): approves it, or requests improvements (a
                       rejection with its reason, back to the writer; resubmitting starts a
                       new round, earlier rounds are kept)
    approval engine    Report → Under Review → Reviewed
    summary            takes reviewed suggestions in (G6), and once approved (G9) moves them
                       on to execution
    nobody             records an empty suggestion or a reply deadline before the date it
                       was received; replies before its summary is approved; writes the
                       acknowledgement, reply and thanks dates or the on-time status
    ================== ======================================================================
    """
    _name = 'kam.suggestion'
    _description = 'Key-Account Suggestion'
    _inherit = ['kam.process.mixin']
    _order = 'id desc'
    _kam_process = 'suggestion'
    _kam_sequence_code = 'kam.suggestion'
    _kam_approval_subtypes = {
        'requested': 'kam_key_account.mt_kam_suggestion_approval_requested',
        'step_approved': 'kam_key_account.mt_kam_suggestion_approval_step_approved',
        'approved': 'kam_key_account.mt_kam_suggestion_approval_approved',
        'rejected': 'kam_key_account.mt_kam_suggestion_approval_rejected',
        'reset': 'kam_key_account.mt_kam_suggestion_approval_reset',
        'escalated': 'kam_key_account.mt_kam_suggestion_approval_escalated',
    }
    _kam_partner_count_field = 'kam_suggestion_count'
    _kam_action = 'kam_key_account.kam_suggestion_action'
    _kam_report = 'kam_key_account.action_report_kam_suggestion'
    # What the department manager reviewed (G5).
    _approval_relevant_fields = ('partner_id', 'content', 'report_cause', 'report_feasibility', 'report_action')
    # Received → Report → (engine) Under Review → Reviewed → (summary) In Summary →
    # (summary approved) Execution → Replied → Thanked; Cancelled before the review.
    _kam_transitions = {
        'new': ('report', 'cancelled'),
        'report': ('new', 'cancelled'),
        'review': ('report',),
        'reviewed': (),
        'summary': (),
        'execution': ('replied',),
        'replied': ('thanked',),
        'thanked': (),
        'cancelled': ('new',),
    }
    _kam_engine_fields = (
        'acknowledged_date', 'reply_date', 'reply_on_time', 'thanked_date', 'overdue_notified')

    partner_id = fields.Many2one(
        string='Account', required=False,
        help="The key account (a commercial partner) the suggestion comes from; empty until a sender is triaged.")
    user_id = fields.Many2one(string='Owner')
    contact_id = fields.Many2one(
        'res.partner', 'Contact', index='btree_not_null', check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('is_company', '=', False)]")
    email_from = fields.Char('Sender E-mail', help="Where the acknowledgement, reply and thanks are sent.")
    channel = fields.Selection(CHANNELS, required=True, default='face', tracking=True)
    received_by_id = fields.Many2one(
        'res.users', 'Received By', default=lambda self: self.env.user, domain=[('share', '=', False)])
    received_date = fields.Date('Received On', required=True, default=fields.Date.context_today, tracking=True)
    content = fields.Text(required=True, help="The suggestion or complaint, in the customer's words.")
    category_id = fields.Many2one(
        'kam.suggestion.category', 'Category', check_company=True, tracking=True, index='btree_not_null')
    # G2 acknowledgement
    acknowledged_date = fields.Datetime('Acknowledged On', readonly=True, copy=False, groups='base.group_user')
    # G4 report
    report_user_id = fields.Many2one(
        'res.users', 'Report Writer', default=lambda self: self.env.user, domain=[('share', '=', False)],
        groups='base.group_user')
    report_cause = fields.Text('Causes', groups='base.group_user')
    report_feasibility = fields.Text('Feasibility', groups='base.group_user')
    report_action = fields.Text('Proposed Action', groups='base.group_user')
    # Reply deadline (G10)
    deadline_date = fields.Date(
        'Reply Deadline', compute='_compute_deadline_date', store=True, readonly=False, tracking=True,
        help="The date promised to the customer for the reply: by default the company's reply delay after receipt.")
    deadline_status = fields.Selection(
        DEADLINE_STATUSES, 'Deadline Status', compute='_compute_deadline_status', search='_search_deadline_status')
    overdue_notified = fields.Boolean(readonly=True, copy=False, groups='base.group_user')
    # G10 reply, G11 thanks
    reply_date = fields.Date('Replied On', readonly=True, copy=False, tracking=True)
    reply_on_time = fields.Boolean('Replied on Time', readonly=True, copy=False)
    thanked_date = fields.Datetime('Thanked On', readonly=True, copy=False)

    @api.depends('received_date', 'company_id')
    def _compute_deadline_date(self):
        for suggestion in self:
            if suggestion.received_date and not suggestion.deadline_date:
                suggestion.deadline_date = suggestion.received_date + timedelta(
                    days=suggestion.company_id.kam_suggestion_reply_days)

    @api.depends('deadline_date', 'reply_date', 'reply_on_time')
    @api.depends_context('tz')
    def _compute_deadline_status(self):
        today = fields.Date.context_today(self)
        for suggestion in self:
            suggestion.deadline_status = suggestion._kam_deadline_status(today)

    def _kam_deadline_status(self, today):
        if self.reply_date:
            return 'replied_on_time' if self.reply_on_time else 'replied_late'
        if not self.deadline_date:
            return False
        if self.deadline_date < today:
            return 'overdue'
        if self.deadline_date <= today + timedelta(days=self.company_id.kam_suggestion_due_soon_days):
            return 'due_soon'
        return 'on_time'

    def _search_deadline_status(self, operator, value):
        # Placeholder until the deadline work lands: exact matches only.
        return [('id', 'in', self.search([]).filtered(lambda s: s.deadline_status == value).ids)]

    @api.constrains('content')
    def _check_content(self):
        for suggestion in self:
            if not (suggestion.content or '').strip():
                raise ValidationError(self.env._("A suggestion needs its content: what did the customer suggest?"))

    @api.constrains('received_date', 'deadline_date')
    def _check_deadline(self):
        for suggestion in self:
            if suggestion.deadline_date and suggestion.received_date and suggestion.deadline_date < suggestion.received_date:
                raise ValidationError(self.env._(
                    "The reply deadline of %(suggestion)s cannot be before the date it was received (%(date)s).",
                    suggestion=suggestion.display_name, date=suggestion.received_date))
