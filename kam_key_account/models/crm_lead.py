from odoo import fields, models


class CrmLead(models.Model):
    """The account's tier on leads: employees see it (the tier's own groups), the visit
    a lead came from only Key Accounts roles."""
    _inherit = 'crm.lead'

    # Not stored on purpose: a stored related field would recompute every lead at install
    # and on every tier change of an account.
    kam_tier_id = fields.Many2one(
        related='partner_id.commercial_partner_id.kam_tier_id', string='Key-Account Tier',
        groups='base.group_user')
    kam_tier_color = fields.Integer(
        related='partner_id.commercial_partner_id.kam_tier_id.color', groups='base.group_user')
    kam_is_key_account = fields.Boolean(
        related='partner_id.commercial_partner_id.kam_is_key_account', string='Key Account',
        groups='base.group_user')
    kam_visit_id = fields.Many2one(
        'kam.visit', 'Key-Account Visit', index='btree_not_null', ondelete='set null', copy=False,
        groups='kam_key_account.group_kam_user',
        help="The visit on which this opportunity was found (V7).")
    kam_development_plan_ids = fields.One2many(
        'kam.development.plan', 'lead_id', 'Development Plans', groups='kam_key_account.group_kam_user')
