from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tools import clean_context, plaintext2html

from .res_partner import CONTACT_MANNERS, DONE_VISIT_STAGES

VISIT_TYPES = [
    ('routine', 'Routine'),
    ('development', 'Development'),
    ('service', 'Service'),
]
APPOINTMENT_STATES = [
    ('to_book', 'To Book'),
    ('booked', 'Booked'),
    ('confirmed', 'Confirmed'),
]
# What the visit and its calendar event share (V3); the visit is the master once done.
EVENT_SYNCED_FIELDS = {'start': 'start', 'stop': 'stop', 'allday': 'allday', 'location': 'location'}
# Written only by the visit's actions (book, confirm, cancel, the event deleted).
PROCESS_FIELDS = frozenset({'appointment_state', 'event_id'})
# Stages a visit reaches once made (V6) or summarised (V9): defined beside the partner's
# last-visit date, which this module's import of res_partner lets res_partner not import.
DONE_STAGES = DONE_VISIT_STAGES

# Context values a JSON-RPC client cannot send (it only sends JSON): the internal paths
# compare them by identity under the context key SYNC_KEY. A context key with a plain value
# would be client input, and client input never switches a check off.
SYNC_KEY = 'kam_sync'
PROCESS = object()        # the visit's own actions set its process fields
FROM_VISIT = object()     # the visit writes its event: the event does not write back
FROM_EVENT = object()     # the event writes its visit: the visit does not write back
EVENT_WRITING = object()  # inside one event write: the calendar's nested writes sync nothing


class KamVisit(models.Model):
    """A visit to an account (大客户拜访, V1–V11), on the calendar.

    ================== ================================================================
    Who                What
    ================== ================================================================
    KAM User           plans, books, prepares, makes and summarises the visits they are
                       responsible for or take part in; routine and service visits only;
                       invites as customer attendees only people of the visited account
    KAM Supervisor     sees and edits every visit (its calendar event follows, even when
                       they are not invited), makes development visits (由主管级以上人员实施)
                       after a pre-visit meeting that the leader or a visitor attends,
                       approves visits whose budget exceeds the company's threshold (not
                       visits they asked the approval of)
    attendees          move the visit by moving its event only if they may edit the visit;
                       deleting the event sends the visit back to be booked
    other employees    see the visit's event as busy time (a private event, with nothing
                       internal in it)
    participants       the responsibles of its problems (V8) and their departments'
                       managers, no Key Accounts role needed (kam.assigned.line): read the
                       visit, without budget, gifts, checklist, opportunities and internal
                       summary (fields grouped group_kam_user); solve their problems;
                       change nothing else and see no other visit
    every route        Book, Prepared, Visit Done, Summarised and Cancel, a drag on the
                       kanban, a statusbar click or an RPC write of the stage run the same
                       checks and side effects (kam.process.mixin `_kam_move_to`): Planned →
                       Booked (on the calendar) → Prepared (checklist ticked) → Done (booked
                       and confirmed by the customer, a development visit after its pre-visit
                       meeting; actual times default; V11 follow-up) → Summarised (V9
                       summary); back to Planned takes it off the calendar; Cancelled (before
                       Done) removes its event; a cancelled visit is reopened to Planned
    nobody             writes the appointment state or the event link (only Book, Customer
                       Confirmed, Cancel, the move back to Planned and the event's deletion
                       set them), skips a stage or marks a never-booked, unconfirmed or
                       cancelled visit done, confirms a visit
                       whose budget needs an approval it lacks, or marks it done or
                       summarised before that approval (changing the budget, the leader, the
                       account or the company withdraws it and leaves the customer's
                       invitation as it is); links as pre-visit meeting an event that
                       neither the leader nor a visitor attends, or a private event they
                       neither organise nor attend; acts twice by passing a visit's id twice
    ================== ================================================================
    """
    _name = 'kam.visit'
    _description = 'Key-Account Visit'
    _inherit = ['kam.process.mixin']
    _order = 'start desc, id desc'
    _kam_process = 'visit'
    _kam_sequence_code = 'kam.visit'
    _kam_approval_subtypes = {
        'requested': 'kam_key_account.mt_kam_visit_approval_requested',
        'step_approved': 'kam_key_account.mt_kam_visit_approval_step_approved',
        'approved': 'kam_key_account.mt_kam_visit_approval_approved',
        'rejected': 'kam_key_account.mt_kam_visit_approval_rejected',
        'reset': 'kam_key_account.mt_kam_visit_approval_reset',
        'escalated': 'kam_key_account.mt_kam_visit_approval_escalated',
    }
    _kam_partner_count_field = 'kam_visit_count'
    _kam_action = 'kam_key_account.kam_visit_action'
    _kam_report = 'kam_key_account.action_report_kam_visit_record'
    # What the reviewers approved (this budget, for this account and company) and what chose
    # them (the team leader of user_id, the account's manager, the company's chain and
    # threshold): changing any of them withdraws the approval.
    _approval_relevant_fields = ('budget_amount', 'currency_id', 'user_id', 'partner_id', 'company_id')
    # V3 booked → V5 prepared → V6 done → V9 summarised; Planned again when the appointment
    # is off (a drag back, or the event deleted); a cancelled visit can be reopened.
    _kam_transitions = {
        'planned': ('booked', 'cancelled'),
        'booked': ('planned', 'prepared', 'done', 'cancelled'),
        'prepared': ('planned', 'done', 'cancelled'),
        'done': ('summarised',),
        'summarised': (),
        'cancelled': ('planned',),
    }
    _kam_stage_verbs = {
        'planned': 'replan', 'booked': 'book', 'prepared': 'mark_prepared', 'done': 'done',
        'summarised': 'summarise', 'cancelled': 'cancel',
    }
    # The budget approval comes after booking in the header.
    _kam_approval_buttons_xpath = "/form/header/button[@name='action_book']"

    partner_id = fields.Many2one(string='Account')
    contact_id = fields.Many2one(
        'res.partner', 'Contact Person', check_company=True,
        domain="[('parent_id', '=', partner_id), ('is_company', '=', False)]")
    contact_ids = fields.Many2many(
        'res.partner', 'kam_visit_contact_rel', 'visit_id', 'partner_id', 'Customer Attendees', check_company=True,
        domain="[('parent_id', '=', partner_id), ('is_company', '=', False)]",
        help="Invited to the calendar event once the appointment is confirmed.")
    user_id = fields.Many2one(string='Visit Leader', required=True)
    visitor_ids = fields.Many2many(
        'res.users', 'kam_visit_visitor_rel', 'visit_id', 'user_id', 'Visitors',
        default=lambda self: self.env.user, domain=[('share', '=', False)])
    visit_type = fields.Selection(VISIT_TYPES, 'Type', required=True, default='routine', tracking=True)
    tier_id = fields.Many2one(related='partner_id.kam_tier_id', string='Tier', store=True)
    development_plan_id = fields.Many2one(
        'kam.development.plan', index='btree_not_null', check_company=True, copy=False,
        ondelete='set null', help="D10: the development plan this development visit belongs to.")
    # V1 purpose, V2 timing
    purpose = fields.Text(tracking=True)
    goals = fields.Html('Goals and Requirements')
    timing_manner = fields.Selection(CONTACT_MANNERS, 'Manner')
    timing_reason = fields.Text('Why This Timing and Manner')
    contact_preferred_time = fields.Char(related='contact_id.kam_preferred_contact_time', string='Contact Prefers (Time)')
    contact_preferred_manner = fields.Selection(
        related='contact_id.kam_preferred_contact_manner', string='Contact Prefers (Manner)')
    contact_habits = fields.Text(related='contact_id.kam_habits', string="Contact's Habits")
    # V3 appointment
    appointment_manner = fields.Selection(
        [('in_person', 'In Person'), ('phone', 'By Phone')], 'Appointment Made', default='phone')
    appointment_state = fields.Selection(
        APPOINTMENT_STATES, 'Appointment', required=True, default='to_book', tracking=True, copy=False,
        readonly=True)
    start = fields.Datetime(tracking=True, index=True)
    stop = fields.Datetime('End')
    allday = fields.Boolean('All Day')
    location = fields.Char(tracking=True)
    event_id = fields.Many2one('calendar.event', 'Calendar Event', copy=False, index='btree_not_null',
                               ondelete='set null', readonly=True)
    premeeting_event_id = fields.Many2one(
        'calendar.event', 'Pre-Visit Discussion Meeting', copy=False,
        help="拜访前讨论会议: a development visit is confirmed only after this meeting has ended.")
    # V4 plan and budget
    materials = fields.Text('Materials Needed')
    # The budget's currency is chosen (the process mixin's is the company's).
    currency_id = fields.Many2one(
        related=False, store=True, readonly=False, required=True, default=lambda self: self.env.company.currency_id)
    company_currency_id = fields.Many2one(related='company_id.currency_id', string='Company Currency')
    budget_amount = fields.Monetary('Budgeted Expenses', tracking=True, groups='kam_key_account.group_kam_user')
    gifts = fields.Text(groups='kam_key_account.group_kam_user')
    budget_company_amount = fields.Monetary(
        'Budget in Company Currency', currency_field='company_currency_id',
        compute='_compute_budget_over_threshold', store=True, groups='kam_key_account.group_kam_user')
    budget_over_threshold = fields.Boolean(
        'Budget Needs Approval', compute='_compute_budget_over_threshold', store=True,
        help="The budget, in company currency, exceeds the company's threshold: the supervisor approves it.")
    # V5 preparation
    checklist_ids = fields.One2many('kam.visit.checklist', 'visit_id', 'Preparation Checklist', copy=True,
                                    default=lambda self: self._default_checklist(), groups='kam_key_account.group_kam_user')
    checklist_progress = fields.Float(compute='_compute_checklist_progress', groups='kam_key_account.group_kam_user')
    # V6 conduct
    actual_start = fields.Datetime()
    actual_stop = fields.Datetime('Actual End')
    on_time = fields.Boolean(compute='_compute_on_time', store=True)
    latest_info = fields.Html('Latest Customer Information')
    # V7 opportunities, V8 problems
    lead_ids = fields.One2many('crm.lead', 'kam_visit_id', 'Opportunities', groups='kam_key_account.group_kam_user')
    lead_count = fields.Integer(compute='_compute_lead_count', groups='kam_key_account.group_kam_user')
    opportunity_ids = fields.One2many(
        'kam.visit.opportunity', 'visit_id', 'Opportunity Assessments', copy=False,
        groups='kam_key_account.group_kam_user')
    problem_ids = fields.One2many('kam.visit.problem', 'visit_id', 'Problems', copy=False)
    open_problem_count = fields.Integer(compute='_compute_open_problem_count')
    # V9 summary
    # The internal assessment: participants (department responsibles) do not read it.
    summary_analysis = fields.Html('Analysis', groups='kam_key_account.group_kam_user')
    lessons = fields.Text('Lessons Learned', groups='kam_key_account.group_kam_user')
    shortcomings = fields.Text(groups='kam_key_account.group_kam_user')
    improvements = fields.Text(groups='kam_key_account.group_kam_user')
    next_steps = fields.Text('Next Development Steps', groups='kam_key_account.group_kam_user')
    customer_views = fields.Text("Customer's Views")
    key_points = fields.Text()

    @api.model
    def _default_checklist(self):
        return [Command.create({'name': item.name, 'category': item.category, 'sequence': item.sequence})
                for item in self.env['kam.visit.checklist.template'].search([])]

    @api.depends('budget_amount', 'currency_id', 'company_id.kam_visit_budget_threshold', 'start')
    def _compute_budget_over_threshold(self):
        for visit in self:
            company = visit.company_id or self.env.company
            amount = visit.currency_id._convert(
                visit.budget_amount, company.currency_id, company,
                (visit.start or fields.Datetime.now()).date()) if visit.currency_id else visit.budget_amount
            visit.budget_company_amount = amount
            threshold = company.kam_visit_budget_threshold
            visit.budget_over_threshold = bool(threshold) and amount > threshold

    @api.depends('checklist_ids.done')
    def _compute_checklist_progress(self):
        for visit in self:
            lines = visit.checklist_ids
            visit.checklist_progress = 100.0 * len(lines.filtered('done')) / len(lines) if lines else 0.0

    @api.depends('start', 'actual_start')
    def _compute_on_time(self):
        grace = timedelta(minutes=15)
        for visit in self:
            visit.on_time = bool(visit.start and visit.actual_start and visit.actual_start <= visit.start + grace)

    @api.depends('lead_ids')
    def _compute_lead_count(self):
        counts = dict(self.env['crm.lead'].with_context(active_test=False)._read_group(
            [('kam_visit_id', 'in', self.ids)], ['kam_visit_id'], ['__count']))
        for visit in self:
            visit.lead_count = counts.get(visit, 0)

    @api.depends('problem_ids.state')
    def _compute_open_problem_count(self):
        counts = dict(self.env['kam.visit.problem']._read_group(
            [('visit_id', 'in', self.ids), ('state', 'in', ('open', 'in_progress'))], ['visit_id'], ['__count']))
        for visit in self:
            visit.open_problem_count = counts.get(visit, 0)

    @api.onchange('partner_id')
    def _onchange_partner_id_contacts(self):
        """Another account: drop the previous account's people, which
        _check_contacts_of_account would refuse on save."""
        if self.contact_id and self._strangers_to_account(self.contact_id):
            self.contact_id = False
        self.contact_ids -= self._strangers_to_account(self.contact_ids)

    # ------------------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------------------

    @api.constrains('start', 'stop')
    def _check_dates(self):
        for visit in self:
            if visit.start and visit.stop and visit.stop < visit.start:
                raise ValidationError(self.env._(
                    "The visit %(visit)s cannot end before it starts.", visit=visit.name))

    @api.constrains('actual_start', 'actual_stop')
    def _check_actual_dates(self):
        for visit in self:
            if visit.actual_start and visit.actual_stop and visit.actual_stop < visit.actual_start:
                raise ValidationError(self.env._(
                    "The visit %(visit)s cannot have ended before it started.", visit=visit.name))

    @api.constrains('budget_amount')
    def _check_budget(self):
        for visit in self:
            if visit.budget_amount < 0:
                raise ValidationError(self.env._(
                    "The budgeted expenses of %(visit)s cannot be negative.", visit=visit.name))

    @api.constrains('appointment_state', 'start')
    def _check_booked_has_time(self):
        for visit in self:
            if visit.appointment_state != 'to_book' and not visit.start:
                raise ValidationError(self.env._(
                    "Give %(visit)s a date and time before booking it.", visit=visit.name))

    @api.constrains('appointment_state')
    def _check_confirmation(self):
        """Whatever the route into Confirmed, the customer is invited only once the
        pre-visit meeting of a development visit is over and a budget above the threshold
        is approved."""
        now = fields.Datetime.now()
        for visit in self.filtered(lambda v: v.appointment_state == 'confirmed'):
            # Attendance again: the meeting's attendees may have changed since it was linked.
            if not visit._premeeting_held(now):
                raise ValidationError(self.env._(
                    "%(visit)s is a development visit: hold the pre-visit discussion meeting first "
                    "(拜访前讨论会议).", visit=visit.name))
            if visit._budget_needs_approval():
                raise ValidationError(self.env._(
                    "The budget of %(visit)s exceeds the company's threshold: request the supervisor's "
                    "approval first.", visit=visit.name))

    @api.constrains('stage_id')
    def _check_done_budget_approved(self):
        """Done and Summarised, by button, drag, statusbar or write, wait for the budget's
        approval: raising a confirmed budget withdraws it (see _approval_relevant_fields)."""
        for visit in self:
            if visit.stage_id.code in DONE_STAGES and visit._budget_needs_approval():
                raise ValidationError(self.env._(
                    "The budget of %(visit)s exceeds the company's threshold: it must be approved before "
                    "the visit is marked done. Request the supervisor's approval.", visit=visit.name))

    @api.constrains('stage_id', 'actual_start', 'actual_stop')
    def _check_done_has_actual_times(self):
        for visit in self:
            if visit.stage_id.code in ('done', 'summarised') and not (visit.actual_start and visit.actual_stop):
                raise ValidationError(self.env._(
                    "Record when %(visit)s actually started and ended before marking it done (V6).",
                    visit=visit.name))

    @api.constrains('development_plan_id', 'visit_type', 'partner_id')
    def _check_development_plan(self):
        for visit in self.filtered('development_plan_id'):
            if visit.visit_type != 'development' or visit.partner_id != visit.development_plan_id.partner_id:
                raise ValidationError(self.env._(
                    "%(visit)s belongs to the development plan %(plan)s: it must be a development visit "
                    "of the same account.", visit=visit.name, plan=visit.development_plan_id.name))
            if visit.development_plan_id.control_state == 'obsolete':
                raise ValidationError(self.env._(
                    "%(plan)s is an obsolete version of its development plan: link %(visit)s to the version in force.",
                    visit=visit.name, plan=visit.development_plan_id.display_name))

    @api.constrains('visit_type', 'visitor_ids', 'user_id')
    def _check_development_visitors(self):
        supervisor = self.env.ref('kam_key_account.group_kam_supervisor')
        for visit in self.filtered(lambda v: v.visit_type == 'development'):
            juniors = (visit.visitor_ids | visit.user_id).filtered(lambda u: supervisor not in u.all_group_ids)
            if juniors:
                raise ValidationError(self.env._(
                    "Development visits are made by supervisors or above: %(users)s cannot be visitors.",
                    users=", ".join(juniors.mapped('name'))))

    @api.constrains('partner_id', 'contact_id', 'contact_ids')
    def _check_contacts_of_account(self):
        """Customer attendees are invited to the event once the visit is confirmed (V3): the
        form's domain is no protection against a client that sends any partner id. Names
        none of them: the ids are the client's, their names not necessarily theirs to read
        (constraints run with sudo)."""
        for visit in self:
            if visit._strangers_to_account(visit.contact_id | visit.contact_ids):
                raise ValidationError(self.env._(
                    "The contact person and the customer attendees of %(visit)s must be people of the "
                    "visited account (its contacts).", visit=visit.name))

    @api.constrains('premeeting_event_id', 'user_id', 'visitor_ids')
    def _check_premeeting_attended(self):
        """The pre-visit discussion meeting (拜访前讨论会议) is one the visit's own people
        attend: otherwise any ended event would unlock a development visit's confirmation."""
        for visit in self.filtered('premeeting_event_id'):
            if not visit._premeeting_attended():
                raise ValidationError(self.env._(
                    "The pre-visit discussion meeting of %(visit)s must be attended by its leader or one "
                    "of its visitors.", visit=visit.name))

    # ------------------------------------------------------------------------------------
    # CRUD and calendar sync (V3)
    # ------------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        defaults = {name: self.env.context.get(f'default_{name}') for name in PROCESS_FIELDS}
        for vals in vals_list:
            if not vals.get('partner_id') and not self.env.context.get('default_partner_id'):
                raise ValidationError(self.env._("A visit needs the account it visits."))
            if any((vals.get(name) or defaults[name]) not in (None, False, 'to_book')
                   for name in PROCESS_FIELDS):
                self._check_process_write()
            if vals.get('user_id'):  # the leader is a visitor too
                vals['visitor_ids'] = vals.get('visitor_ids', []) + [Command.link(vals['user_id'])]
        visits = super().create(vals_list)
        # Whether from the values or a default_* key: the meeting the visits ended up with.
        visits.filtered('premeeting_event_id')._check_premeeting_visible()
        return visits

    def unlink(self):
        events = self.event_id
        result = super().unlink()
        # The visits' own deletion was checked: their events go with them.
        events.sudo().with_context(kam_sync=FROM_VISIT).unlink()
        return result

    def write(self, vals):
        if PROCESS_FIELDS & vals.keys():
            self._check_process_write()
        result = super().write(vals)
        if vals.get('premeeting_event_id'):
            self._check_premeeting_visible()
        if self.env.context.get(SYNC_KEY) is not FROM_EVENT:
            self._sync_event(vals.keys())
        return result

    # ------------------------------------------------------------------------------------
    # Calendar sync (V3)
    # ------------------------------------------------------------------------------------

    def _check_process_write(self):
        if self.env.context.get(SYNC_KEY) is not PROCESS:
            raise AccessError(self.env._(
                "The appointment state and the calendar event of a visit are set by its actions "
                "(Book, Customer Confirmed, Cancel), not written directly."))

    def _set_process_vals(self, vals):
        """The one way the actions write the appointment state and the event link; the
        constraints (_check_confirmation) still apply."""
        return self.with_context(kam_sync=PROCESS).write(vals)

    def _sync_event(self, fnames):
        """Carry the visit's time, place and attendees to its event, with sudo once the
        visit's own write access is checked: the event is private, and a supervisor editing
        the visit is not necessarily one of its attendees."""
        synced = set(EVENT_SYNCED_FIELDS) & fnames
        attendees = {'visitor_ids', 'contact_ids', 'user_id', 'appointment_state'} & fnames
        relabel = 'partner_id' in fnames
        if not (synced or attendees or relabel):
            return
        visits = self.filtered(lambda v: v.event_id and v.stage_id.code not in DONE_STAGES)
        if not visits:
            return
        visits.check_access('write')
        for visit in visits:
            event_sudo = visit.event_id.sudo()
            event_vals = {EVENT_SYNCED_FIELDS[name]: visit[name] for name in synced}
            if {'start', 'stop'} & synced:
                event_vals.update(visit._event_time_vals())
            if relabel:
                event_vals.update(visit._event_label_vals())
            if attendees:
                partners = visit._event_partners()
                if partners != event_sudo.partner_ids:
                    event_vals['partner_ids'] = [Command.set(partners.ids)]
            if event_vals:
                event_sudo.with_context(kam_sync=FROM_VISIT).write(event_vals)

    def _create_events(self):
        """Put the visits on the calendar (private events), once their write access is checked."""
        self.check_access('write')
        # Without the caller's default_* keys: they would fill the event's other fields.
        context = clean_context({**self.env.context, SYNC_KEY: FROM_VISIT, 'mail_create_nolog': True})
        # The whole context replaced on purpose: the caller's, less its default_* keys.
        events = self.env['calendar.event'].sudo().with_context(context).create(  # pylint: disable=context-overridden
            [visit._prepare_event_vals() for visit in self])
        for visit, event in zip(self, events):
            visit._set_process_vals({'event_id': event.id})

    def _remove_events(self):
        self.check_access('write')
        self.event_id.sudo().with_context(kam_sync=FROM_VISIT).unlink()

    def _event_partners(self):
        """Our visitors always; the customer's contacts only once confirmed: Odoo mails
        attendees on creation and at every time change."""
        self.ensure_one()
        partners = (self.visitor_ids | self.user_id).partner_id
        if self.appointment_state == 'confirmed':
            partners |= self.contact_ids
        return partners

    def _event_time_vals(self):
        """Start, stop and duration together: the calendar recomputes the stop from the
        duration whenever the start moves."""
        stop = self.stop or self.start + timedelta(hours=1)
        return {'start': self.start, 'stop': stop, 'duration': (stop - self.start).total_seconds() / 3600}

    def _event_label_vals(self):
        """The event's title and description: the account and the visit's reference only.
        Invitations reach the customer, so nothing internal (purpose, goals, budget) goes in."""
        self.ensure_one()
        return {
            'name': self.env._("Visit: %(account)s", account=self.partner_id.name),
            'description': plaintext2html(self.env._(
                "Key-account visit %(reference)s to %(account)s",
                reference=self.name, account=self.partner_id.name)),
        }

    def _prepare_event_vals(self):
        self.ensure_one()
        return {
            **self._event_label_vals(),
            **self._event_time_vals(),
            'allday': self.allday,
            'location': self.location,
            'user_id': self.user_id.id,
            'partner_ids': [Command.set(self._event_partners().ids)],
            'privacy': 'private',
            'res_model_id': self.env['ir.model']._get_id(self._name),
            'res_id': self.id,
            'kam_visit_id': self.id,
        }

    def _on_event_deleted(self):
        """The visit goes back to be booked again."""
        visits = self.filtered(lambda v: v.stage_id.code not in DONE_STAGES + ('cancelled',))
        if not visits:
            return
        visits._set_process_vals({'appointment_state': 'to_book', 'event_id': False})
        # The same move as a drag back to Planned; the event is gone already.
        visits.filtered(lambda v: v.stage_id.code != 'planned')._kam_move_to('planned')
        for visit in visits:
            visit.message_post(body=self.env._("The calendar event was deleted: the visit is to be booked again."),
                               subtype_xmlid='mail.mt_note')

    def _check_can_edit_event(self):
        """Moving or deleting a visit's event is a write on the visit."""
        for visit in self:
            if not visit.has_access('write'):
                raise UserError(self.env._(
                    "This event is the key-account visit %(visit)s: only those who may edit the "
                    "visit can move or delete it.", visit=visit.sudo().name))

    def _check_premeeting_visible(self):
        """Who links a pre-visit meeting vouches that it was held: they must see it. Every
        employee reads private events as busy time only, so a private event is seen only by
        its organiser and attendees. Checked in create and write, with the caller's rights:
        constraints run with sudo."""
        if self.env.su:
            return
        for visit in self:
            meeting = visit.premeeting_event_id
            if not meeting.has_access('read') or meeting._check_private_event_conditions():
                raise ValidationError(self.env._(
                    "%(visit)s: link as pre-visit discussion meeting an event you can see; a private "
                    "event of others cannot be linked.", visit=visit.name))

    def _check_lines_writable(self):
        """A line created on, moved onto or away from a visit is a write on that visit."""
        if not self.env.su:
            self.check_access('write')

    @api.model
    def _kam_approval_view_params(self):
        # Only a budget over the company's threshold is approved.
        return dict(super()._kam_approval_view_params(),
                    request_label=self.env._("Request Budget Approval"), request_invisible="not budget_over_threshold")

    def _budget_needs_approval(self):
        self.ensure_one()
        return self.budget_over_threshold and self.approval_state != 'approved'

    # ------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------

    def action_book(self):
        """V3: the appointment is made; the visit is on the calendar."""
        return self._kam_move_to('booked')

    def action_confirm_appointment(self):
        """The customer confirmed: invite their contacts. Development visits need their
        pre-visit meeting to be over; budgets above the threshold, the supervisor's approval
        (both checked by _check_confirmation, whatever the route)."""
        visits = self._deduplicated()
        visits.filtered(lambda v: v.appointment_state == 'to_book').action_book()
        visits._set_process_vals({'appointment_state': 'confirmed'})
        return True

    def action_mark_prepared(self):
        """V5: every checklist line is ticked."""
        return self._kam_move_to('prepared')

    def action_done(self):
        """V6 done; V11: a development visit gets its follow-up within a week."""
        return self._kam_move_to('done')

    def action_summarise(self):
        """V9: the summary is written."""
        return self._kam_move_to('summarised')

    def action_cancel(self):
        return self._kam_move_to('cancelled')

    def action_create_opportunity(self):
        """V7: an opportunity found on the visit, reported to the supervisor."""
        visit = self._deduplicated()
        visit.ensure_one()
        lead = self.env['crm.lead'].create(visit._prepare_lead_vals())
        visit._notify_supervisors(self.env._(
            "New opportunity from the visit %(visit)s: %(lead)s", visit=visit.display_name, lead=lead.name))
        return {
            'type': 'ir.actions.act_window',
            'res_model': 'crm.lead',
            'res_id': lead.id,
            'view_mode': 'form',
        }

    def action_open_leads(self):
        visit = self._deduplicated()
        visit.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id('crm.crm_lead_opportunities')
        action.update({
            'domain': [('kam_visit_id', '=', visit.id)],
            'context': {'default_kam_visit_id': visit.id, 'default_partner_id': visit.partner_id.id},
        })
        return action

    # ------------------------------------------------------------------------------------
    # Entering a stage (kam.process.mixin `_kam_move_to`): the same checks and side effects
    # for the buttons, a drag on the kanban, the statusbar and an RPC write of stage_id
    # ------------------------------------------------------------------------------------

    def _check_can_book(self):
        for visit in self:
            if not visit.start:
                raise UserError(self.env._("Give %(visit)s a date and time before booking it.", visit=visit.name))

    def _do_book(self, stage):
        self._kam_write_stage(stage)
        self.filtered(lambda v: v.appointment_state == 'to_book')._set_process_vals({'appointment_state': 'booked'})
        to_put_on_calendar = self.filtered(lambda v: not v.event_id)
        if to_put_on_calendar:
            to_put_on_calendar._create_events()

    def _check_can_replan(self):
        """Back to Planned: from Booked or Prepared the appointment is off (its event goes),
        from Cancelled the visit is reopened."""

    def _do_replan(self, stage):
        self._kam_write_stage(stage)
        self._unbook()

    def _check_can_mark_prepared(self):
        for visit in self:
            if visit.checklist_ids.filtered(lambda line: not line.done):
                raise UserError(self.env._(
                    "Tick every line of the preparation checklist of %(visit)s first (V5).", visit=visit.name))

    def _check_can_done(self):
        """Made only once booked and confirmed by the customer (V3), a development visit only
        after its pre-visit meeting, a budget above the threshold only once approved."""
        now = fields.Datetime.now()
        for visit in self:
            if visit.appointment_state != 'confirmed':
                raise UserError(self.env._(
                    "%(visit)s is not confirmed by the customer: book it and record the customer's "
                    "confirmation before marking it done (V3).", visit=visit.name))
            if not visit._premeeting_held(now):
                raise UserError(self.env._(
                    "%(visit)s is a development visit: it is made after its pre-visit discussion meeting "
                    "(拜访前讨论会议).", visit=visit.name))
            if visit._budget_needs_approval():
                # A ValidationError like the constraint's: the same refusal by every route.
                raise ValidationError(self.env._(
                    "The budget of %(visit)s exceeds the company's threshold: it must be approved before "
                    "the visit is marked done. Request the supervisor's approval.", visit=visit.name))

    def _do_done(self, stage):
        """V6: the actual times default to the planned start and now; V11: a development
        visit gets its follow-up."""
        now = fields.Datetime.now()
        for visit in self:
            values = {}
            if not visit.actual_start:
                values['actual_start'] = visit.start if visit.start and visit.start <= now else now
            if not visit.actual_stop:
                values['actual_stop'] = max(now, values.get('actual_start') or visit.actual_start)
            if values:
                visit.write(values)
        self._kam_write_stage(stage)
        development = self.filtered(lambda v: v.visit_type == 'development')
        development._schedule_follow_up()
        planned = development.filtered('development_plan_id')
        if planned:  # D11: the plan's development record logs the visit
            self.env['kam.development.plan']._kam_development_visit_done(planned)

    def _check_can_summarise(self):
        """V9 needs the summary, and every problem solved or carried over to the account
        (read with sudo: the writer may not see the problems of every department)."""
        for visit in self:
            if not (visit.summary_analysis or visit.lessons or visit.improvements):
                raise UserError(self.env._("Write the summary of %(visit)s first (V9).", visit=visit.name))
            unsolved = visit.sudo().problem_ids.filtered(lambda p: p.state in ('open', 'in_progress'))
            if unsolved:
                raise UserError(self.env._(
                    "%(visit)s still has problems to solve: solve them or carry them over to the account "
                    "before summarising the visit (%(problems)s).",
                    visit=visit.name, problems="; ".join(p._kam_line_label() for p in unsolved)))

    def _check_can_cancel(self):
        """Whatever was reached before Done (the transitions say which) can be cancelled."""

    def _do_cancel(self, stage):
        """Cancelled: the customer's event goes (its attendees are told by the calendar)."""
        self._kam_write_stage(stage)
        self._unbook()

    def _unbook(self):
        """The appointment is off: the event is removed and the visit is to be booked again."""
        self._remove_events()
        self._set_process_vals({'appointment_state': 'to_book', 'event_id': False})

    # ------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------

    def _strangers_to_account(self, contacts):
        """The `contacts` that are not people of the visited account, i.e. not children of
        its commercial partner."""
        self.ensure_one()
        commercial = self.partner_id.commercial_partner_id
        return contacts.filtered(lambda c: c.commercial_partner_id != commercial or c == commercial)

    def _premeeting_held(self, now):
        """A development visit is made after its pre-visit discussion meeting, attended by
        the visit's people, has ended; other visits need none."""
        self.ensure_one()
        meeting = self.premeeting_event_id
        return self.visit_type != 'development' or bool(
            meeting and meeting.stop <= now and self._premeeting_attended())

    def _premeeting_attended(self):
        """Whether the leader or a visitor attends the pre-visit meeting; read with sudo, the
        meeting may be private to the visit's other people."""
        self.ensure_one()
        visit_sudo = self.sudo()
        people = (visit_sudo.user_id | visit_sudo.visitor_ids).partner_id
        return bool(visit_sudo.premeeting_event_id.partner_ids & people)

    def _deduplicated(self):
        """These visits, each once: an RPC client may call an action on [id, id], and what an
        action creates (an event, a follow-up) must be created once per visit."""
        return self.browse(dict.fromkeys(self.ids))

    def _prepare_lead_vals(self):
        self.ensure_one()
        return {
            'name': self.env._("Opportunity from %(visit)s", visit=self.name),
            'type': 'opportunity',
            'partner_id': (self.contact_id or self.partner_id).id,
            'user_id': self.user_id.id,
            'team_id': self.user_id.sale_team_id.id,
            'company_id': self.company_id.id,
            'source_id': self.env.ref('kam_key_account.utm_source_kam_visit').id,
            'kam_visit_id': self.id,
            'description': self.latest_info,
        }

    def _supervisors(self):
        """The leader of the visit leader's sales team, else the company's KAM Supervisors."""
        self.ensure_one()
        leader = self.user_id.sale_team_id.user_id
        if leader and leader != self.user_id:
            return leader
        supervisors = self.env.ref('kam_key_account.group_kam_supervisor').user_ids
        return supervisors.filtered(lambda u: self.company_id in u.company_ids) - self.user_id

    def _notify_supervisors(self, body):
        """An internal note to the supervisors only: a comment would mail every follower,
        the customer contacts who follow the visit included."""
        for visit in self:
            visit.message_post(body=body, partner_ids=visit._supervisors().partner_id.ids,
                               subtype_xmlid='mail.mt_note')

    def _schedule_follow_up(self):
        """V11: listen to the customer again within a week: an activity on the account,
        which the Key Accounts kanban shows as overdue when it is late (`activity_schedule`,
        grouped per leader; a caller's `mail_activity_automation_skip` does not drop it)."""
        activity_type = 'mail.mail_activity_data_call' if self.env.ref(
            'mail.mail_activity_data_call', raise_if_not_found=False) else 'mail.mail_activity_data_todo'
        today = fields.Date.context_today(self)
        note = self.env._("Call or visit the customer again to hear their views (V11).")
        self.env['mail.activity'].with_context(mail_activity_automation_skip=False)._kam_schedule(activity_type, [
            (visit.partner_id, visit.user_id, today + timedelta(days=visit.company_id.kam_visit_followup_days),
             self.env._("Follow up the visit %(visit)s", visit=visit.name), note)
            for visit in self])
