from ast import literal_eval

from odoo import fields, models


class KamApprovalWizard(models.TransientModel):
    """Reject a step, or override it as General Manager: both need a reason, which goes
    into the transition's chatter entry and the approval history."""
    _name = 'kam.approval.wizard'
    _description = 'Approval Decision With a Reason'

    res_model = fields.Char(required=True)
    res_ids = fields.Char(required=True)
    decision = fields.Selection([('rejected', 'Reject'), ('override', 'Override and Approve')],
                                required=True, default='rejected')
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        records = self.env[self.res_model].browse(literal_eval(self.res_ids))
        if self.decision == 'override':
            records._approval_override(self.reason)
        else:
            records._approval_reject(self.reason)
        return {'type': 'ir.actions.act_window_close'}
