from odoo import fields, models


class ResCompany(models.Model):
    _inherit = 'res.company'

    kam_visit_budget_threshold = fields.Monetary(
        'Visit Budget Needing Approval', currency_field='currency_id', default=5000.0,
        help="Visits whose budgeted expenses exceed this amount need the supervisor's approval (V4).")
    kam_visit_followup_days = fields.Integer(
        'Visit Follow-Up (days)', default=7,
        help="A development visit is followed up this many days after it is done (V11).")
    kam_development_threshold = fields.Monetary(
        'Development Threshold', currency_field='currency_id', default=0.0,
        help="A development plan whose expected value (D6) reaches this amount is worth developing.")
    kam_vp_user_id = fields.Many2one(
        'res.users', 'Marketing VP', domain=[('share', '=', False)],
        help="Approves the service requests with special payment terms (R4); without a user or a group, "
             "the Key Accounts General Managers do.")
    kam_vp_group_id = fields.Many2one(
        'res.groups', 'Marketing VP Group',
        help="Approve the service requests with special payment terms when no Marketing VP user is named.")
    kam_suggestion_reply_days = fields.Integer(
        'Suggestion Reply Delay (days)', default=15,
        help="The default reply deadline of a key account's suggestion, in days after it was received (G10).")
    kam_suggestion_due_soon_days = fields.Integer(
        'Suggestion Due Soon (days)', default=3,
        help="A suggestion not replied to this many days before its deadline is shown as due soon.")
