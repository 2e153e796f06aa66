from odoo import api, fields, models
from odoo.exceptions import AccessError

from .kam_service_event import FROM_SERVICE, SERVICE_SYNC_KEY
from .kam_visit import (
    DONE_STAGES,
    EVENT_SYNCED_FIELDS,
    EVENT_WRITING,
    FROM_EVENT,
    FROM_VISIT,
    SYNC_KEY,
)

# What the visit decides about its event: only those who may edit the visit change these.
VISIT_OWNED_EVENT_FIELDS = frozenset({
    'name', 'description', 'privacy', 'user_id', 'partner_ids', 'attendee_ids', 'location',
    'start', 'stop', 'start_date', 'stop_date', 'duration', 'allday', 'active',
    'res_model_id', 'res_model', 'res_id', 'recurrency',
})


class CalendarEvent(models.Model):
    """The calendar side of a key-account visit (V3): what the attendees move on the
    calendar moves the visit, until the visit is done. The same for a service event (R5):
    the request's writers change its entry, the account's service team moves it (when and
    where), and the service event follows.

    Only the visit links an event to itself (`kam_visit_id` is written by the visit's
    actions, never by a client). An attendee who may not edit the visit can neither move
    nor delete its event. Employees without a Key Accounts role never see the link.
    """
    _inherit = 'calendar.event'

    # The service event this entry puts on the calendar (R5), set by the service event only.
    kam_service_event_ids = fields.One2many(
        'kam.service.event', 'calendar_event_id', 'Key-Account Service Event', readonly=True,
        groups='kam_key_account.group_kam_user')
    kam_visit_id = fields.Many2one(
        'kam.visit', 'Key-Account Visit', index='btree_not_null', ondelete='set null', readonly=True,
        copy=False, groups='kam_key_account.group_kam_user')

    @api.model_create_multi
    def create(self, vals_list):
        if self.env.context.get(SYNC_KEY) is not FROM_VISIT and (
                self.env.context.get('default_kam_visit_id') or any(vals.get('kam_visit_id') for vals in vals_list)):
            raise AccessError(self._kam_visit_link_error())
        return super().create(vals_list)

    def write(self, vals):
        sync = self.env.context.get(SYNC_KEY)
        if sync is FROM_VISIT or sync is EVENT_WRITING:
            return super().write(vals)
        service_events = self._kam_service_events(vals)
        team_move = service_events and service_events._check_can_change_calendar(vals.keys())
        if service_events and 'active' in vals and not vals['active']:
            service_events._check_calendar_entry_kept()
        if 'kam_visit_id' in vals:
            raise AccessError(self._kam_visit_link_error())
        if VISIT_OWNED_EVENT_FIELDS & vals.keys():
            self._kam_open_visits()._check_can_edit_event()
        # The calendar writes start, stop and all-day in several steps: sync once, at the end.
        writer = self
        if team_move:
            # A team member moves the entry (checked above), within the calendar's own rules.
            self.check_access('write')
            writer = self.sudo()
        result = super(CalendarEvent, writer.with_context(kam_sync=EVENT_WRITING)).write(vals)
        if set(EVENT_SYNCED_FIELDS.values()) & vals.keys():
            self._kam_sync_visits()
        if service_events:
            service_events._kam_calendar_moved(self)
        return result

    def unlink(self):
        if self.env.context.get(SYNC_KEY) is FROM_VISIT:
            return super().unlink()
        service_events = self._kam_service_events({'active': False})
        if service_events:
            service_events._check_request_writable()
            service_events._check_calendar_entry_kept()
        visits = self._kam_open_visits()
        visits._check_can_edit_event()
        result = super().unlink()
        if visits:
            visits._on_event_deleted()
        return result

    def _kam_service_events(self, vals):
        """The service events these entries carry when `vals` change what the service event
        decides (read with sudo: plain attendees may not read the link), in the caller's env;
        none for the service event's own writes."""
        if self.env.context.get(SERVICE_SYNC_KEY) is FROM_SERVICE or not VISIT_OWNED_EVENT_FIELDS & vals.keys():
            return self.env['kam.service.event']
        return self.sudo().kam_service_event_ids.with_env(self.env)

    def _kam_open_visits(self):
        """The visits not done yet whose event is one of these, in the caller's env. The link
        is read with sudo: plain employees may not read it, and private events hide it."""
        visits_sudo = self.sudo().kam_visit_id.filtered(
            lambda v: v.event_id in self and v.stage_id.code not in DONE_STAGES)
        return visits_sudo.with_env(self.env)

    def _kam_sync_visits(self):
        """Event → visit: the visit follows its event, written with the attendee's own rights."""
        for event_sudo in self.sudo():
            visit = event_sudo.kam_visit_id
            if not visit or visit.event_id != event_sudo or visit.stage_id.code in DONE_STAGES:
                continue
            changes = {name: event_sudo[field] for name, field in EVENT_SYNCED_FIELDS.items()
                       if visit[name] != event_sudo[field]}
            if changes:
                visit = visit.with_env(self.env)
                visit._check_can_edit_event()
                visit.with_context(kam_sync=FROM_EVENT).write(changes)

    def _kam_visit_link_error(self):
        return self.env._("A calendar event is linked to its visit by the visit itself: book the visit instead.")
