from collections import defaultdict

from odoo import api, models
from odoo.exceptions import UserError

from .kam_approval_mixin import APPROVAL_ACTIVITY_TYPE
from .kam_assigned_line import OPEN_STATES


class MailActivity(models.Model):
    """Approval activities are reminders the approval engine creates and removes (with
    sudo, after its checks); people decide with Approve or Reject, not on the activity."""
    _inherit = 'mail.activity'

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            approval_type = self._kam_approval_type()
            default_type = self.env.context.get('default_activity_type_id')
            if approval_type and any((vals.get('activity_type_id') or default_type) == approval_type.id
                                     for vals in vals_list):
                raise UserError(self._approval_activity_error())
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and (self._kam_approval_activities() or (
                vals.get('activity_type_id') and vals['activity_type_id'] == self._kam_approval_type().id)):
            raise UserError(self._approval_activity_error())
        return super().write(vals)

    @api.ondelete(at_uninstall=True)
    def _unlink_except_approval_activity(self):
        if not self.env.su and self._kam_approval_activities():
            raise UserError(self._approval_activity_error())

    def _action_done(self, feedback=False, attachment_ids=None):
        if not self.env.su and self._kam_approval_activities():
            raise UserError(self._approval_activity_error())
        lines = self._kam_open_assigned_lines()
        for line in lines:
            line._kam_check_feedback(feedback)
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        for line in lines:
            line._kam_solve_from_activity(feedback)
        return result

    def _kam_open_assigned_lines(self):
        """The open assigned lines (visit problems…) whose own `activity_id` is one of these
        activities, per model, in the caller's environment: marking the activity done solves
        them with its feedback (who may not solve them may not close their activity)."""
        result = []
        # Only the line models whose parents these activities are on: one search each.
        res_models = set(self.mapped('res_model'))
        for model_name in self.env['kam.assigned.line']._inherit_children:
            Line = self.env[model_name]
            if Line._abstract or Line._fields[Line._kam_line_parent].comodel_name not in res_models:
                continue
            lines = self.env[model_name].sudo().search([('activity_id', 'in', self.ids), ('state', 'in', OPEN_STATES)])
            if lines:
                result.append(lines.with_env(self.env))
        return result

    @api.model
    def _kam_schedule(self, act_type_xmlid, entries):
        """The addon's one way to create activities: `activity_schedule`, called once per
        group of records sharing the assignee, deadline, summary and note.

        :param entries: (record, user, date_deadline, summary, note) tuples; the records may
            be of several models
        :return: the activities created
        """
        groups = defaultdict(dict)
        for record, user, deadline, summary, note in entries:
            groups[record._name, user.id, deadline, summary, note][record.id] = None
        activities = self.browse()
        # Each activity's res_name reads its record's name: one read per model for all of them.
        by_model = defaultdict(dict)
        for (model, *_values), res_ids in groups.items():
            by_model[model].update(res_ids)
        for model, res_ids in by_model.items():
            self.env[model].browse(list(res_ids)).mapped('display_name')
        for (model, user_id, deadline, summary, note), res_ids in groups.items():
            activities |= self.env[model].browse(list(res_ids)).activity_schedule(
                act_type_xmlid, date_deadline=deadline, summary=summary, note=note, user_id=user_id) or self.browse()
        return activities

    def _kam_approval_type(self):
        # ir.model.data's cache, no query (a deleted type loses its xmlid with it).
        return self.env['mail.activity.type'].browse(self.env['ir.model.data']._xmlid_to_res_id(APPROVAL_ACTIVITY_TYPE))

    def _kam_approval_activities(self):
        approval_type = self._kam_approval_type()
        return self.filtered(lambda a: approval_type and a.activity_type_id == approval_type)

    def _approval_activity_error(self):
        return self.env._(
            "Approval activities are managed by the approval engine: open the document and "
            "use Approve or Reject.")
