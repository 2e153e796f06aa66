from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tools import clean_context, format_datetime, plaintext2html

# The service event writes its calendar entry: compared by identity, a JSON-RPC client
# cannot send it.
FROM_SERVICE = object()
SERVICE_SYNC_KEY = 'kam_service_sync'
# What the calendar entry and its service event share: the entry follows the service event,
# and a move on the calendar moves the service event (by those who may edit the request).
CALENDAR_SYNCED_FIELDS = {'start': 'start', 'stop': 'stop', 'location': 'location', 'name': 'name'}
# What the account's service team may change on the calendar entry without the right to edit
# the request: when and where (a drag or a resize on the calendar), not who nor what.
CALENDAR_MOVE_FIELDS = frozenset({
    'start', 'stop', 'start_date', 'stop_date', 'duration', 'allday', 'location',
})

EVENT_STATES = [
    ('planned', 'Planned'),
    ('done', 'Done'),
    ('cancelled', 'Cancelled'),
]
SATISFACTION = [
    ('0', 'Not Rated'),
    ('1', 'Dissatisfied'),
    ('2', 'Neutral'),
    ('3', 'Satisfied'),
    ('4', 'Very Satisfied'),
]


class KamServiceEvent(models.Model):
    """An event carrying out a service request with the customer (R5): a technical
    seminar, an industry exchange, a customer appreciation, a launch invitation...

    ================== ======================================================================
    Who                What
    ================== ======================================================================
    request's writers  plan the events of a request (date, place, the account's contacts
                       chosen per event, other partners such as third-party bodies or
                       industry associations, the team), record their outcome, actual cost
                       and the customer's satisfaction, mark them done or cancel them
    approval engine    puts the planned events on the calendar once the request is approved,
                       with every invitee; an event planned later goes on the calendar at once
    customers          are invited (and mailed) only once the request is approved; the
                       calendar event is private and carries only the account's name and
                       the request's reference (the privacy rule of visit events)
    the service team   moves the calendar entry (date, time, place): its service event
                       follows, and the request's chatter says who moved it
    nobody             plans an event without a date, invites as "contacts" people of another
                       account or partners of another company, enters a negative actual
                       cost, writes the calendar link, the account or the company (its
                       request's), moves an event to another request, creates an event
                       other than planned or changes a done or cancelled one, marks one
                       done before its request is approved, adds one to a done request,
                       plans an event for a service its request does not ask for
    ================== ======================================================================
    """
    _name = 'kam.service.event'
    _description = 'Key-Account Service Event'
    _order = 'start, id'
    _check_company_auto = True

    request_id = fields.Many2one('kam.service.request', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='request_id.company_id', store=True, index=True)
    partner_id = fields.Many2one(related='request_id.partner_id', string='Account', store=True, index=True)
    currency_id = fields.Many2one(related='request_id.currency_id')
    type_id = fields.Many2one(
        'kam.service.type', 'Service', required=True, domain=[('implementation', '=', 'event')], check_company=True)
    event_kind = fields.Selection(related='type_id.event_kind', store=True)
    name = fields.Char('Title', required=True)
    start = fields.Datetime()
    stop = fields.Datetime()
    location = fields.Char()
    contact_ids = fields.Many2many(
        'res.partner', 'kam_service_event_contact_rel', 'event_id', 'partner_id', "Account's Contacts",
        check_company=True,
        domain="[('parent_id', '=', partner_id), ('is_company', '=', False)]",
        help="The account's people invited, chosen per event (its technical heads for a seminar...).")
    other_partner_ids = fields.Many2many(
        'res.partner', 'kam_service_event_other_rel', 'event_id', 'partner_id', 'Other Invitees',
        check_company=True,
        help="Third-party bodies, industry associations...")
    invite_team = fields.Boolean('Invite the Service Team', default=True)
    state = fields.Selection(EVENT_STATES, required=True, default='planned', index=True, copy=False, readonly=True)
    outcome = fields.Text(copy=False)
    actual_cost = fields.Monetary(copy=False)
    satisfaction = fields.Selection(SATISFACTION, 'Customer Satisfaction', default='0', copy=False)
    calendar_event_id = fields.Many2one('calendar.event', readonly=True, copy=False, index='btree_not_null')

    _positive_cost = models.Constraint(
        'CHECK(actual_cost >= 0)', "The actual cost of a service event cannot be negative.")

    @api.constrains('start', 'stop')
    def _check_dates(self):
        for event in self:
            if not event.start:
                raise ValidationError(self.env._(
                    "The event %(event)s needs a date: when is it held?", event=event.name))
            if event.stop and event.stop < event.start:
                raise ValidationError(self.env._(
                    "The event %(event)s cannot end before it starts.", event=event.name))

    @api.constrains('state', 'outcome')
    def _check_outcome(self):
        for event in self:
            if event.state == 'done' and not (event.outcome or '').strip():
                raise ValidationError(self.env._(
                    "Record the outcome of %(event)s before marking it done.", event=event.name))

    @api.constrains('type_id', 'request_id')
    def _check_type_of_request(self):
        """An event carries out one of its request's services, one carried out as an event
        (also checked by the request when its services change)."""
        for event in self:
            if event.type_id.implementation != 'event':
                raise ValidationError(self.env._(
                    "%(service)s is carried out as a task of a team member, not as an event: %(event)s needs "
                    "a service held as an event.", service=event.type_id.name, event=event.name))
            if event.type_id not in event.request_id.type_ids:
                raise ValidationError(self.env._(
                    "The events of %(request)s carry out its own services: add %(types)s to the request first.",
                    request=event.request_id.name, types=event.type_id.name))

    @api.constrains('contact_ids', 'request_id')
    def _check_contacts_of_account(self):
        for event in self:
            account = event.request_id.partner_id.commercial_partner_id
            if any(contact.commercial_partner_id != account for contact in event.contact_ids):
                raise ValidationError(self.env._(
                    "The contacts invited to %(event)s must be people of the account: invite others as "
                    "other invitees.", event=event.name))

    # ------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            if any(vals.get('calendar_event_id') for vals in vals_list) or 'default_calendar_event_id' in self.env.context:
                raise UserError(self._kam_link_error())
            if any(vals.get('state', self.env.context.get('default_state', 'planned')) != 'planned'
                   for vals in vals_list):
                raise UserError(self.env._(
                    "A service event is created planned: record that it was held (Done) or cancelled on it "
                    "afterwards."))
        # The account, the company and the kind come from the request and the service: a value
        # or a default_* key of the context would pin them.
        copies = self._kam_request_copies()
        vals_list = [{key: value for key, value in vals.items() if key not in copies} for vals in vals_list]
        self = self.with_context({  # noqa: PLW0642  # pylint: disable=context-overridden
            key: value for key, value in self.env.context.items()
            if not (key.startswith('default_') and key.removeprefix('default_') in copies)})
        events = super().create(vals_list)
        events._check_request_writable()
        done = events.request_id.filtered(lambda r: r.stage_code == 'done')[:1]
        if done and not self.env.su:
            raise UserError(self.env._(
                "%(request)s is done: it takes no new event. Request the service again.", request=done.display_name))
        events.filtered(lambda e: e.state == 'planned' and e.request_id._kam_is_approved()) \
            ._kam_create_calendar_events()
        return events

    def write(self, vals):
        if not self.env.su:
            if 'calendar_event_id' in vals:
                raise UserError(self._kam_link_error())
            if self._kam_request_copies() & vals.keys():
                raise AccessError(self.env._(
                    "The account, the company and the kind of a service event are its request's and its "
                    "service's: change them there."))
            if 'request_id' in vals:
                self._check_same_request(vals['request_id'])
            if 'state' in vals:
                self._check_state_change(vals['state'])
        self._check_request_writable()
        result = super().write(vals)
        if {'name', 'start', 'stop', 'location', 'contact_ids', 'other_partner_ids', 'invite_team'} & vals.keys() \
                and self.env.context.get(SERVICE_SYNC_KEY) is not FROM_SERVICE:
            # A draft revision's changes reach the calendar (and the customers) with its approval.
            self.filtered(lambda e: e.request_id._kam_is_approved())._kam_sync_calendar_events()
        if vals.get('state') == 'cancelled':
            self.calendar_event_id.sudo().with_context(**{SERVICE_SYNC_KEY: FROM_SERVICE}).unlink()
        return result

    def _kam_request_copies(self):
        """The stored related fields copied from the request and the service."""
        return {name for name, field in self._fields.items() if field.related and field.store and not field.inverse}

    def _check_same_request(self, request_id):
        """An event stays on its request: moved to another one, an approved request's event
        would keep its calendar entry and its invited customers."""
        moved = self.filtered(lambda e: e.request_id.id != request_id)[:1]
        if moved:
            raise UserError(self.env._(
                "%(event)s belongs to %(request)s: plan a new event on the other request instead.",
                event=moved.name, request=moved.request_id.display_name))

    def _check_state_change(self, state):
        """Planned → Done (with its outcome) or Cancelled; Done and Cancelled are final (a
        cancelled event's calendar entry is gone, a done one may close its request)."""
        final = self.filtered(lambda e: e.state != 'planned' and e.state != state)[:1]
        if final:
            raise UserError(self.env._(
                "%(event)s is %(state)s: it stays so. Plan a new event instead.",
                event=final.name, state=dict(final._fields['state']._description_selection(self.env))[final.state]))
        # Held before the approval, an event would never have been on the calendar.
        early = self.filtered(lambda e: state == 'done' and not e.request_id._kam_is_approved())[:1]
        if early:
            raise UserError(self.env._(
                "%(event)s is held once %(request)s is approved: until then, it is only planned.",
                event=early.name, request=early.request_id.display_name))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_request_not_writable(self):
        self._check_request_writable()

    def unlink(self):
        calendar_events = self.calendar_event_id
        result = super().unlink()
        calendar_events.sudo().with_context(**{SERVICE_SYNC_KEY: FROM_SERVICE}).unlink()
        return result

    # ------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------

    def action_done(self):
        for event in self:
            if not (event.outcome or '').strip():
                raise UserError(self.env._(
                    "Record the outcome of %(event)s before marking it done.", event=event.name))
        self.write({'state': 'done'})

    def action_cancel(self):
        self.filtered(lambda e: e.state == 'planned').write({'state': 'cancelled'})

    # ------------------------------------------------------------------------------------
    # The calendar (R5)
    # ------------------------------------------------------------------------------------

    def _check_request_writable(self):
        """An event is part of its request: only those who may write the request plan it,
        and change it on the calendar (the service team only moves it there, see
        `_check_can_change_calendar`); not on an obsolete version (history, as the request's
        own form says)."""
        requests = self.request_id
        if requests and not self.env.su:
            for request in requests:
                if not request.has_access('write'):
                    raise AccessError(self.env._(
                        "Only those who may edit the service request %(request)s plan and move its events: "
                        "ask %(owner)s to change it.",
                        request=request.sudo().display_name, owner=request.sudo().user_id.name or ''))
            requests._check_not_obsolete()

    def _kam_invitees(self):
        """The chosen contacts, the other invitees and, if asked, the team. Customers are
        invited once the request is approved: only then do these events exist."""
        self.ensure_one()
        partners = self.contact_ids | self.other_partner_ids
        if self.invite_team:
            partners |= self.request_id._kam_team_partners()
        return partners

    def _kam_calendar_vals(self):
        """Nothing internal: the invitation reaches the customer (no content, cost or needs)."""
        self.ensure_one()
        request = self.request_id
        stop = self.stop or self.start + timedelta(hours=2)
        return {
            'name': self.name,
            'description': plaintext2html(self.env._(
                "%(kind)s with %(account)s (%(reference)s)",
                kind=self.type_id.name, account=request.partner_id.name, reference=request.name)),
            'start': self.start,
            'stop': stop,
            'duration': (stop - self.start).total_seconds() / 3600,
            'location': self.location,
            'partner_ids': [Command.set(self._kam_invitees().ids)],
        }

    def _kam_create_calendar_events(self):
        events = self.filtered(lambda e: not e.calendar_event_id and e.start)
        if not events:
            return
        context = clean_context({**self.env.context, 'mail_create_nolog': True})
        CalendarEvent = self.env['calendar.event'].sudo().with_context(context)  # pylint: disable=context-overridden
        calendar_events = CalendarEvent.with_context(**{SERVICE_SYNC_KEY: FROM_SERVICE}).create([{
            **event._kam_calendar_vals(),
            'user_id': event.request_id.user_id.id,
            'privacy': 'private',
            'res_model_id': self.env['ir.model']._get_id('kam.service.request'),
            'res_id': event.request_id.id,
        } for event in events])
        for event, calendar_event in zip(events, calendar_events):
            event.sudo().calendar_event_id = calendar_event

    def _kam_sync_calendar_events(self):
        for event in self.filtered(lambda e: e.calendar_event_id and e.state == 'planned'):
            event.calendar_event_id.sudo().with_context(**{SERVICE_SYNC_KEY: FROM_SERVICE}).write(
                event._kam_calendar_vals())

    def _check_can_change_calendar(self, fnames):
        """Who changes the calendar entries of these events: those who may edit their
        requests; and, to move them (when and where, `CALENDAR_MOVE_FIELDS`), the members of
        the accounts' service teams, who are invited but may not edit the request (a
        technician without a Key Accounts role), and the organiser (the applicant). The calendar's own rules come on top: a
        private entry is written by its attendees only.

        Returns whether the change is such a team member's move: the caller writes the
        entry with sudo then (its meeting activity on the request is the applicant's)."""
        requests = self.request_id
        if self.env.su or requests._filtered_access('write') == requests:
            return False
        if not set(fnames) - CALENDAR_MOVE_FIELDS and self._kam_on_team(self.env.user):
            return True
        self._check_request_writable()
        return False

    def _check_calendar_entry_kept(self):
        """A planned event keeps its calendar entry: deleted or archived on the calendar, the
        event would stay planned with its customers left uninformed. Cancelling the event
        removes the entry (and tells the invitees)."""
        planned = self.filtered(lambda e: e.state == 'planned')[:1]
        if planned and not self.env.su:
            raise UserError(self.env._(
                "%(event)s is still planned on %(request)s: cancel the event there, its calendar entry goes with it.",
                event=planned.name, request=planned.request_id.display_name))

    def _kam_on_team(self, user):
        """Whether `user` is on the service team of the account of each of these events, or
        its request's applicant (the calendar entries' organiser)."""
        return all(user in event.request_id.team_user_ids | event.request_id.user_id for event in self.sudo())

    def _kam_calendar_moved(self, calendar_events):
        """A calendar entry was moved or renamed on the calendar: its service event follows,
        written with the mover's rights; a team member who may not edit the request moved it
        (checked by `_check_can_change_calendar`): written with sudo, and said on the request."""
        writable = self.request_id._filtered_access('write') if not self.env.su else self.request_id
        for event in self.filtered(lambda e: e.state == 'planned'):
            entry = calendar_events.filtered(lambda c, e=event: c == e.calendar_event_id).sudo()
            changes = {name: entry[field] for name, field in CALENDAR_SYNCED_FIELDS.items() if event[name] != entry[field]}
            if not changes:
                continue
            writer = event if event.request_id in writable else event.sudo()
            writer.with_context(**{SERVICE_SYNC_KEY: FROM_SERVICE}).write(changes)
            event.request_id.sudo().message_post(body=self.env._(
                "%(user)s moved %(event)s on the calendar: %(when)s, %(where)s.",
                user=self.env.user.name, event=event.name,
                when=format_datetime(self.env, event.start, dt_format='short'),
                where=event.location or self.env._("no place given")), subtype_xmlid='mail.mt_note')

    def _kam_link_error(self):
        return self.env._("The calendar event of a service event is put on the calendar by the request's approval.")
