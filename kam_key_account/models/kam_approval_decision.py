from odoo import api, fields, models
from odoo.exceptions import UserError


class KamApprovalDecision(models.Model):
    """One person's decision on a review line: who, when, what, why. Made by the engine
    only, at most one per review line and user, and never deleted."""
    _name = 'kam.approval.decision'
    _inherit = ['kam.company.follow.mixin']
    _kam_company_parent = 'review_id'
    _description = 'Approval Decision'
    _order = 'id'

    review_id = fields.Many2one('kam.approval.review', required=True, ondelete='cascade', index=True, readonly=True)
    # Precomputed: inserted with the decision, not updated after it.
    res_model = fields.Char(related='review_id.res_model', store=True, precompute=True)
    res_id = fields.Many2oneReference(related='review_id.res_id', store=True, model_field='res_model', precompute=True)
    company_id = fields.Many2one(related='review_id.company_id', store=True, index=True, precompute=True)
    user_id = fields.Many2one('res.users', 'Decided By', required=True, readonly=True)
    decision = fields.Selection([('approved', 'Approved'), ('rejected', 'Rejected')], required=True, readonly=True)
    comment = fields.Text(readonly=True)
    override = fields.Boolean('General Manager Override', readonly=True)
    date = fields.Datetime(default=fields.Datetime.now, readonly=True)

    _one_per_review_and_user = models.Constraint(
        'UNIQUE(review_id, user_id)', "A reviewer decides once on each approval step.")

    @api.ondelete(at_uninstall=False)
    def _unlink_except_history(self):
        raise UserError(self.env._("Approval decisions are the approval history: they are never deleted."))
