from odoo import fields, models
from odoo.exceptions import UserError

from .kam_visit import EVENT_SYNCED_FIELDS


class CalendarEvent(models.Model):
    """The calendar side of a key-account visit (V3): what the attendees move on the
    calendar moves the visit, until the visit is done."""
    _inherit = 'calendar.event'

    kam_visit_id = fields.Many2one('kam.visit', 'Key-Account Visit', index='btree_not_null', ondelete='set null')

    def write(self, vals):
        if self.env.context.get('kam_visit_from_visit') or self.env.context.get('kam_event_writing'):
            return super().write(vals)
        # The calendar writes start, stop and all-day in several steps: sync once, at the end.
        result = super(CalendarEvent, self.with_context(kam_event_writing=True)).write(vals)
        if set(EVENT_SYNCED_FIELDS.values()) & vals.keys():
            for event in self.filtered('kam_visit_id'):
                visit = event.kam_visit_id
                if visit.stage_id.code in ('done', 'summarised'):
                    continue
                changes = {name: event[field] for name, field in EVENT_SYNCED_FIELDS.items()
                           if visit[name] != event[field]}
                if not changes:
                    continue
                if not visit.has_access('write'):
                    # Calendar rules let any employee edit a public event: the visit is not theirs.
                    raise UserError(self.env._(
                        "This event is the key-account visit %(visit)s: only those who may edit the "
                        "visit can move it.", visit=visit.name))
                visit.with_context(kam_visit_from_event=True).write(changes)
        return result

    def unlink(self):
        visits = self.kam_visit_id
        if self.env.context.get('kam_visit_from_visit'):
            visits = visits.browse()
        result = super().unlink()
        if visits:
            visits._on_event_deleted()
        return result
