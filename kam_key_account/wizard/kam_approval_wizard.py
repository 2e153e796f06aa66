from ast import literal_eval

from odoo import fields, models
from odoo.exceptions import UserError

WIZARD_DECISIONS = [('rejected', 'Reject'), ('override', 'Override and Approve')]


class KamApprovalWizard(models.TransientModel):
    """Reject a step, or override it as General Manager: both need a reason, which goes
    into the transition's chatter entry and the approval history.

    Its fields come from the client: the model must be one the approval engine drives,
    the ids a list of existing records the user may read; the engine then checks who may
    decide, as for any other call.
    """
    _name = 'kam.approval.wizard'
    _description = 'Approval Decision With a Reason'

    res_model = fields.Char(required=True)
    res_ids = fields.Char(required=True)
    decision = fields.Selection(WIZARD_DECISIONS, required=True, default='rejected')
    reason = fields.Text(required=True)
    # The step the user saw when they opened the wizard: the decision is on it or on none.
    review_id = fields.Integer('Step Seen')

    def action_confirm(self):
        self.ensure_one()
        records = self._get_records()
        if self.decision == 'override':
            records._approval_override(self.reason, seen_review_id=self.review_id)
        elif self.decision == 'rejected':
            records._approval_reject(self.reason, seen_review_id=self.review_id)
        else:
            raise UserError(self.env._("Choose to reject or to override."))
        return {'type': 'ir.actions.act_window_close'}

    def _get_records(self):
        """The records named by `res_model` and `res_ids`, checked as client input."""
        self.ensure_one()
        engine_models = dict(self.env['kam.approval.chain']._selection_model())
        if self.res_model not in engine_models:
            raise UserError(self.env._(
                "%(model)s is not a document with an approval: the decision cannot be recorded.",
                model=self.res_model))
        try:
            ids = literal_eval(self.res_ids or '')
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            ids = None
        if not (isinstance(ids, (list, tuple)) and ids
                and all(type(id_) is int and id_ > 0 for id_ in ids)):
            raise UserError(self.env._("The documents to decide on must be a list of record ids."))
        records = self.env[self.res_model].browse(dict.fromkeys(ids))
        if len(records.exists()) != len(records):
            raise UserError(self.env._("Some of the documents to decide on no longer exist."))
        records.check_access('read')
        return records
