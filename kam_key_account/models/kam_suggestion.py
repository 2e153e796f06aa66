import io
import zipfile
from datetime import timedelta
from email.message import EmailMessage

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import SQL, email_normalize, html2plaintext, html_escape, plaintext2html

from .kam_process_mixin import act_as

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
# G2: at most this many acknowledgements to one address in 24 hours (a mail loop breaker).
ACKNOWLEDGEMENT_DAILY_LIMIT = 3
# Senders that are machines: a bounce, a mailer daemon, an address nobody reads.
AUTOMATED_LOCAL_PARTS = frozenset({
    'mailer-daemon', 'postmaster', 'bounce', 'bounces', 'noreply', 'no-reply', 'donotreply', 'do-not-reply',
})
# The composer's context key saying what a customer-facing message of a suggestion is.
SEND_KEY = 'kam_suggestion_send'
SEND_STAGES = {'feedback': 'replied', 'thanks': 'thanked'}
# G1: the incoming mail's headers the acknowledgement guard reads, kept per Message-Id for
# the transaction between the gateway's route check and message_new (its parsed dict drops them).
MAIL_HEADERS_CACHE = 'kam_suggestion_mail_headers'
GUARD_HEADERS = (
    'Auto-Submitted', 'Precedence', 'X-Autoreply', 'X-Autorespond', 'X-Auto-Reply', 'X-Auto-Response-Suppress',
    'Return-Path', 'Content-Type')
# G1: a subject longer than this is cut (a header is no place for a novel).
SUBJECT_LIMIT = 250
OVERDUE_ACTIVITY_TYPE = 'kam_key_account.mail_activity_type_kam_suggestion_overdue'
REPLY_ACTIVITY_TYPE = 'kam_key_account.mail_activity_type_kam_suggestion_reply'


class KamSuggestion(models.Model):
    """A key account's suggestion or complaint (大客户建议处理流程, G1-G5, G10-G11); the
    departments' opinions and the director's and general manager's approvals are those of
    its summary (kam.suggestion.summary, G6-G9).

    ================== ======================================================================
    Who                What
    ================== ======================================================================
    KAM User           records the suggestions of the accounts they manage, or that they
                       own, received or write the report of (G1-G3; the customer is thanked
                       at once, G2), writes the report (G4) and submits it for review;
                       once the summary holding it is approved, replies with the feedback
                       form (G10) and thanks the customer (G11)
    KAM Manager        reviews the report (G5): approves it, or requests improvements (a
                       rejection with its reason, back to Report and to its writer, who
                       follows the suggestion; resubmitting starts a new round, the earlier
                       ones are kept)
    KAM Supervisor     reads and handles every suggestion, builds summaries
    approval engine    Received / Report → Under Review → Reviewed
    summary            takes reviewed suggestions in (In Summary, G6), and once approved
                       (G9) moves them on to Execution
    departments        (participants, without a Key Accounts role) read, read-only, the
                       suggestions of a summary they give an opinion on
    daily cron         gives the owner of an overdue suggestion one activity
    every route        Replied needs its summary approved and records the reply date and
                       whether it was on time, frozen from then on
    nobody             records an empty suggestion or a reply deadline before the date it
                       was received; changes what was reviewed once it is in a summary;
                       writes the acknowledgement, reply and thanks dates or the on-time
                       status; is acknowledged twice, nor more than 3 times a day, nor when a
                       machine (bounce, auto-reply) or our own alias domain sent it
    ================== ======================================================================
    """
    _name = 'kam.suggestion'
    _description = 'Key-Account Suggestion'
    _inherit = ['kam.process.mixin']
    _order = 'id desc'
    _primary_email = 'email_from'
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
    # What the KA department manager reviewed (G5).
    _approval_relevant_fields = ('partner_id', 'content', 'report_cause', 'report_feasibility', 'report_action')
    # Received → Report → (engine) Under Review → Reviewed → (summary) In Summary →
    # (summary approved) Execution → Replied → Thanked; Cancelled before the review.
    _kam_transitions = {
        'new': ('report', 'cancelled'),
        'report': ('new', 'cancelled'),
        'review': ('report',),
        'reviewed': ('summary',),
        'summary': ('reviewed', 'execution'),
        'execution': ('replied',),
        'replied': ('thanked',),
        'thanked': (),
        'cancelled': ('new',),
    }
    _kam_stage_verbs = {
        'summary': 'summarise', 'reviewed': 'release', 'execution': 'execute', 'replied': 'reply',
        'thanked': 'thank', 'cancelled': 'cancel',
    }
    _kam_approval_buttons_xpath = "//button[@name='action_write_report']"
    _kam_engine_fields = (
        'acknowledged_date', 'acknowledged_to', 'reply_date', 'reply_on_time', 'reply_on_time_rate',
        'thanked_date', 'overdue_notified', 'mail_limited')

    partner_id = fields.Many2one(
        string='Account', required=False,
        help="The key account (a commercial partner) the suggestion comes from; empty until its sender is "
             "linked to an account.")
    user_id = fields.Many2one(string='Owner')
    contact_id = fields.Many2one(
        'res.partner', index='btree_not_null', check_company=True,
        domain="[('commercial_partner_id', '=', partner_id), ('is_company', '=', False)]",
        help="Who made the suggestion: the acknowledgement, the feedback form and the thanks go to them.")
    email_from = fields.Char(
        'Sender E-mail', help="Where the acknowledgement, feedback form and thanks go when there is no contact.")
    channel = fields.Selection(CHANNELS, required=True, default='face', tracking=True)
    received_by_id = fields.Many2one(
        'res.users', default=lambda self: self.env.user, domain=[('share', '=', False)])
    received_date = fields.Date('Received On', required=True, default=fields.Date.context_today, tracking=True)
    subject = fields.Char(help="A short title: the e-mail's subject for a suggestion received by mail.")
    content = fields.Text(required=True, help="The suggestion or complaint, in the customer's words.")
    mail_limited = fields.Boolean(
        'Mail Limits Exceeded', readonly=True, copy=False, groups='base.group_user',
        help="An e-mail of this suggestion exceeded the company's intake limits: what was over them is kept as "
             "files on the suggestion, as its chatter says.")
    category_id = fields.Many2one(
        'kam.suggestion.category', check_company=True, tracking=True, index='btree_not_null')
    # G2 acknowledgement (sent once)
    acknowledged_date = fields.Datetime('Acknowledged On', readonly=True, copy=False, groups='base.group_user')
    acknowledged_to = fields.Char(readonly=True, copy=False, index='btree_not_null', groups='base.group_user')
    # G4 report (internal)
    report_user_id = fields.Many2one(
        'res.users', 'Report Writer', default=lambda self: self.env.user, domain=[('share', '=', False)],
        groups='base.group_user')
    report_cause = fields.Text('Causes', groups='base.group_user')
    report_feasibility = fields.Text('Feasibility', groups='base.group_user')
    report_action = fields.Text('Proposed Action', groups='base.group_user')
    # G6-G9 the summary holding it
    summary_id = fields.Many2one(
        'kam.suggestion.summary', index='btree_not_null', copy=False, check_company=True,
        groups='base.group_user',
        help="The suggestion summary (建议汇总表) the reviewed suggestion is in: in one at a time.")
    summary_approved = fields.Boolean(compute='_compute_summary_approved', groups='base.group_user')
    # G10 reply deadline and reply, G11 thanks
    deadline_date = fields.Date(
        'Reply Deadline', compute='_compute_deadline_date', store=True, readonly=False, tracking=True,
        help="The date promised to the customer for the reply: by default the company's reply delay after "
             "receipt.")
    deadline_status = fields.Selection(
        DEADLINE_STATUSES, compute='_compute_deadline_status',
        search='_search_deadline_status')
    overdue_notified = fields.Boolean(readonly=True, copy=False, groups='base.group_user')
    reply = fields.Text(
        'Our Reply', copy=False,
        help="What we decided and will do, printed on the feedback form (建议反馈表) sent to the customer.")
    reply_date = fields.Date('Replied On', readonly=True, copy=False, tracking=True)
    reply_on_time = fields.Boolean('Replied on Time', readonly=True, copy=False)
    reply_on_time_rate = fields.Float(
        'On-Time Replies (%)', readonly=True, copy=False, aggregator='avg', groups='base.group_user',
        help="100 for a reply sent by its deadline, 0 for a late one: averaged, the rate of replies on time.")
    thanked_date = fields.Datetime('Thanked On', readonly=True, copy=False)

    @api.depends('summary_id.approval_state')
    def _compute_summary_approved(self):
        for suggestion in self:
            suggestion.summary_approved = suggestion.summary_id.approval_state == 'approved'

    @api.depends('received_date', 'company_id')
    def _compute_deadline_date(self):
        for suggestion in self:
            if suggestion.received_date and not suggestion.reply_date:
                suggestion.deadline_date = suggestion.received_date + timedelta(
                    days=suggestion.company_id.kam_suggestion_reply_days)

    @api.depends('deadline_date', 'reply_date', 'reply_on_time', 'company_id')
    @api.depends_context('tz')
    def _compute_deadline_status(self):
        today = fields.Date.context_today(self)
        for suggestion in self:
            suggestion.deadline_status = suggestion._kam_deadline_status(today)

    def _kam_deadline_status(self, today):
        self.ensure_one()
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
        if operator != 'in':
            return NotImplemented
        today = fields.Date.context_today(self)
        soon = today + timedelta(days=self.env.company.kam_suggestion_due_soon_days)
        open_ = Domain('reply_date', '=', False)
        domains = {
            'overdue': open_ & Domain('deadline_date', '<', today),
            'due_soon': open_ & Domain('deadline_date', '>=', today) & Domain('deadline_date', '<=', soon),
            'on_time': open_ & Domain('deadline_date', '>', soon),
            'replied_on_time': Domain('reply_date', '!=', False) & Domain('reply_on_time', '=', True),
            'replied_late': Domain('reply_date', '!=', False) & Domain('reply_on_time', '=', False),
        }
        return Domain.OR(domains[status] for status in value if status in domains)

    @api.constrains('content')
    def _check_content(self):
        for suggestion in self:
            if not (suggestion.content or '').strip():
                raise ValidationError(self.env._(
                    "A suggestion needs its content: write what the customer suggested or complained about."))

    @api.constrains('received_date', 'deadline_date')
    def _check_deadline(self):
        for suggestion in self:
            if suggestion.deadline_date and suggestion.deadline_date < suggestion.received_date:
                raise ValidationError(self.env._(
                    "The reply deadline of %(suggestion)s (%(deadline)s) cannot be before the date it was "
                    "received (%(received)s).",
                    suggestion=suggestion.display_name, deadline=suggestion.deadline_date,
                    received=suggestion.received_date))

    @api.constrains('partner_id', 'contact_id')
    def _check_contact_of_account(self):
        for suggestion in self:
            contact = suggestion.contact_id
            if contact and suggestion.partner_id and contact.commercial_partner_id != suggestion.partner_id:
                raise ValidationError(self.env._(
                    "%(contact)s is not a contact of %(account)s.",
                    contact=contact.display_name, account=suggestion.partner_id.display_name))

    # ------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # The account is the commercial partner (of the contact when only it is given).
            partner = self.env['res.partner'].browse(vals.get('partner_id') or vals.get('contact_id'))
            if partner and partner.commercial_partner_id != partner:
                vals['partner_id'] = partner.commercial_partner_id.id
        suggestions = super().create(vals_list)
        suggestions._kam_subscribe_writers()
        # G2: thanked at once. The mail intake gives the incoming mail's headers in the
        # context (an auto-reply, a bounce is never answered); a client giving its own
        # can only hold the acknowledgement back.
        suggestions._kam_acknowledge(headers=self.env.context.get('kam_mail_headers'))
        return suggestions

    def write(self, vals):
        if not self.env.su:
            # Who may not write it learns that first, not the state of the summary.
            self.check_access('write')
            if 'summary_id' in vals:
                self._check_summary_change(vals['summary_id'])
            frozen = set(self._approval_relevant_fields) & vals.keys()
            if frozen and any(s.summary_id for s in self):
                raise UserError(self.env._(
                    "%(suggestion)s is in the summary %(summary)s: what was reviewed no longer changes.",
                    suggestion=self.filtered('summary_id')[0].display_name,
                    summary=self.filtered('summary_id')[0].summary_id.display_name))
            if 'deadline_date' in vals and any(s.reply_date for s in self):
                raise UserError(self.env._(
                    "%(suggestion)s was replied to: its deadline and on-time status are frozen.",
                    suggestion=self.filtered('reply_date')[0].display_name))
        if vals.get('partner_id'):
            partner = self.env['res.partner'].browse(vals['partner_id'])
            vals = dict(vals, partner_id=partner.commercial_partner_id.id)
        result = super().write(vals)
        if vals.get('partner_id'):
            self._kam_link_sender()
        if 'report_user_id' in vals:
            self._kam_subscribe_writers()
        if 'summary_id' in vals:
            self._kam_sync_summary_stage()
        return result

    def _kam_link_sender(self):
        """A suggestion linked to its account after triage finds its contact from the
        sender's address, among the account's contacts (one search for the batch)."""
        unlinked = self.filtered(lambda s: s.partner_id and not s.contact_id and s.email_from)
        emails = {s.id: email_normalize(s.email_from) for s in unlinked}
        if not any(emails.values()):
            return
        contacts = self.env['res.partner'].search([
            ('email_normalized', 'in', [email for email in emails.values() if email]),
            ('commercial_partner_id', 'in', unlinked.partner_id.ids), ('is_company', '=', False)])
        for suggestion in unlinked:
            contact = contacts.filtered(lambda c, s=suggestion: c.commercial_partner_id == s.partner_id
                                        and c.email_normalized == emails[s.id])[:1]
            if contact:
                suggestion.contact_id = contact

    def _kam_subscribe_writers(self):
        """The report's writer follows the suggestion: "request improvements" (a rejection
        with its reason, G5) reaches them, as every step of the report's review does."""
        for writer, suggestions in self.sudo().grouped('report_user_id').items():
            if writer:
                suggestions.message_subscribe(partner_ids=writer.partner_id.ids)

    def _check_summary_change(self, summary_id):
        """A reviewed suggestion enters a draft summary; it is in one open summary at most,
        and leaves it only while that summary is a draft."""
        summary = self.env['kam.suggestion.summary'].browse(summary_id)
        for suggestion in self:
            current = suggestion.summary_id
            if current == summary:
                continue
            if current and current.stage_code != 'cancelled' and summary:
                raise UserError(self.env._(
                    "%(suggestion)s is already in the open summary %(summary)s: a suggestion is in one summary "
                    "at a time.", suggestion=suggestion.display_name, summary=current.display_name))
            if current and current.stage_code not in ('draft', 'cancelled'):
                raise UserError(self.env._(
                    "%(suggestion)s stays in the summary %(summary)s, which went to the departments.",
                    suggestion=suggestion.display_name, summary=current.display_name))
            if summary and summary.stage_code != 'draft':
                raise UserError(self.env._(
                    "Suggestions are added to a summary while it is a draft: %(summary)s went to the departments.",
                    summary=summary.display_name))
            if summary and (suggestion.approval_state != 'approved' or suggestion.stage_code != 'reviewed'):
                raise UserError(self.env._(
                    "Only reviewed suggestions go into a summary: %(suggestion)s is %(stage)s.",
                    suggestion=suggestion.display_name, stage=suggestion.stage_id.name))

    def _kam_sync_summary_stage(self):
        """Into a summary: In Summary; out of it: back to Reviewed (one checked move each)."""
        self.filtered(lambda s: s.summary_id and s.stage_code == 'reviewed')._kam_move_to('summary')
        self.filtered(lambda s: not s.summary_id and s.stage_code == 'summary')._kam_move_to('reviewed')

    @api.model
    def _kam_has_participants(self):
        """The departments answering a summary read its suggestions, not their chatter."""
        return True

    # ------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------

    def action_write_report(self):
        return self._kam_move_to('report')

    def action_cancel(self):
        return self._kam_move_to('cancelled')

    def action_reset(self):
        return self._kam_move_to('new')

    def action_send_feedback(self):
        """G10: the feedback form (建议反馈表), sent through the composer with its template;
        sending it records the reply."""
        self.ensure_one()
        self._check_can_move_to(self._stage_by_code('replied'))
        self._check_can_reply()
        return self._kam_composer_action('kam_key_account.mail_template_kam_suggestion_feedback', 'feedback')

    def action_send_thanks(self):
        """G11: the final thanks, through the composer with its template."""
        self.ensure_one()
        self._check_can_move_to(self._stage_by_code('thanked'))
        self._check_can_thank()
        return self._kam_composer_action('kam_key_account.mail_template_kam_suggestion_thanks', 'thanks')

    def action_open_summary(self):
        self.ensure_one()
        return self.summary_id._get_records_action(name=self.env._("Summary"))

    def _kam_composer_action(self, template_xmlid, kind):
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        if not template:
            raise UserError(self.env._(
                "The mail template of this step is missing: ask an administrator to update the Key Accounts "
                "module."))
        return {
            'type': 'ir.actions.act_window',
            'res_model': 'mail.compose.message',
            'view_mode': 'form',
            'views': [(False, 'form')],
            'target': 'new',
            'context': {
                'default_model': self._name,
                'default_res_ids': self.ids,
                'default_template_id': template.id,
                'default_composition_mode': 'comment',
                'default_email_layout_xmlid': 'mail.mail_notification_layout_with_responsible_signature',
                'force_email': True,
                SEND_KEY: kind,
            },
        }

    def message_post(self, **kwargs):
        """The feedback form or the thanks, sent from the composer opened by their button:
        the move (its checks first: nothing is sent before the summary is approved)."""
        kind = self.env.context.get(SEND_KEY)
        if kind in SEND_STAGES and self._kam_is_customer_message(kwargs):
            self.with_context(**{SEND_KEY: False})._kam_move_to(SEND_STAGES[kind])
            self = self.with_context(**{SEND_KEY: False})  # noqa: PLW0642 - posted once, moved once
        return super().message_post(**kwargs)

    def _kam_is_customer_message(self, post_values):
        """Whether message_post's values send a message to the customer: a comment of a
        public subtype (a note logged from the same composer records nothing)."""
        if post_values.get('message_type') != 'comment':
            return False
        subtype_id = post_values.get('subtype_id') or (
            post_values.get('subtype_xmlid') and self.env['ir.model.data']._xmlid_to_res_id(post_values['subtype_xmlid']))
        return bool(subtype_id) and not self.env['mail.message.subtype'].browse(subtype_id).internal

    # ------------------------------------------------------------------------------------
    # Stage moves (kam.process.mixin `_kam_stage_verbs`)
    # ------------------------------------------------------------------------------------

    def _check_can_summarise(self):
        for suggestion in self:
            if not suggestion.summary_id:
                raise UserError(self.env._(
                    "%(suggestion)s goes In Summary by being added to a summary (Build Summary).",
                    suggestion=suggestion.display_name))

    def _check_can_release(self):
        for suggestion in self:
            if suggestion.summary_id:
                raise UserError(self.env._(
                    "%(suggestion)s is in the summary %(summary)s: remove it from the summary instead.",
                    suggestion=suggestion.display_name, summary=suggestion.summary_id.display_name))

    def _check_can_execute(self):
        for suggestion in self:
            if suggestion.summary_id.approval_state != 'approved':
                raise UserError(self.env._(
                    "%(suggestion)s is carried out once its summary is approved by the general manager.",
                    suggestion=suggestion.display_name))

    def _check_can_reply(self):
        self.check_access('write')
        for suggestion in self:
            if suggestion.summary_id.approval_state != 'approved' or suggestion.stage_code not in ('execution', 'replied'):
                raise UserError(self.env._(
                    "%(suggestion)s cannot be replied to yet: its summary must be approved by the director and the "
                    "general manager first.", suggestion=suggestion.display_name))
            if not (suggestion.reply or '').strip():
                raise UserError(self.env._(
                    "Write our reply to %(suggestion)s first: the feedback form prints it.",
                    suggestion=suggestion.display_name))

    def _do_reply(self, stage):
        """The reply date is recorded, and whether it was on time, frozen from then on (the
        user's own today, not the server's)."""
        self._kam_write_stage(stage)
        today = fields.Date.context_today(self)
        for suggestion in self:
            on_time = not suggestion.deadline_date or today <= suggestion.deadline_date
            suggestion._kam_engine_write({
                'reply_date': today, 'reply_on_time': on_time, 'reply_on_time_rate': 100.0 if on_time else 0.0})
        # The reminders of the reply go with it (the caller's skip key does not keep them).
        self.sudo().with_context(mail_activity_automation_skip=False).activity_unlink(
            [OVERDUE_ACTIVITY_TYPE, REPLY_ACTIVITY_TYPE])

    def _check_can_thank(self):
        self.check_access('write')

    def _do_thank(self, stage):
        self._kam_write_stage(stage)
        self._kam_engine_write({'thanked_date': fields.Datetime.now()})

    def _check_can_cancel(self):
        self.check_access('write')

    # ------------------------------------------------------------------------------------
    # Approval engine hooks (G5)
    # ------------------------------------------------------------------------------------

    def _check_approval_ready(self):
        for suggestion in self:
            if suggestion.stage_code not in ('new', 'report'):
                raise UserError(self.env._(
                    "%(suggestion)s is %(stage)s: its report is reviewed from Received or Report.",
                    suggestion=suggestion.display_name, stage=suggestion.stage_id.name))
            if not suggestion.partner_id:
                raise UserError(self.env._(
                    "Link %(suggestion)s to its key account before its report is reviewed.",
                    suggestion=suggestion.display_name))
            missing = [suggestion._fields[name]._description_string(self.env)
                       for name in ('report_cause', 'report_feasibility', 'report_action')
                       if not (suggestion[name] or '').strip()]
            if missing:
                raise UserError(self.env._(
                    "The report of %(suggestion)s needs %(parts)s before it is reviewed.",
                    suggestion=suggestion.display_name, parts=", ".join(missing)))

    # ------------------------------------------------------------------------------------
    # G2 acknowledgement
    # ------------------------------------------------------------------------------------

    def _kam_recipient_email(self):
        """The address the customer is written to, as the templates choose it: the contact,
        else the sender's address, else the account."""
        self.ensure_one()
        return email_normalize(self.contact_id.email or self.email_from or self.partner_id.email or '')

    @api.model
    def _kam_is_automated_mail(self, headers):
        """Whether an incoming mail's headers (a dict or an email.message.Message) say a
        machine sent it: an auto-reply, a bounce, a list or bulk mail, or a sender asking
        for no automatic answer (RFC 3834)."""
        if not headers:
            return False
        values = {str(name).lower(): str(value or '').strip().lower() for name, value in headers.items()}
        auto_submitted = values.get('auto-submitted')
        return bool(
            (auto_submitted and auto_submitted != 'no')
            or values.get('precedence') in ('bulk', 'junk', 'list', 'auto_reply')
            or any(name in values for name in ('x-autoreply', 'x-autorespond', 'x-auto-reply'))
            or {'all', 'autoreply', 'oof'} & {part.strip() for part in values.get('x-auto-response-suppress', '').split(',')}
            or values.get('return-path') == '<>'
            or values.get('content-type', '').startswith('multipart/report'))

    def _kam_can_acknowledge(self, headers=None):
        """The suggestions of `self` whose customer may be thanked automatically (G2).

        Never twice, never to a machine (a bounce, a mailer daemon, a no-reply address, a
        mail whose `headers` say it was automated), never to an address of our own alias
        domains, and at most ACKNOWLEDGEMENT_DAILY_LIMIT times in 24 hours to one address:
        an acknowledgement must not start a mail loop. One query for the batch's count.

        :param headers: the incoming mail's headers (a dict or an email.message.Message),
            when the suggestion came by mail
        :return: a recordset, part of `self`
        """
        if self._kam_is_automated_mail(headers):
            return self.browse()
        own_domains = {domain.name.lower() for domain in self.env['mail.alias.domain'].sudo().search([])}
        candidates = {}
        for suggestion in self.sudo():
            email = suggestion._kam_recipient_email()
            if suggestion.acknowledged_date or not email:
                continue
            local_part, _at, domain = email.rpartition('@')
            if local_part in AUTOMATED_LOCAL_PARTS or local_part.startswith('mailer-daemon') or domain in own_domains:
                continue
            candidates[suggestion.id] = email
        if not candidates:
            return self.browse()
        since = fields.Datetime.now() - timedelta(days=1)
        sent = dict(self.sudo()._read_group(
            [('acknowledged_to', 'in', list(set(candidates.values()))), ('acknowledged_date', '>=', since)],
            ['acknowledged_to'], ['__count']))
        allowed = []
        for suggestion_id, email in candidates.items():
            if sent.get(email, 0) < ACKNOWLEDGEMENT_DAILY_LIMIT:
                sent[email] = sent.get(email, 0) + 1
                allowed.append(suggestion_id)
        return self.browse(allowed)

    def _kam_acknowledge(self, headers=None):
        """G2: thank the customer for the suggestion, once, from the acknowledgement template
        in the customer's language, posted in the suggestion's thread (replies land there);
        marked as an automatic reply so that the customer's own auto-responder stays quiet."""
        suggestions = self._kam_can_acknowledge(headers)
        template = self.env.ref('kam_key_account.mail_template_kam_suggestion_acknowledgement', raise_if_not_found=False)
        if not suggestions or not template:
            return self.browse()
        # With sudo once the guards passed: whoever records the suggestion thanks the
        # customer (the mail gateway's user too), the template is the company's.
        suggestions.sudo().with_context(kam_suggestion_auto_reply=True).message_post_with_source(
            template, message_type='auto_comment', subtype_xmlid='mail.mt_comment')
        now = fields.Datetime.now()
        for suggestion in suggestions:
            suggestion._kam_engine_write({'acknowledged_date': now, 'acknowledged_to': suggestion._kam_recipient_email()})
        return suggestions

    def _notify_by_email_get_headers(self, headers=None):
        headers = super()._notify_by_email_get_headers(headers=headers)
        if self.env.context.get('kam_suggestion_auto_reply'):
            headers['Auto-Submitted'] = 'auto-replied'
            headers['X-Auto-Response-Suppress'] = 'All'
        return headers

    # ------------------------------------------------------------------------------------
    # G1 e-mail intake
    # ------------------------------------------------------------------------------------

    @api.model
    def _routing_check_route(self, message, message_dict, route, raise_exception=True):
        """Keep the incoming mail's guard headers for `message_new` (the acknowledgement is
        never sent to an auto-reply or a bounce): the gateway's parsed dict drops them."""
        route = super()._routing_check_route(message, message_dict, route, raise_exception=raise_exception)
        if route:
            headers = {name: str(message.get(name))[:998] for name in GUARD_HEADERS if message.get(name) is not None}
            self.env.cr.cache.setdefault(MAIL_HEADERS_CACHE, {})[message_dict.get('message_id')] = headers
        return route

    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """G1: an e-mail to the company's suggestion alias records a suggestion.

        The sender is matched to a contact (by the gateway, `author_id`) and through its
        commercial partner to the key account; an unknown sender's suggestion has no
        account and waits for triage (nothing is lost). The e-mail stays in the chatter, its
        replies land on the same suggestion. The company's intake limits apply first
        (`_kam_mail_apply_limits`).
        """
        values = dict(custom_values or {})
        company = self.env['res.company'].browse(values.get('company_id')).exists() or self.env.company
        limited = self._kam_mail_apply_limits(msg_dict, company)
        author = self.env['res.partner'].browse(msg_dict.get('author_id')).exists()
        account = author.commercial_partner_id
        managed = account.kam_is_key_account or account.kam_manager_id
        if not (managed and account.company_id in (company, self.env['res.company'])):
            account = author = self.env['res.partner']
        text = html2plaintext(msg_dict.get('body') or '').strip()
        subject = (msg_dict.get('subject') or '').strip()[:SUBJECT_LIMIT]
        values.update({
            'name': 'New',  # the reference, not the subject (mail.thread's default)
            'company_id': company.id,
            'channel': 'email',
            'partner_id': account.id,
            'contact_id': (author - account).id,
            'user_id': account.kam_manager_id.id,
            'report_user_id': account.kam_manager_id.id,
            'received_by_id': False,
            'subject': subject,
            'content': text or subject or self.env._("(An e-mail without text: see its attachments.)"),
        })
        headers = self.env.cr.cache.get(MAIL_HEADERS_CACHE, {}).pop(msg_dict.get('message_id'), None)
        suggestion = super(KamSuggestion, self.with_context(kam_mail_headers=headers or {})).message_new(
            msg_dict, values)
        suggestion._kam_mail_keep_held(limited)
        return suggestion

    def message_update(self, msg_dict, update_vals=None):
        """A reply in the thread lands on its suggestion, within the same limits (the
        gateway calls it with sudo; an RPC client needs the right to write it first)."""
        if not self.env.su:
            self.check_access('write')
        for company, suggestions in self.grouped('company_id').items():
            suggestions._kam_mail_keep_held(self._kam_mail_apply_limits(msg_dict, company))
        return super().message_update(msg_dict, update_vals=update_vals)

    @api.model
    def _kam_mail_apply_limits(self, msg_dict, company):
        """The company's limits on an incoming e-mail (Odoo's gateway only detects loops).

        A body over the limit is cut there, the whole body attached as a file; attachments
        beyond the count or the total size are held back from the message. Nothing is
        dropped: `msg_dict` is changed in place (the gateway posts what it holds) and what
        was held back is returned for `_kam_mail_keep_held`.

        :return: ([(file name, content)] held back, whether the body was cut), or None
            when the e-mail is within the limits
        """
        attachments = list(msg_dict.get('attachments') or [])
        kept, held, total = [], [], 0
        max_count = company.kam_suggestion_mail_max_attachments
        max_size = company.kam_suggestion_mail_max_size_mb * 1024 * 1024
        for attachment in attachments:
            content = attachment[1] or b''
            size = len(content.encode() if isinstance(content, str) else content)
            if len(kept) < max_count and total + size <= max_size:
                kept.append(attachment)
                total += size
            else:
                held.append((attachment[0] or 'attachment', content))
        body = msg_dict.get('body') or ''
        max_body = company.kam_suggestion_mail_max_body_kb * 1024
        body_cut = len(body) > max_body
        if body_cut:
            msg_dict['body'] = plaintext2html(html2plaintext(body[:max_body]) + "\n\n" + self.env._(
                "[Cut at %(limit)s KB: the whole text is attached as original-body.html.]",
                limit=company.kam_suggestion_mail_max_body_kb))
            kept.append(self._Attachment('original-body.html', body, {}))
        if not (held or body_cut):
            return None
        msg_dict['attachments'] = kept
        return held, body_cut

    def _kam_mail_keep_held(self, limited):
        """File what an e-mail had over the limits on each suggestion of `self` (one zip
        archive, on an internal note saying what happened) and flag the suggestions."""
        if not limited:
            return
        held, body_cut = limited
        self._kam_engine_write({'mail_limited': True})
        archive = b''
        if held:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as zipped:
                for index, (name, content) in enumerate(held, start=1):
                    zipped.writestr(f"{index:03d}-{name}"[:200], content)
            archive = buffer.getvalue()
        what = []
        if body_cut:
            what.append(self.env._("Its body was cut: the whole text is attached to it as original-body.html."))
        if held:
            what.append(self.env._(
                "%(count)s attachments over the limits (their number or their total size) are kept in "
                "held-back-attachments.zip.", count=len(held)))
        for suggestion in self:
            suggestion.message_post(
                body=self.env._("An e-mail exceeded the intake limits of %(company)s. %(what)s",
                                company=suggestion.company_id.name, what=" ".join(what)),
                subtype_xmlid='mail.mt_note',
                attachments=[('held-back-attachments.zip', archive)] if held else None)

    # ------------------------------------------------------------------------------------
    # Reply deadline (cron)
    # ------------------------------------------------------------------------------------

    @api.model
    def _cron_notify_overdue(self):
        """An overdue suggestion gets ONE activity for its owner (the account's manager when
        it has none), once: overdue by the owner's own date, not the server's."""
        candidates = self.search([
            ('reply_date', '=', False), ('overdue_notified', '=', False), ('deadline_date', '!=', False),
            ('deadline_date', '<', fields.Date.today() + timedelta(days=1)), ('stage_id.is_closed', '=', False)])
        entries, notified = [], self.browse()
        # One text for all: activities sharing owner, date and text are created together.
        summary = self.env._("Reply overdue")
        note = html_escape(self.env._("The reply promised to the customer is overdue: send the feedback form."))
        for suggestion in candidates:
            owner = suggestion.user_id.filtered(lambda u: u.active and not u.share) or suggestion.partner_id.kam_manager_id
            today = fields.Date.context_today(suggestion.with_context(tz=owner.tz or 'UTC'))
            if not owner or suggestion.deadline_date >= today:
                continue
            entries.append((suggestion, owner, today, summary, note))
            notified |= suggestion
        # As the approval reminders: in the owner's activities, without one mail each.
        self.env['mail.activity'].sudo().with_context(
            mail_activity_automation_skip=False, mail_activity_quick_update=True)._kam_schedule(OVERDUE_ACTIVITY_TYPE, entries)
        notified.sudo().write({'overdue_notified': True})
        return notified

    # ------------------------------------------------------------------------------------
    # Demo data
    # ------------------------------------------------------------------------------------

    @api.model
    def _kam_demo_load(self):
        """Demo: suggestions in every stage, each moved by the users who would act (the
        approval engine's real steps); one summary whose departments answered, waiting for
        the director; one reply sent."""
        ref = self.env.ref
        li, emma = ref('kam_key_account.kam_user_li'), ref('kam_key_account.kam_user_emma')
        supervisor, manager = ref('kam_key_account.kam_supervisor'), ref('kam_key_account.kam_manager')
        director, gm = ref('kam_key_account.kam_director'), ref('kam_key_account.kam_gm')
        accounts = self.env['res.partner'].search(
            [('kam_is_key_account', '=', True), ('is_company', '=', True), ('kam_manager_id', 'in', (li | emma).ids)],
            order='id')
        if len(accounts) < 2:
            return
        category = {code: ref(f'kam_key_account.kam_suggestion_category_{code}') for code in (
            'product', 'quality', 'delivery', 'service', 'price')}
        today = fields.Date.context_today(self)

        def new(account, content, code, days_ago, channel='email', **values):
            owner = account.kam_manager_id
            contact = account.child_ids.filtered(lambda c: not c.is_company)[:1]
            return act_as(self, owner).create({
                'partner_id': account.id, 'contact_id': contact.id, 'channel': channel, 'content': content,
                'category_id': category[code].id, 'received_date': today - timedelta(days=days_ago), **values,
            })

        def reported(suggestion, cause, feasibility, action):
            suggestion.write({'report_cause': cause, 'report_feasibility': feasibility, 'report_action': action})
            suggestion.action_write_report()
            return suggestion

        def reviewed(suggestion, *report):
            reported(suggestion, *report).action_request_approval()
            act_as(suggestion, manager).action_approve()
            return suggestion

        first, second = accounts[0], accounts[1]
        # Received: by phone, and two e-mails through the mail gateway (one of a contact,
        # on its account; one of an unknown sender, to triage)
        new(first, "Could your invoices show our internal order numbers?", 'service', 1, channel='phone')
        mailing_contact = first.child_ids.filtered(lambda c: not c.is_company and c.email)[:1]
        for index, (sender, subject, body) in enumerate((
                (mailing_contact.email_formatted, "Spare parts catalogue",
                 "Could you send us the spare parts catalogue of the new presses as a spreadsheet?"),
                ("Chen Hao <chen.hao@newcomer.example.com>", "Distributor in Chengdu",
                 "We are a machine shop in Chengdu: is there a distributor near us?")), start=1):
            if not sender:
                continue
            mail = EmailMessage()
            mail['From'], mail['Subject'] = sender, subject
            mail['To'] = self.env.company.kam_suggestion_alias_email or 'kam-suggestions@example.com'
            mail['Message-ID'] = f'<kam-demo-suggestion-{index}@example.com>'
            mail.set_content(body)
            self.env['mail.thread'].sudo().message_process(
                'kam.suggestion', mail.as_bytes(), custom_values={'company_id': self.env.company.id, 'channel': 'email'})
        # Report being written
        reported(new(second, "The packaging of the M8 sensors is hard to recycle.", 'product', 4),
                 "Foam inserts in mixed plastics.", "Moulded pulp inserts cost 3% more.", "")
        # Under review
        reported(new(first, "Deliveries arrive after 16:00 when our warehouse is closing.", 'delivery', 6),
                 "The carrier's route serves us last.", "A second carrier costs little on this route.",
                 "Deliver before 14:00 with a second carrier.").action_request_approval()
        # Improvements requested: back to its writer, to be resubmitted (a second round)
        improve = reported(new(second, "Price increases are announced too late for our budget.", 'price', 8),
                           "Announced one month ahead.", "Three months ahead is possible.", "Announce earlier.")
        improve.action_request_approval()
        act_as(improve, manager)._approval_reject("Say how early, and who tells the customer.")
        # Reviewed, ready for the next summary
        reviewed(new(first, "A quarterly quality report per production lot would help us.", 'quality', 10),
                 "Their auditors ask for lot traceability.", "Our MES exports it already.",
                 "Send a quarterly lot report.")
        # A summary waiting for the director, its departments having answered
        summary_suggestions = reviewed(
            new(second, "The M12 connectors loosen under vibration.", 'quality', 20),
            "The locking ring's torque is too low for their presses.", "A stronger ring fits the same housing.",
            "Switch to the reinforced ring from next month.") | reviewed(
            new(first, "Could you hold two weeks of safety stock for us?", 'delivery', 18,
                deadline_date=today + timedelta(days=10)),
            "Their demand peaks before Chinese New Year.", "Feasible for the five main references.",
            "Consignment stock of five references.")
        waiting = self.env['kam.suggestion.summary']._kam_demo_summary(
            summary_suggestions, supervisor, "Quality and delivery suggestions")
        act_as(waiting, supervisor).action_request_approval()
        # Approved summaries: suggestions in execution, one replied to and thanked
        done = reviewed(new(first, "Training for our new maintenance technicians.", 'service', 30,
                            deadline_date=today + timedelta(days=3)),
                        "Staff turnover in their maintenance team.", "Our trainers are free in spring.",
                        "Two days of training at their plant.")
        executing = reviewed(new(second, "A Chinese manual for the servo drives.", 'product', 25,
                                 deadline_date=today + timedelta(days=2)),
                             "Their operators read no English.", "Translation takes three weeks.",
                             "Translate and print the manual.")
        thanked = reviewed(new(second, "Your service engineer fixed our press in one day: keep him on our account.",
                               'service', 40, deadline_date=today - timedelta(days=20)),
                           "Praise for the engineer's quick repair.", "He covers their region already.",
                           "Name him their regular service engineer.")
        approved = self.env['kam.suggestion.summary']._kam_demo_summary(done | executing | thanked, supervisor,
                                                                        "Service and documentation")
        act_as(approved, supervisor).action_request_approval()
        act_as(approved, director).action_approve()
        act_as(approved, gm).action_approve()
        done.write({'reply': "Two days of training at your plant in April, for up to eight technicians."})
        thanked.write({'reply': "Mr Zhou is now your regular service engineer."})
        for replied in (done, thanked):
            # Sent as the composer sends it (without rendering the PDF at install).
            replied.with_context(**{SEND_KEY: 'feedback'}).message_post(
                body=replied.reply, message_type='comment', subtype_xmlid='mail.mt_comment',
                partner_ids=replied.contact_id.ids)
        thanked.with_context(**{SEND_KEY: 'thanks'}).message_post(
            body=thanked.env._("Thank you again for your kind words."), message_type='comment', subtype_xmlid='mail.mt_comment',
            partner_ids=thanked.contact_id.ids)
        # Cancelled
        new(first, "Please call before every visit.", 'service', 3, channel='face').action_cancel()


# ----------------------------------------------------------------------------------------
# Portal (G1, web): "My suggestions"
# ----------------------------------------------------------------------------------------

# The longest suggestion a contact may type in the portal (a text, not a file).
PORTAL_CONTENT_LIMIT = 20000


class KamSuggestionPortal(models.Model):
    """A key account's contacts follow their account's suggestions in the portal and send
    new ones (G1, web).

    ================== ======================================================================
    Who                What
    ================== ======================================================================
    portal contact     reads the suggestions of their own account (its commercial partner)
                       in its companies: reference, status, content, the reply once sent and
                       the public messages, where they may write; submits a new suggestion
                       through /my/suggestions/new, at most the company's hourly limit
    nobody             from the portal reads the report, the summary, the opinions, the
                       approvals or the draft reply (`groups='base.group_user'`, over RPC
                       too), nor writes or creates a suggestion over RPC (no access right:
                       the portal route creates it, `_kam_portal_submit`, after its checks)
    ================== ======================================================================
    """
    _name = 'kam.suggestion'
    _inherit = ['kam.suggestion', 'portal.mixin']

    # What the engine and the reviewers see is internal: over RPC too.
    approval_state = fields.Selection(groups='base.group_user')
    approval_review_id = fields.Many2one(groups='base.group_user')
    approval_round = fields.Integer(groups='base.group_user')
    approval_requester_id = fields.Many2one(groups='base.group_user')
    approval_transition = fields.Selection(groups='base.group_user')
    approval_reviewer_ids = fields.Many2many(groups='base.group_user')
    approval_deadline = fields.Date(groups='base.group_user')
    can_approve = fields.Boolean(groups='base.group_user')
    can_override_approval = fields.Boolean(groups='base.group_user')
    # Computed from the activities (internal): a portal client reading every field would
    # otherwise be refused the whole read.
    activity_exception_decoration = fields.Selection(groups='base.group_user')
    activity_exception_icon = fields.Char(groups='base.group_user')
    activity_type_icon = fields.Char(groups='base.group_user')
    # The reply is a draft until the feedback form is sent: the portal shows it once sent.
    reply = fields.Text(groups='base.group_user')

    def _compute_access_url(self):
        for suggestion in self:
            suggestion.access_url = f'/my/suggestions/{suggestion.id}'

    @api.model
    def _kam_portal_account(self, partner):
        """The key account a portal contact suggests for (their commercial partner), or an
        empty recordset when it is no key account: only key accounts suggest here."""
        account = partner.sudo().commercial_partner_id
        return account if account.kam_is_key_account or account.kam_manager_id else account.browse()

    @api.model
    def _kam_portal_categories(self, company):
        """The categories a contact of `company`'s account may choose."""
        return self.env['kam.suggestion.category'].sudo().search([('company_id', 'in', [company.id, False])])

    @api.model
    def _kam_portal_submit(self, content, category_id=None):
        """G1, web: the current portal user's suggestion for their account, checked here
        (the portal user has no right to create one: this method creates it with sudo).

        Channel web, account the contact's commercial partner, contact the user's partner,
        company the account's (else the user's), owner and report writer the account's
        manager, received by nobody (it came by itself); the customer is thanked (G2) as
        for any recorded suggestion.

        :param str content: the text typed in the form
        :param category_id: the chosen category's id (a string from a form, or an int), or
            nothing
        :raise UserError: a translated reason; nothing is created
        :return: the new suggestion, with sudo
        """
        user = self.env.user
        partner = user.partner_id
        account = self._kam_portal_account(partner)
        if user._is_public() or not account:
            raise UserError(self.env._(
                "Suggestions are sent here by the contacts of our key accounts. Please write to your account "
                "manager."))
        content = (content or '').strip()
        if not content:
            raise UserError(self.env._("Write your suggestion before sending it."))
        if len(content) > PORTAL_CONTENT_LIMIT:
            raise UserError(self.env._(
                "Your suggestion is %(length)s characters long: please keep it within %(limit)s characters (attach "
                "the rest to a message on it once it is sent).", length=len(content), limit=PORTAL_CONTENT_LIMIT))
        company = account.company_id or user.company_id
        category = self.env['kam.suggestion.category']
        if category_id:
            try:
                category = self._kam_portal_categories(company).filtered(
                    lambda c, category_id=int(category_id): c.id == category_id)
            except (TypeError, ValueError):
                category = category.browse()
            if not category:
                raise UserError(self.env._("Choose the category of your suggestion from the list."))
        # One submission at a time per contact: the count below then holds until commit.
        self.env.cr.execute(SQL("SELECT id FROM res_partner WHERE id = %s FOR NO KEY UPDATE", partner.id))
        limit = company.kam_suggestion_portal_hourly_limit
        if limit < 1:
            raise UserError(self.env._(
                "Suggestions are not received through the portal at the moment: please write to your account "
                "manager."))
        sent = self.sudo().search_count([
            ('contact_id', '=', partner.id), ('channel', '=', 'web'),
            ('create_date', '>=', fields.Datetime.now() - timedelta(hours=1))])
        if sent >= limit:
            raise UserError(self.env._(
                "You have sent %(count)s suggestions in the last hour, the most we accept: please send this one "
                "a little later. It is still in the form.", count=sent))
        manager = account.kam_manager_id
        suggestion = self.sudo().create({
            'company_id': company.id,
            'channel': 'web',
            'partner_id': account.id,
            'contact_id': (partner - account).id,
            'email_from': partner.email_formatted or False,
            'user_id': manager.id,
            'report_user_id': manager.id,
            'received_by_id': False,
            'received_date': fields.Date.context_today(self),
            'content': content,
            'category_id': category.id,
        })
        # The contact follows it: the public replies reach them.
        suggestion.message_subscribe(partner_ids=partner.ids)
        return suggestion

    @api.model
    def _kam_portal_demo_load(self):
        """Demo: the portal user sent a suggestion from the portal, as the form does."""
        portal = self.env.ref('base.demo_user0', raise_if_not_found=False)
        if not portal or not self._kam_portal_account(portal.partner_id):
            return
        act_as(self, portal)._kam_portal_submit(
            "Could your drivers call our gatehouse 30 minutes before they arrive? Trucks wait at the gate when "
            "the loading bay is busy.",
            category_id=self.env.ref('kam_key_account.kam_suggestion_category_delivery').id)
