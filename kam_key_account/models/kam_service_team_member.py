from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .kam_service_type import TEAM_ROLES

# The partner and its team's KA-manager line write each other: compared by identity, a
# JSON-RPC client cannot send it.
TEAM_SYNC = object()


class KamServiceTeamMember(models.Model):
    """A member of an account's service team (大客户服务团队, R1), with one role.

    ================== ======================================================================
    Who                What
    ================== ======================================================================
    every employee     reads the teams (the partner's Service Team tab)
    account's KAM user adds, changes and removes the members of the accounts they manage
    (kam_manager_id)   (supervisors and above: of every account), except the KA manager
    KAM Managers       name the KA manager: the team's KA-manager line is the partner's
                       `kam_manager_id`, written with the partner's own checks
    members            follow the account's service requests, the later ones too; leaving
                       the team unfollows them. Following gives no access: a member
                       without a Key Accounts role reads a request once a task of it is
                       theirs (the participants' rules)
    nobody             puts a second KA manager on a team, or a portal user on it; moves a
                       line onto a team they may not edit; writes a line's company (its
                       account's)
    ================== ======================================================================
    """
    _name = 'kam.service.team.member'
    _description = 'Key-Account Service Team Member'
    _order = 'partner_id, role, id'
    _check_company_auto = True

    partner_id = fields.Many2one(
        'res.partner', 'Account', required=True, index=True, ondelete='cascade', domain=[('is_company', '=', True)])
    company_id = fields.Many2one(related='partner_id.company_id', store=True, index=True)
    user_id = fields.Many2one('res.users', 'Member', required=True, index=True, domain=[('share', '=', False)])
    role = fields.Selection(TEAM_ROLES, required=True, default='sales')
    phone = fields.Char(related='user_id.phone')
    email = fields.Char(related='user_id.email')

    _one_ka_manager = models.UniqueIndex(
        "(partner_id) WHERE role = 'ka_manager'", "A service team has one KA manager: change the existing one.")
    _one_role_per_member = models.Constraint(
        'UNIQUE(partner_id, user_id, role)', "A member holds each role of a team once.")

    @api.constrains('user_id', 'partner_id')
    def _check_internal_member(self):
        for member in self:
            if member.user_id.share:
                raise UserError(self.env._(
                    "%(user)s is not an internal user: only employees join a service team.",
                    user=member.user_id.name))
            company = member.partner_id.company_id
            if company and company not in member.user_id.company_ids:
                raise UserError(self.env._(
                    "%(user)s does not work for %(company)s: they cannot serve %(account)s.",
                    user=member.user_id.name, company=company.name, account=member.partner_id.display_name))

    @api.model_create_multi
    def create(self, vals_list):
        # The company is the account's: a value or a default_company_id would pin it.
        vals_list = [{key: value for key, value in vals.items() if key != 'company_id'} for vals in vals_list]
        self = self.with_context({  # noqa: PLW0642  # pylint: disable=context-overridden
            key: value for key, value in self.env.context.items() if key != 'default_company_id'})
        self._check_one_ka_manager([vals.get('partner_id') for vals in vals_list if vals.get('role') == 'ka_manager'])
        members = super().create(vals_list)
        members._kam_sync_account_manager()
        members._kam_follow_requests()
        return members

    def write(self, vals):
        if not self.env.su and 'company_id' in vals:
            raise AccessError(self.env._("A service team member works for the account's company: change the account."))
        self._check_ka_manager_rights()
        if vals.get('role') == 'ka_manager' or (vals.get('partner_id') and 'ka_manager' in self.mapped('role')):
            self._check_one_ka_manager(
                [vals.get('partner_id') or member.partner_id.id for member in self], exclude=self)
        before = {member: (member.partner_id, member.user_id) for member in self} \
            if {'partner_id', 'user_id'} & vals.keys() else {}
        result = super().write(vals)
        if 'partner_id' in vals and not self.env.su:
            # The rules hold on the account the line moves to too: a line is not moved onto
            # a team its writer may not edit (that would open the account's requests).
            self.check_access('write')
        if {'partner_id', 'user_id', 'role'} & vals.keys():
            self._check_ka_manager_rights()
            self._kam_sync_account_manager()
        if before:
            self.env['kam.service.team.member']._kam_unfollow_requests(list(before.values()))
            self._kam_follow_requests()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_ka_manager(self):
        self._check_ka_manager_rights()

    def unlink(self):
        left = [(member.partner_id, member.user_id) for member in self]
        result = super().unlink()
        self._kam_unfollow_requests(left)
        return result

    @api.model
    def _check_one_ka_manager(self, partner_ids, exclude=None):
        """One KA manager per team: said clearly before the unique index refuses it."""
        partner_ids = [partner_id for partner_id in partner_ids if partner_id]
        if not partner_ids:
            return
        taken = self.sudo().search_count([
            ('partner_id', 'in', partner_ids), ('role', '=', 'ka_manager'),
            ('id', 'not in', (exclude or self.browse()).ids)], limit=1)
        if taken or len(partner_ids) != len(set(partner_ids)):
            raise ValidationError(self.env._(
                "A service team has one KA manager, the account's key-account manager: change it instead of "
                "adding another one."))

    def _check_ka_manager_rights(self):
        """The KA-manager line is the partner's key-account manager: KAM Managers only."""
        if self.env.su or self.env.context.get('kam_team_sync') is TEAM_SYNC:
            return
        if any(member.role == 'ka_manager' for member in self) \
                and not self.env.user.has_group('kam_key_account.group_kam_manager'):
            raise AccessError(self.env._(
                "Only Key Accounts Managers change the KA manager of a service team: it is the account's "
                "key-account manager."))

    def _kam_sync_account_manager(self):
        """The KA-manager line is the partner's key-account manager: written on the partner
        with the caller's rights, so only KAM Managers name one, with the partner's checks."""
        for member in self.filtered(lambda m: m.role == 'ka_manager'):
            partner = member.partner_id
            if partner.sudo().kam_manager_id != member.user_id:
                partner.with_context(kam_team_sync=TEAM_SYNC).write({'kam_manager_id': member.user_id.id})

    def _kam_follow_requests(self):
        """Members follow their account's service requests (one subscribe per member)."""
        Request = self.env['kam.service.request'].sudo()
        requests = Request.search([('partner_id', 'in', self.partner_id.ids)])
        by_partner = requests.grouped('partner_id')
        for member in self:
            account_requests = by_partner.get(member.partner_id, Request)
            if account_requests:
                account_requests.message_subscribe(partner_ids=member.user_id.partner_id.ids)

    @api.model
    def _kam_unfollow_requests(self, pairs):
        """Who left a team stops following its account's requests, unless they still are
        on that team (another role) or the request is theirs."""
        pairs = [(partner, user) for partner, user in pairs if partner and user]
        if not pairs:
            return
        partners = self.env['res.partner'].union(*(partner for partner, _user in pairs))
        remaining = {(m.partner_id, m.user_id) for m in self.sudo().search([('partner_id', 'in', partners.ids)])}
        requests = self.env['kam.service.request'].sudo().search([('partner_id', 'in', partners.ids)])
        by_partner = requests.grouped('partner_id')
        for partner, user in set(pairs) - remaining:
            account_requests = by_partner.get(partner, requests.browse()).filtered(lambda r, u=user: r.user_id != u)
            if account_requests:
                account_requests.message_unsubscribe(partner_ids=user.partner_id.ids)
