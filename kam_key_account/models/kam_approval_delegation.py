from odoo import api, fields, models
from odoo.exceptions import ValidationError


class KamApprovalDelegation(models.Model):
    """While a user is away, approval requests go to their substitute.

    Each user manages their own delegations; KAM Managers manage everyone's, in their
    companies (a delegation belongs to the delegating user's company).
    """
    _name = 'kam.approval.delegation'
    _inherit = ['kam.company.follow.mixin']
    _kam_company_parent = 'user_id'
    _description = 'Approval Delegation'
    _order = 'date_from desc, id desc'

    user_id = fields.Many2one(
        'res.users', 'Delegating User', required=True, default=lambda self: self.env.user, index=True)
    company_id = fields.Many2one(related='user_id.company_id', store=True, index=True)
    substitute_id = fields.Many2one('res.users', required=True, domain=[('share', '=', False)])
    date_from = fields.Date('From', required=True, default=fields.Date.context_today)
    date_to = fields.Date('To', required=True)
    active = fields.Boolean(default=True)

    _dates_ordered = models.Constraint(
        'CHECK(date_from <= date_to)', 'A delegation cannot end before it starts.')

    @api.constrains('user_id', 'substitute_id')
    def _check_substitute(self):
        for delegation in self:
            if delegation.user_id == delegation.substitute_id:
                raise ValidationError(self.env._("A user cannot be their own substitute."))

    @api.depends('user_id', 'substitute_id')
    def _compute_display_name(self):
        for delegation in self:
            delegation.display_name = self.env._(
                "%(user)s → %(substitute)s", user=delegation.user_id.name, substitute=delegation.substitute_id.name)

    @api.model
    def _substitutes(self, users, day=None):
        """Map each user away on `day` to their substitute (one search for all users)."""
        day = day or fields.Date.context_today(self)
        delegations = self.sudo().search([
            ('user_id', 'in', users.ids), ('date_from', '<=', day), ('date_to', '>=', day),
            ('substitute_id.active', '=', True)])
        return {delegation.user_id: delegation.substitute_id for delegation in delegations}
