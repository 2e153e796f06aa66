from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import html_escape

from .kam_process_mixin import act_as

REPLY_ACTIVITY_TYPE = 'kam_key_account.mail_activity_type_kam_suggestion_reply'


class KamSuggestionSummary(models.Model):
    """A suggestion summary table (建议汇总表, G6-G9): reviewed suggestions gathered, the
    departments' implementation opinions (落实意见), the marketing director's review and the
    general manager's approval.

    ================== ======================================================================
    Who                What
    ================== ======================================================================
    KAM User           builds summaries of reviewed suggestions (G6, the wizard), reads the
                       summaries holding their suggestions
    KAM Supervisor     reads and handles every summary
    responsible        adds and removes suggestions while it is a draft, sends it to the
                       departments (G7: one opinion line per department, an activity for
                       its responsible), then to the director once every department answered
    departments        (participants, without a Key Accounts role) read the summary and its
                       suggestions, read-only, and give their opinion on their own line
    KAM Director       reviews it (G8, 审核)
    General Manager    approves it (G9, 审批): its suggestions move on to execution, and
                       their owners are reminded to reply by the promised deadline
    nobody             sends an empty summary, or one without departments, to the
                       departments; sends it to the director before every department
                       answered; changes an opinion once it went to the director
    ================== ======================================================================
    """
    _name = 'kam.suggestion.summary'
    _description = 'Key-Account Suggestion Summary'
    _inherit = ['kam.process.mixin']
    _order = 'id desc'
    _kam_process = 'suggestion_summary'
    _kam_sequence_code = 'kam.suggestion.summary'
    _kam_per_account = False
    _kam_approval_subtypes = {
        'requested': 'kam_key_account.mt_kam_suggestion_summary_approval_requested',
        'step_approved': 'kam_key_account.mt_kam_suggestion_summary_approval_step_approved',
        'approved': 'kam_key_account.mt_kam_suggestion_summary_approval_approved',
        'rejected': 'kam_key_account.mt_kam_suggestion_summary_approval_rejected',
        'reset': 'kam_key_account.mt_kam_suggestion_summary_approval_reset',
        'escalated': 'kam_key_account.mt_kam_suggestion_summary_approval_escalated',
    }
    _kam_action = 'kam_key_account.kam_suggestion_summary_action'
    _kam_report = 'kam_key_account.action_report_kam_suggestion_summary'
    _approval_relevant_fields = ('title', 'note')
    # Draft → Departments → (engine) Director → General Manager → Approved; a rejection
    # goes back to Departments; Cancelled releases the suggestions.
    _kam_transitions = {
        'draft': ('departments', 'cancelled'),
        'departments': ('cancelled',),
        'director': ('departments',),
        'gm': (),
        'approved': (),
        'cancelled': (),
    }
    _kam_stage_verbs = {'departments': 'send', 'cancelled': 'cancel'}
    _kam_approval_buttons_xpath = "//button[@name='action_send_to_departments']"
    _kam_engine_fields = ('approved_date',)

    partner_id = fields.Many2one(
        string='Account', required=False, help="Leave empty for a summary of several accounts' suggestions.")
    user_id = fields.Many2one(string='Responsible', required=True)
    title = fields.Char(required=True, tracking=True, help="e.g. Suggestions of the third quarter")
    date_from = fields.Date('Received From')
    date_to = fields.Date('Received To')
    category_ids = fields.Many2many('kam.suggestion.category', string='Categories', check_company=True)
    note = fields.Text('Summary', help="What the suggestions have in common, and what the department proposes.")
    suggestion_ids = fields.One2many('kam.suggestion', 'summary_id', 'Suggestions')
    suggestion_count = fields.Integer(compute='_compute_counts')
    department_ids = fields.Many2many(
        'kam.department', string='Departments Concerned', check_company=True,
        help="Each one gives its implementation opinion (落实意见) on the summary.")
    opinion_ids = fields.One2many('kam.suggestion.opinion', 'summary_id', 'Opinions')
    answered_count = fields.Integer('Opinions Given', compute='_compute_counts')
    opinion_count = fields.Integer(compute='_compute_counts')
    approved_date = fields.Date('Approved On', readonly=True, copy=False)

    @api.depends('suggestion_ids', 'opinion_ids.state')
    def _compute_counts(self):
        for summary in self:
            summary.suggestion_count = len(summary.suggestion_ids)
            summary.opinion_count = len(summary.opinion_ids)
            summary.answered_count = len(summary.opinion_ids.filtered(lambda o: o.state == 'done'))

    # ------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------

    def action_send_to_departments(self):
        return self._kam_move_to('departments')

    def action_cancel(self):
        return self._kam_move_to('cancelled')

    def action_open_suggestions(self):
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id('kam_key_account.kam_suggestion_action')
        action.update(domain=[('summary_id', '=', self.id)], context={'create': False})
        return action

    def _check_lines_writable(self):
        """An opinion line created on, moved onto or away from a summary is a write on it."""
        if not self.env.su:
            self.check_access('write')

    def _check_can_send(self):
        self.check_access('write')
        for summary in self:
            if not summary.suggestion_ids:
                raise UserError(self.env._(
                    "%(summary)s has no suggestion: add reviewed suggestions first.", summary=summary.display_name))
            if not summary.department_ids:
                raise UserError(self.env._(
                    "Choose the departments concerned by %(summary)s: each gives its implementation opinion.",
                    summary=summary.display_name))

    def _do_send(self, stage):
        """G7: one opinion line per department concerned, an activity for its responsible."""
        self._kam_write_stage(stage)
        self.env['kam.suggestion.opinion'].create([{
            'summary_id': summary.id,
            'department_id': department.id,
            'description': self.env._(
                "Give the implementation opinion of %(department)s on the suggestions of %(summary)s.",
                department=department.name, summary=summary.title),
        } for summary in self for department in summary.department_ids - summary.opinion_ids.department_id])

    def _check_can_cancel(self):
        self.check_access('write')

    def _do_cancel(self, stage):
        """The suggestions are free for another summary; the opinions not given are withdrawn
        (with their activities), those given stay as history."""
        self._kam_write_stage(stage)
        suggestions = self.suggestion_ids
        suggestions.sudo().write({'summary_id': False})
        suggestions.sudo()._kam_sync_summary_stage()
        self.opinion_ids.filtered(lambda o: o.state != 'done').sudo().unlink()

    # ------------------------------------------------------------------------------------
    # Approval engine hooks (G8, G9)
    # ------------------------------------------------------------------------------------

    def _check_approval_ready(self):
        for summary in self:
            if summary.stage_code != 'departments':
                raise UserError(self.env._(
                    "Send %(summary)s to the departments first: the director reviews it with their opinions.",
                    summary=summary.display_name))
            waiting = summary.department_ids - summary.opinion_ids.filtered(lambda o: o.state == 'done').department_id
            if waiting:
                raise UserError(self.env._(
                    "%(summary)s goes to the director once every department gave its opinion: %(departments)s "
                    "did not yet.", summary=summary.display_name, departments=", ".join(waiting.mapped('name'))))

    def _on_approval_approved(self):
        """G9: approved, its suggestions move on to execution, and their owners are reminded
        to reply by the deadline promised to the customer."""
        result = super()._on_approval_approved()
        self._kam_engine_write({'approved_date': fields.Date.context_today(self)})
        suggestions = self.suggestion_ids.filtered(lambda s: s.stage_code == 'summary')
        suggestions._kam_move_to('execution')
        summary, note = self.env._("Reply to the customer"), html_escape(self.env._(
            "Approved: send the feedback form (建议反馈表) by the deadline promised to the customer."))
        entries = [(suggestion, suggestion.user_id, suggestion.deadline_date or fields.Date.context_today(self),
                    summary, note) for suggestion in suggestions if suggestion.user_id]
        self.env['mail.activity'].sudo().with_context(
            mail_activity_automation_skip=False, mail_activity_quick_update=True)._kam_schedule(REPLY_ACTIVITY_TYPE, entries)
        return result

    # ------------------------------------------------------------------------------------
    # Demo data
    # ------------------------------------------------------------------------------------

    @api.model
    def _kam_demo_summary(self, suggestions, user, title):
        """Demo: a summary of `suggestions` sent to two departments, which both answered."""
        departments = self.env.ref('kam_key_account.kam_department_quality') | self.env.ref(
            'kam_key_account.kam_department_production')
        summary = act_as(self, user).create({
            'title': title, 'user_id': user.id, 'department_ids': [Command.set(departments.ids)],
        })
        act_as(suggestions, user).write({'summary_id': summary.id})
        summary.action_send_to_departments()
        for opinion in summary.opinion_ids:
            opinion = act_as(opinion, opinion.responsible_id)
            opinion.write({
                'state': 'done', 'resolution': opinion.env._("Feasible with our current resources; we will plan it."),
            })
        return summary
