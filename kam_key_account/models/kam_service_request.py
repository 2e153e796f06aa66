from collections import defaultdict
from datetime import datetime, time, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Command

from .kam_assigned_line import OPEN_STATES
from .kam_process_mixin import act_as
from .kam_service_event import FROM_SERVICE, SERVICE_SYNC_KEY

WARRANTY_KINDS = [
    ('limited', 'Limited'),
    ('onsite', 'On-Site'),
    ('full', 'Full'),
]


class KamServiceRequest(models.Model):
    """A key-account service and support request (大客户服务与支持申请表, R3-R5), a
    controlled document.

    ================== ======================================================================
    Who                What
    ================== ======================================================================
    KAM User           requests services for the accounts they manage or serve on (R3):
                       types, content, estimated cost, requested date, customer
                       information; plans its events; requests approval; once approved,
                       starts it, records the events' outcome, actual cost and satisfaction
    KAM Supervisor     reads every request, reviews it at the first step (审核意见)
    KAM Manager        approves it at the second step (审批意见)
    GM or marketing VP approves, as a third step, the requests with a type of special payment
                       terms (the company's Marketing VP user or group, else the General
                       Managers)
    approval engine    Under Review → Approved; at approval the events go on the calendar
                       with their invitees (customers are invited only then) and each task
                       type becomes a task of the team member holding its role
    team members       follow the account's requests; one without a Key Accounts role reads
                       the account's requests (not their customer information, nor on the
                       printed form), does the tasks that are theirs (participant,
                       kam.assigned.line) and moves the events' calendar entries
    New Revision       carries the planned events and their calendar entries (what the
                       draft changes reaches the calendar with its approval); approved, the
                       revision cancels the replaced version's events left planned and
                       takes over its tasks
    every route        Done needs every event and task done (actual vs. estimated cost)
    nobody             writes the special payment terms flag, the costs' totals or the
                       approval lead time; enters a negative cost or warranty; requests
                       approval without the details its types require, or with a task type
                       whose role nobody on the team holds; delivers to another account's
                       address
    ================== ======================================================================
    """
    _name = 'kam.service.request'
    _description = 'Key-Account Service Request'
    _inherit = ['kam.controlled.document.mixin']
    _order = 'id desc'
    _kam_process = 'service'
    _kam_sequence_code = 'kam.service.request'
    _kam_approval_subtypes = {
        'requested': 'kam_key_account.mt_kam_service_request_approval_requested',
        'step_approved': 'kam_key_account.mt_kam_service_request_approval_step_approved',
        'approved': 'kam_key_account.mt_kam_service_request_approval_approved',
        'rejected': 'kam_key_account.mt_kam_service_request_approval_rejected',
        'reset': 'kam_key_account.mt_kam_service_request_approval_reset',
        'escalated': 'kam_key_account.mt_kam_service_request_approval_escalated',
    }
    _kam_partner_count_field = 'kam_service_request_count'
    _kam_action = 'kam_key_account.kam_service_request_action'
    _kam_report = 'kam_key_account.action_report_kam_service_request'
    # What the reviewers approved, and what chose them (the GM/VP step follows the types).
    _approval_relevant_fields = (
        'partner_id', 'user_id', 'company_id', 'type_ids', 'estimated_cost', 'content', 'payment_terms',
        'warranty_years', 'warranty_kind', 'special_region', 'delivery_address_id')
    # Draft → (Request Approval) Under Review → (engine) Approved → In Progress → Done;
    # Refused by the engine, back to Draft to be amended.
    _kam_transitions = {
        'draft': (),
        'review': ('draft',),
        'approved': ('progress',),
        'progress': ('done',),
        'done': (),
        'refused': ('draft',),
    }
    _kam_stage_verbs = {'progress': 'start', 'done': 'finish'}
    _kam_engine_fields = ('done_date',)
    # R5 happens after the approval: carrying it out is not the approved content.
    _kam_uncontrolled_fields = ('event_ids', 'task_ids')

    partner_id = fields.Many2one(string='Account')
    user_id = fields.Many2one(string='Applicant', required=True)
    request_date = fields.Date(
        'Application Date', required=True, default=fields.Date.context_today, tracking=True)
    previous_revision_id = fields.Many2one('kam.service.request', readonly=True, copy=False)
    # R3 the service or support asked for
    type_ids = fields.Many2many(
        'kam.service.type', string='Services', required=True, check_company=True, tracking=True)
    content = fields.Text('Support Content', required=True, help="What is asked for, for whom, and why.")
    estimated_cost = fields.Monetary(tracking=True)
    requested_date = fields.Date('Wanted By', help="When the customer needs the service.")
    # Details some types require (R2)
    requires_warranty = fields.Boolean(compute='_compute_requirements')
    requires_region = fields.Boolean(compute='_compute_requirements')
    requires_delivery_address = fields.Boolean(compute='_compute_requirements')
    requires_payment_terms = fields.Boolean(compute='_compute_requirements')
    special_payment_terms = fields.Boolean(
        compute='_compute_special_payment_terms', store=True, index=True,
        help="A chosen type has special payment terms: the General Manager or the marketing VP approves too.")
    warranty_years = fields.Integer()
    warranty_kind = fields.Selection(WARRANTY_KINDS)
    special_region = fields.Char()
    delivery_address_id = fields.Many2one(
        'res.partner', check_company=True,
        domain="[('commercial_partner_id', '=', partner_id)]")
    payment_terms = fields.Text()
    # R3 customer information (internal)
    deeper_needs = fields.Text(groups='kam_key_account.group_kam_user')
    changing_needs = fields.Text(groups='kam_key_account.group_kam_user')
    organisation = fields.Text(groups='kam_key_account.group_kam_user')
    perception_changes = fields.Text('Changes in Perception', groups='kam_key_account.group_kam_user')
    # R5 implementation
    # Not copied: a new revision carries the planned ones itself (_do_new_revision).
    event_ids = fields.One2many('kam.service.event', 'request_id', 'Events', copy=False)
    task_ids = fields.One2many('kam.service.task', 'request_id', 'Tasks', copy=False)
    event_count = fields.Integer(compute='_compute_progress')
    task_count = fields.Integer(compute='_compute_progress')
    open_count = fields.Integer('Still to Do', compute='_compute_progress')
    actual_cost = fields.Monetary(compute='_compute_actual_cost', store=True)
    cost_variance = fields.Monetary(
        compute='_compute_actual_cost', store=True, help="Actual minus estimated cost.")
    team_user_ids = fields.Many2many('res.users', compute='_compute_team_user_ids', string='Service Team')
    approval_lead_days = fields.Integer(
        'Approval Lead Time (days)', compute='_compute_approval_lead_days', store=True, aggregator='avg')
    done_date = fields.Date(readonly=True, copy=False)

    _positive_amounts = models.Constraint(
        'CHECK(estimated_cost >= 0 AND warranty_years >= 0)',
        "The estimated cost and the warranty years of a service request cannot be negative.")

    @api.depends('type_ids')
    def _compute_requirements(self):
        for request in self:
            types = request.type_ids
            request.requires_warranty = any(types.mapped('requires_warranty'))
            request.requires_region = any(types.mapped('requires_region'))
            request.requires_delivery_address = any(types.mapped('requires_delivery_address'))
            request.requires_payment_terms = any(types.mapped('requires_payment_terms') + types.mapped(
                'special_payment_terms'))

    @api.depends('type_ids.special_payment_terms')
    def _compute_special_payment_terms(self):
        for request in self:
            request.special_payment_terms = any(request.type_ids.mapped('special_payment_terms'))

    @api.depends('event_ids.state', 'task_ids.state')
    def _compute_progress(self):
        for request in self:
            request.event_count = len(request.event_ids)
            request.task_count = len(request.task_ids)
            request.open_count = len(request.event_ids.filtered(lambda e: e.state == 'planned')) + len(
                request.task_ids.filtered(lambda t: t.state != 'done'))

    @api.depends('event_ids.actual_cost', 'event_ids.state', 'task_ids.actual_cost', 'estimated_cost')
    def _compute_actual_cost(self):
        for request in self:
            events = request.event_ids.filtered(lambda e: e.state != 'cancelled')
            request.actual_cost = sum(events.mapped('actual_cost')) + sum(request.task_ids.mapped('actual_cost'))
            request.cost_variance = request.actual_cost - request.estimated_cost

    @api.depends('partner_id')
    def _compute_team_user_ids(self):
        members = self.env['kam.service.team.member'].sudo().search(
            [('partner_id', 'in', self.partner_id.commercial_partner_id.ids)])
        by_partner = members.grouped('partner_id')
        for request in self:
            team = by_partner.get(request.partner_id.commercial_partner_id, members.browse())
            request.team_user_ids = team.user_id

    @api.depends('prepared_date', 'approved_date')
    def _compute_approval_lead_days(self):
        for request in self:
            request.approval_lead_days = (request.approved_date - request.prepared_date).days \
                if request.prepared_date and request.approved_date else 0

    # ------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        requests = super().create(vals_list)
        requests._kam_subscribe_team()
        return requests

    def write(self, vals):
        former_teams = {}
        if 'partner_id' in vals:
            former_teams = {request: request.partner_id.sudo().kam_service_member_ids.user_id for request in self}
        result = super().write(vals)
        if 'partner_id' in vals:
            self._kam_unsubscribe_former_team(former_teams)
            self._kam_subscribe_team()
        return result

    def unlink(self):
        calendar_events = self.event_ids.calendar_event_id
        result = super().unlink()
        # The events go with their request (a cascade in SQL): their calendar entries too.
        calendar_events.sudo().unlink()
        return result

    def _kam_unsubscribe_former_team(self, former_teams):
        """A request moved to another account leaves the former team's members (unless they
        are on the new team too, or the request is theirs): one unsubscribe per group."""
        leaving = defaultdict(self.browse)
        for request, users in former_teams.items():
            users -= request.partner_id.sudo().kam_service_member_ids.user_id | request.user_id
            if users:
                leaving[users] |= request
        for users, requests in leaving.items():
            requests.message_unsubscribe(partner_ids=users.partner_id.ids)

    def _kam_subscribe_team(self):
        """The account's service team follows its requests (one subscribe per account)."""
        members = self.env['kam.service.team.member'].sudo().search([('partner_id', 'in', self.partner_id.ids)])
        for partner, requests in self.grouped('partner_id').items():
            partners = members.filtered(lambda m, p=partner: m.partner_id == p).user_id.partner_id
            if partners:
                requests.message_subscribe(partner_ids=partners.ids)

    # ------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------

    def action_start(self):
        return self._kam_move_to('progress')

    def action_finish(self):
        return self._kam_move_to('done')

    def action_open_events(self):
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id('kam_key_account.kam_service_event_action')
        action.update(domain=[('request_id', '=', self.id)], context={'default_request_id': self.id})
        return action

    def _check_can_start(self):
        self.check_access('write')

    def _check_can_finish(self):
        self.check_access('write')
        for request in self:
            if request.open_count:
                raise UserError(self.env._(
                    "%(request)s is done once all its events and tasks are done: %(count)s still to do.",
                    request=request.display_name, count=request.open_count))

    def _do_finish(self, stage):
        self._kam_write_stage(stage)
        self._kam_engine_write({'done_date': fields.Date.context_today(self)})
        for request in self:
            request.message_post(body=self.env._(
                "Done: actual cost %(actual)s against %(estimated)s estimated.",
                actual=request.actual_cost, estimated=request.estimated_cost), subtype_xmlid='mail.mt_note')

    # ------------------------------------------------------------------------------------
    # Approval engine hooks
    # ------------------------------------------------------------------------------------

    def _check_approval_ready(self):
        for request in self:
            missing = []
            if request.requires_warranty and not (request.warranty_years and request.warranty_kind):
                missing.append(self.env._("the warranty years and kind"))
            if request.requires_region and not request.special_region:
                missing.append(self.env._("the special region"))
            if request.requires_delivery_address and not request.delivery_address_id:
                missing.append(self.env._("the delivery address"))
            if request.requires_payment_terms and not (request.payment_terms or '').strip():
                missing.append(self.env._("the payment terms"))
            if missing:
                raise UserError(self.env._(
                    "%(request)s needs %(details)s before approval is requested.",
                    request=request.display_name, details=", ".join(missing)))
        self._kam_task_responsibles()

    def _kam_task_responsibles(self):
        """{(request, type): the team member holding the type's role} for the task types of
        these requests; a role nobody on the team holds is an error (one team query)."""
        members = self.env['kam.service.team.member'].sudo().search(
            [('partner_id', 'in', self.partner_id.commercial_partner_id.ids)])
        responsibles = {}
        for request in self:
            team = members.filtered(lambda m, p=request.partner_id.commercial_partner_id: m.partner_id == p)
            for service_type in request.type_ids.filtered(lambda t: t.implementation == 'task'):
                holder = team.filtered(lambda m, t=service_type: m.role == t.responsible_role)[:1]
                if not holder:
                    role = dict(self.env['kam.service.type']._fields['responsible_role']._description_selection(
                        self.env))[service_type.responsible_role]
                    raise UserError(self.env._(
                        "Nobody on the service team of %(account)s holds the role %(role)s, which carries out "
                        "%(service)s: add a team member with that role first.",
                        account=request.partner_id.display_name, role=role, service=service_type.name))
                responsibles[request, service_type] = holder.user_id
        return responsibles

    def _on_approval_approved(self):
        """R5: the events go on the calendar with their invitees, the task types become the
        tasks of the team members holding their roles."""
        result = super()._on_approval_approved()
        self._kam_take_over_previous_revision()
        responsibles = {
            (request, service_type): user
            for (request, service_type), user in self._kam_task_responsibles().items()
            if service_type not in request.task_ids.type_id}
        self.env['kam.service.task'].sudo().create([{
            'request_id': request.id,
            'type_id': service_type.id,
            'responsible_id': user.id,
            'description': f"{service_type.name}: {request.content}",
            'due_date': request.requested_date or fields.Date.context_today(self),
        } for (request, service_type), user in responsibles.items()])
        planned = self.event_ids.filtered(lambda e: e.state == 'planned')
        # A revision's events carry their entries: what the revision changed reaches them now.
        planned._kam_sync_calendar_events()
        planned._kam_create_calendar_events()
        return result

    def _kam_take_over_previous_revision(self):
        """An approved revision replaces the version before it: that version's events left
        planned are cancelled (the revision carries their copies and calendar entries, see
        `_do_new_revision`), the tasks of the services the revision keeps move to it (open or
        done: no service is done twice; their reminders move along), the open tasks of the
        services it drops go."""
        for request in self.filtered('previous_revision_id'):
            previous = request.previous_revision_id.sudo()
            previous.event_ids.filtered(lambda e: e.state == 'planned').action_cancel()
            kept = previous.task_ids.filtered(lambda t, r=request: t.type_id in r.type_ids)
            kept.write({'request_id': request.id})
            (previous.task_ids - kept).filtered(lambda t: t.state in OPEN_STATES).unlink()

    def _check_lines_writable(self):
        """A task created on, moved onto or away from a request is a write on that request
        (an obsolete version's lines are history)."""
        if not self.env.su:
            self.check_access('write')
            self._check_not_obsolete()

    def _check_not_obsolete(self):
        """Nothing of an obsolete version changes, its events and tasks written on their own
        included (the controlled document's rule for the version itself)."""
        self.filtered(lambda r: r.control_state == 'obsolete')[:1]._check_controlled_write({'event_ids': True})

    def _kam_is_approved(self):
        return self.approval_state == 'approved'

    @api.constrains('delivery_address_id', 'partner_id')
    def _check_delivery_address(self):
        for request in self.filtered('delivery_address_id'):
            if request.delivery_address_id.commercial_partner_id != request.partner_id.commercial_partner_id:
                raise ValidationError(self.env._(
                    "The delivery address of %(request)s must be one of %(account)s's addresses.",
                    request=request.display_name, account=request.partner_id.display_name))

    @api.constrains('event_ids', 'type_ids')
    def _check_event_types(self):
        for request in self:
            strays = request.event_ids.type_id - request.type_ids
            if strays:
                raise ValidationError(self.env._(
                    "The events of %(request)s carry out its own services: add %(types)s to the request first.",
                    request=request.name, types=", ".join(strays.mapped('name'))))

    def _do_new_revision(self):
        """A new revision carries the events still planned: copies on the revision, their
        calendar entries moving with them (the customer's invitation stays one entry, not a
        second one at the revision's approval). Held and cancelled events stay with the
        version they belong to, as its record."""
        revisions = super()._do_new_revision()
        for document, revision in zip(self, revisions):
            planned = document.event_ids.filtered(lambda e: e.state == 'planned')
            if not planned:
                continue
            copies = planned.copy({'request_id': revision.id})
            for event, copy in zip(planned, copies):
                entry = event.calendar_event_id
                if entry:
                    event.sudo().calendar_event_id = False
                    copy.sudo().calendar_event_id = entry
                    entry.sudo().with_context(**{SERVICE_SYNC_KEY: FROM_SERVICE}).res_id = revision.id
            copies._kam_sync_calendar_events()
        return revisions

    def _kam_report_customer_information(self):
        """The customer information (internal fields) for the printed form: for Key Accounts
        users and the archivists (who keep the whole document), not for a team member without
        a Key Accounts role, who reads the request but not these fields (None)."""
        self.ensure_one()
        user = self.env.user
        if not (self.env.su or user.has_group('kam_key_account.group_kam_user')
                or user.has_group('kam_key_account.group_kam_archivist')):
            return None
        record = self.sudo()
        return {name: record[name] or '' for name in (
            'deeper_needs', 'changing_needs', 'organisation', 'perception_changes')}

    def _kam_team_partners(self):
        self.ensure_one()
        return (self.team_user_ids | self.user_id).partner_id

    # ------------------------------------------------------------------------------------
    # Demo data
    # ------------------------------------------------------------------------------------

    @api.model
    def _kam_demo_load(self):
        """Demo: a service team on every key account, then requests in every stage, each
        moved by the users who would act (the approval engine's real steps)."""
        ref = self.env.ref
        li, emma = ref('kam_key_account.kam_user_li'), ref('kam_key_account.kam_user_emma')
        supervisor, manager, gm = (ref(f'kam_key_account.{xmlid}') for xmlid in ('kam_supervisor', 'kam_manager', 'kam_gm'))
        # An employee without a Key Accounts role does the technical tasks (a participant).
        technician = ref('base.user_demo', raise_if_not_found=False) or emma
        accounts = self.env['res.partner'].search(
            [('kam_is_key_account', '=', True), ('is_company', '=', True), ('kam_manager_id', '!=', False)], order='id')
        existing = {(m.partner_id, m.role) for m in self.env['kam.service.team.member'].search(
            [('partner_id', 'in', accounts.ids)])}
        self.env['kam.service.team.member'].create([
            {'partner_id': account.id, 'user_id': user.id, 'role': role}
            for account in accounts
            for role, user in (('sales', account.kam_manager_id), ('marketing', emma if account.kam_manager_id != emma else li),
                               ('technical', technician), ('finance', supervisor), ('training', li))
            if (account, role) not in existing])
        if len(accounts) < 2:
            return
        types = {code: ref(f'kam_key_account.kam_service_type_{code}') for code in (
            'seminar', 'payment_terms', 'training', 'appreciation', 'door_delivery', 'custom_products')}
        today = fields.Date.context_today(self)
        when = datetime.combine(today + timedelta(days=14), time(2, 0))

        def new(account, kinds, content, cost, **values):
            applicant = account.kam_manager_id
            return act_as(self, applicant).create({
                'partner_id': account.id, 'type_ids': [Command.set([types[k].id for k in kinds])],
                'content': content, 'estimated_cost': cost, 'requested_date': today + timedelta(days=30),
                'deeper_needs': "Lower total cost of ownership of their production lines.",
                'organisation': "A new technical director since spring.",
                **values})

        def contacts(account):
            return account.child_ids.filtered(lambda c: not c.is_company)

        first, second = accounts[0], accounts[1]
        # Draft
        new(first, ['training'], "Operator training on the new servo drives.", 8000)
        # Under review
        new(second, ['custom_products'], "Custom flange for their packaging line.", 20000).action_request_approval()
        # Approved with special payment terms: supervisor, manager, then the General Manager
        seminar = new(first, ['seminar', 'payment_terms'], "Technical seminar on energy savings, with 90-day payment terms "
                      "for the pilot order.", 30000, payment_terms="90 days end of month for the pilot order.",
                      event_ids=[Command.create({
                          'name': "Energy-saving technical seminar", 'type_id': types['seminar'].id,
                          'start': when, 'stop': when + timedelta(hours=3), 'location': "Customer's training centre",
                          'contact_ids': [Command.set(contacts(first).ids[:2])]})])
        seminar.action_request_approval()
        act_as(seminar, supervisor).action_approve()
        act_as(seminar, manager).action_approve()
        act_as(seminar, gm).action_approve()
        # In progress
        appreciation = new(second, ['appreciation'], "Customer appreciation dinner after the annual review.", 12000,
                           event_ids=[Command.create({
                               'name': "Annual appreciation dinner", 'type_id': types['appreciation'].id,
                               'start': when + timedelta(days=7), 'contact_ids': [Command.set(contacts(second).ids[:1])]})])
        appreciation.action_request_approval()
        act_as(appreciation, supervisor).action_approve()
        act_as(appreciation, manager).action_approve()
        appreciation.action_start()
        # Done: the event held, its outcome and cost recorded
        done = new(first, ['appreciation'], "Spring customer appreciation event.", 5000,
                   event_ids=[Command.create({
                       'name': "Spring appreciation", 'type_id': types['appreciation'].id,
                       'start': datetime.combine(today - timedelta(days=3), time(10, 0)),
                       'contact_ids': [Command.set(contacts(first).ids[:1])]})])
        done.action_request_approval()
        act_as(done, supervisor).action_approve()
        act_as(done, manager).action_approve()
        done.action_start()
        done.event_ids.write({'outcome': "Warm feedback; two new projects mentioned.", 'actual_cost': 5600,
                              'satisfaction': '4'})
        done.event_ids.action_done()
        done.action_finish()
        # Refused
        refused = new(second, ['door_delivery'], "Free door-to-door delivery of every order.", 50000,
                      delivery_address_id=second.id)
        refused.action_request_approval()
        act_as(refused, supervisor)._approval_reject("Too costly for the volume: propose paid delivery instead.")
