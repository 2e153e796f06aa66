from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

CONTACT_MANNERS = [
    ('visit', 'Visit in Person'),
    ('phone', 'Phone'),
    ('email', 'E-mail'),
    ('message', 'Instant Message'),
]
# Who is a key account and who manages it is decided by KAM Managers, or by the
# approval engine (through sudo, after its own checks), never by a plain write.
KAM_PROTECTED_FIELDS = frozenset({
    'kam_tier_id', 'kam_manager_id', 'kam_is_key_account', 'kam_confirmed_date',
})


class ResPartner(models.Model):
    """Key-account data on contacts.

    On a company: tier, dedicated account manager (专人开发和管理), classification (S1/D1),
    annual sales basis and the tier it qualifies for (S2), the sales profile and the
    operating figures per fiscal year (D2). On a person: their decision-making role and
    habits (V2). Everyone who reads the partner reads these fields; only KAM Managers
    write the tier, the manager and the key-account flag.
    """
    _inherit = 'res.partner'

    kam_tier_id = fields.Many2one(
        'kam.tier', 'Key-Account Tier', index='btree_not_null', tracking=True,
        group_expand='_read_group_kam_tier_ids', ondelete='restrict')
    kam_tier_color = fields.Integer(related='kam_tier_id.color')
    kam_manager_id = fields.Many2one(
        'res.users', 'Key-Account Manager', index='btree_not_null', tracking=True,
        domain=lambda self: [
            ('share', '=', False),
            ('all_group_ids', 'in', self.env.ref('kam_key_account.group_kam_user').id)],
        help="The one person who develops and manages this account.")
    kam_is_key_account = fields.Boolean(
        'Key Account', tracking=True, copy=False,
        help="Set when a screening confirms the partner as a key account (S8-S9).")
    kam_confirmed_date = fields.Date('Key Account Since', copy=False, tracking=True)
    kam_can_manage = fields.Boolean(compute='_compute_kam_can_manage')

    kam_product_category_ids = fields.Many2many(
        'kam.classification', 'kam_partner_product_category_rel', 'partner_id', 'classification_id',
        'Product Categories', domain=[('kind', '=', 'product_category')])
    kam_customer_nature_ids = fields.Many2many(
        'kam.classification', 'kam_partner_customer_nature_rel', 'partner_id', 'classification_id',
        'Customer Nature', domain=[('kind', '=', 'customer_nature')])
    kam_service_content_ids = fields.Many2many(
        'kam.classification', 'kam_partner_service_content_rel', 'partner_id', 'classification_id',
        'Service Content', domain=[('kind', '=', 'service_content')])

    kam_currency_id = fields.Many2one('res.currency', compute='_compute_kam_currency_id')
    kam_annual_sales = fields.Monetary(
        'Annual Sales Basis', currency_field='kam_currency_id',
        help="Annual sales the tier thresholds are measured against (S2), in the company's currency.")
    kam_qualifying_tier_id = fields.Many2one(
        'kam.tier', 'Qualifying Tier', compute='_compute_kam_qualifying_tier_id',
        help="The highest tier whose minimum the annual sales basis reaches: a suggestion.")

    kam_customers_profile = fields.Text(
        'Its Customers', help="Who buys this account's products.")
    kam_marketing_profile = fields.Text('Its Marketing')
    kam_logistics_profile = fields.Text('Its Logistics')
    kam_figure_ids = fields.One2many('kam.account.figure', 'partner_id', 'Operating Figures')
    kam_contact_ids = fields.One2many(
        'res.partner', 'parent_id', 'Decision Makers',
        domain=[('is_company', '=', False), ('active', '=', True)])

    kam_contact_role = fields.Selection([
        ('decision_maker', 'Decision Maker'),
        ('influencer', 'Influencer'),
        ('user', 'User'),
        ('gatekeeper', 'Gatekeeper'),
        ('champion', 'Champion'),
    ], 'Buying Role')
    kam_influence = fields.Selection([
        ('low', 'Low'), ('medium', 'Medium'), ('high', 'High'),
    ], 'Influence')
    kam_attitude = fields.Selection([
        ('supportive', 'Supportive'), ('neutral', 'Neutral'), ('opposed', 'Opposed'),
    ], 'Attitude')
    kam_reports_to_id = fields.Many2one(
        'res.partner', 'Reports To', domain="[('parent_id', '=', parent_id), ('id', '!=', id)]")
    kam_preferred_contact_time = fields.Char(
        'Preferred Contact Time', help="When this person likes to be contacted, e.g. Tuesday mornings.")
    kam_preferred_contact_manner = fields.Selection(CONTACT_MANNERS, 'Preferred Contact Manner')
    kam_habits = fields.Text('Contact Habits', help="Used to choose the timing and manner of a visit (V2).")
    kam_contact_note_count = fields.Integer(compute='_compute_kam_contact_note_count')
    kam_screening_count = fields.Integer(compute='_compute_kam_screening_count')
    kam_visit_count = fields.Integer(compute='_compute_kam_visit_dates')
    kam_last_visit_date = fields.Datetime('Last Visit', compute='_compute_kam_visit_dates')
    kam_next_visit_date = fields.Datetime('Next Visit', compute='_compute_kam_visit_dates')

    @api.depends_context('uid')
    def _compute_kam_can_manage(self):
        self.kam_can_manage = self.env.user.has_group('kam_key_account.group_kam_manager')

    @api.depends('company_id')
    @api.depends_context('company')
    def _compute_kam_currency_id(self):
        for partner in self:
            partner.kam_currency_id = (partner.company_id or self.env.company).currency_id

    @api.depends('kam_annual_sales', 'company_id')
    def _compute_kam_qualifying_tier_id(self):
        pick = self.env['kam.tier']._tier_picker(self.company_id | self.env.company)
        for partner in self:
            partner.kam_qualifying_tier_id = pick(partner.kam_annual_sales, partner.company_id or self.env.company)

    def _compute_kam_contact_note_count(self):
        Note = self.env['kam.contact.note']
        if not Note.has_access('read'):
            self.kam_contact_note_count = 0
            return
        counts = dict(Note._read_group(
            [('account_id', 'in', self.ids)], ['account_id'], ['__count']))
        for partner in self:
            partner.kam_contact_note_count = counts.get(partner, 0)

    def _compute_kam_screening_count(self):
        Screening = self.env['kam.screening']
        if not Screening.has_access('read'):
            self.kam_screening_count = 0
            return
        counts = dict(Screening._read_group(
            [('partner_id', 'in', self.ids)], ['partner_id'], ['__count']))
        for partner in self:
            partner.kam_screening_count = counts.get(partner, 0)

    def _compute_kam_visit_dates(self):
        """Counters and dates of every partner at once: three grouped queries."""
        Visit = self.env['kam.visit']
        self.kam_visit_count = 0
        self.kam_last_visit_date = False
        self.kam_next_visit_date = False
        if not Visit.has_access('read') or not self.ids:
            return
        now = fields.Datetime.now()
        counts = dict(Visit._read_group([('partner_id', 'in', self.ids)], ['partner_id'], ['__count']))
        last = dict(Visit._read_group(
            [('partner_id', 'in', self.ids), ('stage_id.code', 'in', ('done', 'summarised'))],
            ['partner_id'], ['actual_start:max']))
        upcoming = dict(Visit._read_group(
            [('partner_id', 'in', self.ids), ('start', '>=', now),
             ('stage_id.code', 'not in', ('done', 'summarised', 'cancelled'))],
            ['partner_id'], ['start:min']))
        for partner in self:
            partner.kam_visit_count = counts.get(partner, 0)
            partner.kam_last_visit_date = last.get(partner, False)
            partner.kam_next_visit_date = upcoming.get(partner, False)

    @api.model
    def _read_group_kam_tier_ids(self, tiers, domain):
        return tiers.search([])

    @api.constrains('kam_manager_id', 'company_id')
    def _check_kam_manager_id(self):
        kam_user = self.env.ref('kam_key_account.group_kam_user')
        for partner in self.filtered('kam_manager_id'):
            manager = partner.kam_manager_id
            if partner.company_id and partner.company_id not in manager.company_ids:
                raise ValidationError(self.env._(
                    "%(user)s cannot manage %(partner)s: they do not work for %(company)s.",
                    user=manager.name, partner=partner.display_name,
                    company=partner.company_id.name))
            if manager.share or kam_user not in manager.all_group_ids:
                raise ValidationError(self.env._(
                    "%(user)s cannot manage %(partner)s: a key-account manager must be an "
                    "internal user with a Key Accounts role.",
                    user=manager.name, partner=partner.display_name))

    @api.constrains('kam_tier_id', 'company_id')
    def _check_kam_tier_id(self):
        for partner in self.filtered('kam_tier_id'):
            tier_company = partner.kam_tier_id.company_id
            if tier_company and partner.company_id and tier_company != partner.company_id:
                raise ValidationError(self.env._(
                    "The tier %(tier)s belongs to %(company)s, not to the company of %(partner)s.",
                    tier=partner.kam_tier_id.display_name, company=tier_company.name,
                    partner=partner.display_name))

    @api.model_create_multi
    def create(self, vals_list):
        from_context = {f for f in KAM_PROTECTED_FIELDS if self.env.context.get(f'default_{f}')}
        for vals in vals_list:
            self._check_kam_protected_fields({f for f in KAM_PROTECTED_FIELDS if vals.get(f)} | from_context)
        return super().create(vals_list)

    def write(self, vals):
        self._check_kam_protected_fields(KAM_PROTECTED_FIELDS.intersection(vals))
        return super().write(vals)

    def action_kam_open_contact_notes(self):
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id('kam_key_account.kam_contact_note_action')
        action['domain'] = [('account_id', '=', self.id)]
        action['context'] = {'default_account_id': self.id}
        return action

    def _check_kam_protected_fields(self, field_names):
        if not field_names or self.env.su:
            return
        if not self.env.user.has_group('kam_key_account.group_kam_manager'):
            raise AccessError(self.env._(
                "Only Key Accounts Managers may set the key-account tier, the key-account "
                "manager or the key-account status (%(fields)s).",
                fields=", ".join(sorted(self._fields[f]._description_string(self.env)
                                        for f in field_names))))
