from odoo import api, fields, models
from odoo.exceptions import ValidationError

# G1: the default local part of each company's suggestion alias.
SUGGESTION_ALIAS = 'kam-suggestions'


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
    # G1 e-mail intake: the alias and the limits on what a mail may bring
    kam_suggestion_alias_id = fields.Many2one(
        'mail.alias', 'Suggestion Alias', copy=False, readonly=True, ondelete='set null', groups='base.group_user')
    kam_suggestion_alias_name = fields.Char(
        'Suggestion Alias Name', compute='_compute_kam_suggestion_alias', inverse='_inverse_kam_suggestion_alias_name',
        groups='base.group_user',
        help="The e-mails sent to this address of the company's e-mail domain become key-account suggestions "
             "(G1). Empty: the company receives no suggestion by e-mail.")
    kam_suggestion_alias_email = fields.Char(
        'Suggestion E-mail Address', compute='_compute_kam_suggestion_alias', groups='base.group_user')
    kam_suggestion_mail_max_body_kb = fields.Integer(
        'Suggestion E-mail Body Limit (KB)', default=1024,
        help="The text of an incoming suggestion e-mail is kept up to this size in its message; the whole text "
             "is attached as a file.")
    kam_suggestion_mail_max_attachments = fields.Integer(
        'Suggestion E-mail Attachments Limit', default=20,
        help="At most this many attachments of an incoming suggestion e-mail go on its message; the others are "
             "kept in one archive on the suggestion, which is flagged.")
    kam_suggestion_mail_max_size_mb = fields.Integer(
        'Suggestion E-mail Size Limit (MB)', default=25,
        help="The attachments of an incoming suggestion e-mail go on its message up to this total size; the "
             "others are kept in one archive on the suggestion, which is flagged.")

    @api.constrains('kam_suggestion_mail_max_body_kb', 'kam_suggestion_mail_max_attachments',
                    'kam_suggestion_mail_max_size_mb')
    def _check_kam_suggestion_mail_limits(self):
        for company in self:
            if min(company.kam_suggestion_mail_max_body_kb, company.kam_suggestion_mail_max_attachments,
                   company.kam_suggestion_mail_max_size_mb) < 1:
                raise ValidationError(self.env._(
                    "The suggestion e-mail limits of %(company)s must be at least 1: a mail over them is kept "
                    "aside, never dropped.", company=company.name))

    @api.depends('kam_suggestion_alias_id.alias_name', 'kam_suggestion_alias_id.alias_full_name')
    def _compute_kam_suggestion_alias(self):
        for company in self:
            alias = company.sudo().kam_suggestion_alias_id
            company.kam_suggestion_alias_name = alias.alias_name
            company.kam_suggestion_alias_email = alias.alias_full_name

    def _inverse_kam_suggestion_alias_name(self):
        for company in self:
            alias = company.sudo().kam_suggestion_alias_id
            if alias:
                alias.alias_name = company.kam_suggestion_alias_name
            elif company.kam_suggestion_alias_name:
                company._kam_create_suggestion_aliases(company.kam_suggestion_alias_name)

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._kam_create_suggestion_aliases()
        return companies

    def write(self, vals):
        result = super().write(vals)
        if 'alias_domain_id' in vals:
            # The alias follows the company's e-mail domain.
            for company in self.sudo().filtered('kam_suggestion_alias_id'):
                if company.kam_suggestion_alias_id.alias_domain_id != company.alias_domain_id:
                    company.kam_suggestion_alias_id.alias_domain_id = company.alias_domain_id
        return result

    @api.model
    def _kam_install_suggestion_aliases(self):
        """At install and every update: each company without a suggestion alias gets one."""
        self.sudo().search([('kam_suggestion_alias_id', '=', False)])._kam_create_suggestion_aliases()

    def _kam_create_suggestion_aliases(self, name=SUGGESTION_ALIAS):
        """A suggestion alias for each company of `self` without one: `name` on the company's
        e-mail domain, or `name-<company id>` where a company sharing the domain holds it."""
        companies = self.sudo().filtered(lambda company: not company.kam_suggestion_alias_id)
        if not companies:
            return
        Alias = self.env['mail.alias'].sudo()
        name = Alias._sanitize_alias_name(name)
        taken = {(alias.alias_name, alias.alias_domain_id.id) for alias in Alias.with_context(active_test=False).search(
            [('alias_name', '=like', f'{name}%')])}
        model_id = self.env['ir.model']._get_id('kam.suggestion')
        vals_list = []
        for company in companies:
            alias_name = name
            if (alias_name, company.alias_domain_id.id) in taken:
                alias_name = f'{name}-{company.id}'
            taken.add((alias_name, company.alias_domain_id.id))
            vals_list.append({
                'alias_name': alias_name,
                'alias_domain_id': company.alias_domain_id.id,
                'alias_model_id': model_id,
                'alias_defaults': repr({'company_id': company.id, 'channel': 'email'}),
                'alias_contact': 'everyone',
            })
        for company, alias in zip(companies, Alias.create(vals_list)):
            company.kam_suggestion_alias_id = alias

    # ------------------------------------------------------------------------------------
    # Portal (G1, web)
    # ------------------------------------------------------------------------------------

    kam_suggestion_portal_hourly_limit = fields.Integer(
        'Portal Suggestions per Hour', default=5,
        help="A contact of a key account sends at most this many suggestions an hour from the customer portal; "
             "0 closes the portal to new suggestions.")

    @api.constrains('kam_suggestion_portal_hourly_limit')
    def _check_kam_suggestion_portal_hourly_limit(self):
        for company in self:
            if company.kam_suggestion_portal_hourly_limit < 0:
                raise ValidationError(self.env._(
                    "The portal suggestions per hour of %(company)s cannot be negative (0 closes the portal to new "
                    "suggestions).", company=company.name))
