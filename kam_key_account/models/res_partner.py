import base64
import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from .kam_service_team_member import TEAM_SYNC

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
# What the addon records about a person (PIPL, GDPR): exported on request, erased on request.
KAM_PERSONAL_FIELDS = (
    'kam_contact_role', 'kam_influence', 'kam_attitude', 'kam_reports_to_id',
    'kam_preferred_contact_time', 'kam_preferred_contact_manner', 'kam_habits',
)
NOTE_FIELDS = ('character', 'pressures', 'interests', 'family')
# The stages of a visit made (V6) or summarised (V9): kam.visit's DONE_STAGES.
DONE_VISIT_STAGES = ('done', 'summarised')


class ResPartner(models.Model):
    """Key-account data on contacts.

    On a company: tier, dedicated account manager (专人开发和管理), classification (S1/D1),
    annual sales basis and the tier it qualifies for (S2), the sales profile and the
    operating figures per fiscal year (D2). On a person: their decision-making role and
    habits (V2).

    ===============================  ==============  ============  ===============
    Who                              status,         assessments   export / erase
                                     classification                a person's data
    ===============================  ==============  ============  ===============
    portal user                      -               -             -
    employee without a KAM role      read            -             -
    KAM User, Supervisor             read            read, write   -
    KAM Manager and above            read, write     read, write   yes
    approval engine (sudo, checked)  write           -             -
    ===============================  ==============  ============  ===============

    Status is the tier, the manager, the key-account flag and date (``base.group_user``);
    only KAM Managers or the engine write them. The classification (same groups) is
    written by whoever may write the contact. Assessments are everything else the addon
    adds (``group_kam_user``; the operating figures and personal notes have their own
    record rules). Every grouped field is ``copy=False`` so that Duplicate works for users
    outside the group. Erasing a person's data (PIPL, GDPR) removes their
    personal notes and empties the assessment fields; business records stay.
    """
    _inherit = 'res.partner'

    # Status and classification: every employee sees them, portal users do not.
    kam_tier_id = fields.Many2one(
        'kam.tier', 'Key-Account Tier', index='btree_not_null', tracking=True, copy=False,
        group_expand='_read_group_kam_tier_ids', ondelete='restrict', groups='base.group_user')
    kam_tier_color = fields.Integer(related='kam_tier_id.color', groups='base.group_user')
    kam_manager_id = fields.Many2one(
        'res.users', 'Key-Account Manager', index='btree_not_null', tracking=True, copy=False,
        groups='base.group_user',
        domain=lambda self: [
            ('share', '=', False),
            ('all_group_ids', 'in', self.env.ref('kam_key_account.group_kam_user').id)],
        help="The one person who develops and manages this account.")
    kam_is_key_account = fields.Boolean(
        'Key Account', tracking=True, copy=False, groups='base.group_user',
        help="Set when a screening confirms the partner as a key account (S8-S9).")
    kam_confirmed_date = fields.Date(
        'Key Account Since', copy=False, tracking=True, groups='base.group_user')
    kam_can_manage = fields.Boolean(compute='_compute_kam_can_manage', groups='base.group_user')

    kam_product_category_ids = fields.Many2many(
        'kam.classification', 'kam_partner_product_category_rel', 'partner_id', 'classification_id',
        'Product Categories', domain=[('kind', '=', 'product_category')], copy=False,
        groups='base.group_user')
    kam_customer_nature_ids = fields.Many2many(
        'kam.classification', 'kam_partner_customer_nature_rel', 'partner_id', 'classification_id',
        'Customer Nature', domain=[('kind', '=', 'customer_nature')], copy=False,
        groups='base.group_user')
    kam_service_content_ids = fields.Many2many(
        'kam.classification', 'kam_partner_service_content_rel', 'partner_id', 'classification_id',
        'Service Content', domain=[('kind', '=', 'service_content')], copy=False,
        groups='base.group_user')

    # Assessments, figures, sales profile, decision makers and counters: Key Accounts roles only.
    kam_currency_id = fields.Many2one(
        'res.currency', compute='_compute_kam_currency_id', groups='kam_key_account.group_kam_user')
    kam_annual_sales = fields.Monetary(
        'Annual Sales Basis', currency_field='kam_currency_id', copy=False,
        groups='kam_key_account.group_kam_user',
        help="Annual sales the tier thresholds are measured against (S2), in the company's currency.")
    kam_sales_basis = fields.Monetary(
        'Sales Basis', currency_field='kam_currency_id', compute='_compute_kam_sales_basis',
        groups='kam_key_account.group_kam_user',
        help="The annual sales of S2: from the company's books when an accounting bridge "
             "(kam_key_account_account) finds sales, else the hand-typed annual sales basis.")
    kam_sales_basis_source = fields.Selection(
        [('books', 'Books'), ('manual', 'Hand-typed')], 'Sales Basis Source',
        compute='_compute_kam_sales_basis', groups='kam_key_account.group_kam_user')
    kam_qualifying_tier_id = fields.Many2one(
        'kam.tier', 'Qualifying Tier', compute='_compute_kam_qualifying_tier_id',
        groups='kam_key_account.group_kam_user',
        help="The highest tier whose minimum the sales basis reaches: a suggestion.")

    kam_customers_profile = fields.Text(
        'Its Customers', copy=False, groups='kam_key_account.group_kam_user',
        help="Who buys this account's products.")
    kam_marketing_profile = fields.Text(
        'Its Marketing', copy=False, groups='kam_key_account.group_kam_user')
    kam_logistics_profile = fields.Text(
        'Its Logistics', copy=False, groups='kam_key_account.group_kam_user')
    kam_figure_ids = fields.One2many(
        'kam.account.figure', 'partner_id', 'Operating Figures', copy=False,
        groups='kam_key_account.group_kam_user')
    kam_contact_ids = fields.One2many(
        'res.partner', 'parent_id', 'Decision Makers', copy=False,
        domain=[('is_company', '=', False), ('active', '=', True)],
        groups='kam_key_account.group_kam_user')

    kam_contact_role = fields.Selection([
        ('decision_maker', 'Decision Maker'),
        ('influencer', 'Influencer'),
        ('user', 'User'),
        ('gatekeeper', 'Gatekeeper'),
        ('champion', 'Champion'),
    ], 'Buying Role', copy=False, groups='kam_key_account.group_kam_user')
    kam_influence = fields.Selection([
        ('low', 'Low'), ('medium', 'Medium'), ('high', 'High'),
    ], 'Influence', copy=False, groups='kam_key_account.group_kam_user')
    kam_attitude = fields.Selection([
        ('supportive', 'Supportive'), ('neutral', 'Neutral'), ('opposed', 'Opposed'),
    ], 'Attitude', copy=False, groups='kam_key_account.group_kam_user')
    kam_reports_to_id = fields.Many2one(
        'res.partner', 'Reports To', domain="[('parent_id', '=', parent_id), ('id', '!=', id)]",
        copy=False, groups='kam_key_account.group_kam_user')
    kam_preferred_contact_time = fields.Char(
        'Preferred Contact Time', copy=False, groups='kam_key_account.group_kam_user',
        help="When this person likes to be contacted, e.g. Tuesday mornings.")
    kam_preferred_contact_manner = fields.Selection(
        CONTACT_MANNERS, 'Preferred Contact Manner', copy=False,
        groups='kam_key_account.group_kam_user')
    kam_habits = fields.Text(
        'Contact Habits', copy=False, groups='kam_key_account.group_kam_user',
        help="Used to choose the timing and manner of a visit (V2).")
    # One counter per process (its `_kam_partner_count_field`) and the contact notes', all
    # computed by one method in one query.
    kam_contact_note_count = fields.Integer(
        compute='_compute_kam_process_counts', groups='kam_key_account.group_kam_user')
    kam_screening_count = fields.Integer(
        compute='_compute_kam_process_counts', groups='kam_key_account.group_kam_user')
    kam_visit_count = fields.Integer(
        compute='_compute_kam_process_counts', groups='kam_key_account.group_kam_user')
    kam_development_plan_count = fields.Integer(
        compute='_compute_kam_process_counts', groups='kam_key_account.group_kam_user')
    kam_service_request_count = fields.Integer(
        compute='_compute_kam_process_counts', groups='kam_key_account.group_kam_user')
    kam_suggestion_count = fields.Integer(
        compute='_compute_kam_process_counts', groups='kam_key_account.group_kam_user')
    # R1: the account's service team, shown to every employee (members need no KAM role).
    kam_service_member_ids = fields.One2many(
        'kam.service.team.member', 'partner_id', 'Service Team', copy=False, groups='base.group_user')
    kam_last_visit_date = fields.Datetime(
        'Last Visit', compute='_compute_kam_visit_dates', groups='kam_key_account.group_kam_user')
    kam_next_visit_date = fields.Datetime(
        'Next Visit', compute='_compute_kam_visit_dates', groups='kam_key_account.group_kam_user')

    @api.depends_context('uid')
    def _compute_kam_can_manage(self):
        self.kam_can_manage = self.env.user.has_group('kam_key_account.group_kam_manager')

    @api.depends('company_id')
    @api.depends_context('company')
    def _compute_kam_currency_id(self):
        for partner in self:
            partner.kam_currency_id = (partner.company_id or self.env.company).currency_id

    @api.depends('kam_annual_sales')
    def _compute_kam_sales_basis(self):
        basis = self._kam_sales_basis()
        for partner in self:
            partner.kam_sales_basis, partner.kam_sales_basis_source = basis[partner]

    @api.depends('kam_annual_sales', 'company_id')
    def _compute_kam_qualifying_tier_id(self):
        basis = self._kam_sales_basis()
        pick = self.env['kam.tier']._tier_picker(self.company_id | self.env.company)
        for partner in self:
            partner.kam_qualifying_tier_id = pick(basis[partner][0], partner.company_id or self.env.company)

    @api.model
    def _kam_processes(self):
        """The key-account processes of an account: every model built on kam.process.mixin
        whose records are one account's (`_kam_per_account`)."""
        return [self.env[name] for name in self.env.registry.descendants(['kam.process.mixin'], '_inherit')
                if not self.env[name]._abstract and self.env[name]._kam_per_account]

    @api.depends_context('uid', 'allowed_company_ids')  # counted under the reader's rules
    def _compute_kam_process_counts(self):
        """Each process's records of the commercial partner, and the contact notes of the
        partner itself, in one query: the record-rule filtered selections of the models the
        user may read (none of the others), united and counted together. A partner being
        edited counts those of its saved commercial partner and its own saved notes."""
        commercial = self.commercial_partner_id._origin
        all_processes = self._kam_processes()
        processes = [Process for Process in all_processes if Process.has_access('read')] if commercial else []
        Note = self.env['kam.contact.note']
        noted = self._origin if Note.has_access('read') else self.browse()
        selections = []
        for Model, field, partners in [*((Process, 'partner_id', commercial) for Process in processes),
                                       (Note, 'account_id', noted)]:
            if partners:
                query = Model._search([(field, 'in', partners.ids)])
                selections.append(SQL(
                    "SELECT %s AS model, partner_id FROM (%s) AS selection", Model._name,
                    query.select(SQL("%s AS partner_id", Model._field_to_sql(Model._table, field, query)))))
        counts = {}
        if selections:
            # execute_query flushes what the selections read (their fields carry it).
            counts = {(model, partner_id): count for model, partner_id, count in self.env.execute_query(SQL(
                "SELECT model, partner_id, COUNT(*) FROM (%s) AS records GROUP BY model, partner_id",
                SQL(" UNION ALL ").join(selections)))}
        for partner in self:
            for Process in all_processes:
                partner[Process._kam_partner_count_field] = counts.get(
                    (Process._name, partner.commercial_partner_id._origin.id), 0)
            partner.kam_contact_note_count = counts.get((Note._name, partner._origin.id), 0)

    def action_kam_open_process(self):
        """The stat button of a process (its model in the context key `kam_process_model`):
        its records of this account."""
        self.ensure_one()
        name = self.env.context.get('kam_process_model')
        Process = next((Process for Process in self._kam_processes() if Process._name == name), None)
        if Process is None:
            raise UserError(self.env._("%(model)s is not a key-account process.", model=name))
        return Process._kam_partner_action(self.commercial_partner_id)

    @api.depends_context('uid', 'allowed_company_ids')  # counted under the reader's rules
    def _compute_kam_visit_dates(self):
        """The dates of every partner at once: one grouped query, per partner and stage, of
        the visits done (their last actual start) and of those still to come (their first
        planned start)."""
        Visit = self.env['kam.visit']
        self.kam_last_visit_date = False
        self.kam_next_visit_date = False
        if not Visit.has_access('read') or not self.ids:
            return
        closed = (*DONE_VISIT_STAGES, 'cancelled')
        groups = Visit._read_group(
            [('partner_id', 'in', self.ids), '|', ('stage_id.code', 'in', DONE_VISIT_STAGES),
             '&', ('start', '>=', fields.Datetime.now()), ('stage_id.code', 'not in', closed)],
            ['partner_id', 'stage_id.code'], ['actual_start:max', 'start:min'])
        last, upcoming = {}, {}
        for partner, stage_code, actual_start, start in groups:
            if stage_code in DONE_VISIT_STAGES:
                if actual_start and (partner not in last or actual_start > last[partner]):
                    last[partner] = actual_start
            elif partner not in upcoming or start < upcoming[partner]:
                upcoming[partner] = start
        for partner in self:
            partner.kam_last_visit_date = last.get(partner, False)
            partner.kam_next_visit_date = upcoming.get(partner, False)

    @api.model
    def _read_group_kam_tier_ids(self, tiers, domain):
        # Every tier is a column of the Key Accounts kanban: a few configuration rows.
        return tiers.search([])  # pylint: disable=no-search-all

    @api.constrains('kam_manager_id', 'company_id')
    def _check_kam_manager_id(self):
        # ir.model.data's cache: no query per call (screenings check each candidate at request).
        kam_user_id = self.env['ir.model.data']._xmlid_to_res_id('kam_key_account.group_kam_user')
        for partner in self.filtered('kam_manager_id'):
            manager = partner.kam_manager_id
            if partner.company_id and partner.company_id not in manager.company_ids:
                raise ValidationError(self.env._(
                    "%(user)s cannot manage %(partner)s: they do not work for %(company)s.",
                    user=manager.name, partner=partner.display_name,
                    company=partner.company_id.name))
            if manager.share or kam_user_id not in manager.all_group_ids.ids:
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
        partners = super().create(vals_list)
        # Checked on what was created, not on what was sent: values, default_* context keys
        # and personal defaults (ir.default, which every employee may save) all fill them.
        if not self.env.su:
            self._check_kam_protected_fields({
                name for name in KAM_PROTECTED_FIELDS for partner in partners.sudo() if partner[name]})
        managed = partners.sudo().filtered('kam_manager_id')
        if managed:
            managed._kam_sync_team_manager()
        return partners

    def write(self, vals):
        self._check_kam_protected_fields(KAM_PROTECTED_FIELDS.intersection(vals))
        result = super().write(vals)
        if 'kam_manager_id' in vals and self.env.context.get('kam_team_sync') is not TEAM_SYNC:
            self._kam_sync_team_manager()
        return result

    def _kam_sync_team_manager(self):
        """The service team's KA-manager line follows the partner's key-account manager
        (set by a KAM Manager or a confirmed screening, with the partner's checks)."""
        Member = self.env['kam.service.team.member'].sudo().with_context(kam_team_sync=TEAM_SYNC)
        lines = Member.search([('partner_id', 'in', self.ids), ('role', '=', 'ka_manager')])
        by_partner = lines.grouped('partner_id')
        for partner in self.sudo():
            line = by_partner.get(partner, Member)
            if not partner.kam_manager_id:
                line.unlink()
            elif line:
                line.user_id = partner.kam_manager_id
            else:
                Member.create({'partner_id': partner.id, 'user_id': partner.kam_manager_id.id, 'role': 'ka_manager'})

    def action_kam_open_contact_notes(self):
        self.ensure_one()
        action = self.env['ir.actions.act_window']._for_xml_id('kam_key_account.kam_contact_note_action')
        action['domain'] = [('account_id', '=', self.id)]
        action['context'] = {'default_account_id': self.id}
        return action

    def action_kam_erase_personal_data(self):
        """Erase what the addon recorded about these people: their personal notes and
        the assessment fields. Visits, screenings and leads stay; the chatter says that
        the data was erased, never what it was."""
        self._check_kam_personal_data_manager()
        people = self.browse(dict.fromkeys(self.ids))
        notes = self.env['kam.contact.note'].search([('contact_id', 'in', people.ids)])
        note_counts = {contact: len(person_notes) for contact, person_notes in notes.grouped('contact_id').items()}
        notes.unlink()
        people._kam_personal_data_exports().unlink()  # earlier exports held what is erased
        people.write(dict.fromkeys(KAM_PERSONAL_FIELDS, False))
        labels = ", ".join(self._fields[name]._description_string(self.env) for name in KAM_PERSONAL_FIELDS)
        for person in people:
            person.message_post(body=self.env._(
                "Key-account personal data erased by %(user)s: %(count)s personal note(s) "
                "and the fields %(fields)s.",
                user=self.env.user.name, count=note_counts.get(person, 0), fields=labels))
        return True

    def action_kam_export_personal_data(self):
        """Everything the addon holds about one person, as a JSON file to download.

        The file is an attachment bound to no record, so only the manager who asked for
        it (and administrators) can open it. Export and erasure both work with the
        manager's own rights: the notes of the companies they work for."""
        self.ensure_one()
        self._check_kam_personal_data_manager()
        self._kam_personal_data_exports().unlink()  # one copy at most: the latest
        attachment = self.env['ir.attachment'].create({
            'name': f"personal-data-{self.id}.json",
            'description': self._kam_personal_data_marker(),
            'mimetype': 'application/json',
            'datas': base64.b64encode(json.dumps(
                self._kam_personal_data(), ensure_ascii=False, indent=2, default=str).encode()),
        })
        return {
            'type': 'ir.actions.act_url',
            'url': f'/web/content/{attachment.id}?download=true',
            'target': 'self',
        }

    def _kam_personal_data_marker(self):
        self.ensure_one()
        return f"kam_key_account personal data export of res.partner {self.id}"

    def _kam_personal_data_exports(self):
        """The stored exports of these people's data, whoever asked for them (with the
        engine's rights: the erasure must reach every copy, not only the caller's)."""
        return self.env['ir.attachment'].sudo().search([
            ('res_model', '=', False), ('res_id', '=', False),
            ('description', 'in', [person._kam_personal_data_marker() for person in self])])

    def _kam_personal_data(self):
        self.ensure_one()
        notes = self.env['kam.contact.note'].search([('contact_id', '=', self.id)])
        values = self.read(list(KAM_PERSONAL_FIELDS))[0]
        values['kam_reports_to_id'] = self.kam_reports_to_id.display_name or False
        del values['id']
        return {
            'partner': {'id': self.id, 'name': self.name, 'email': self.email or False,
                        'company': self.commercial_partner_id.name},
            'profile': values,
            'personal_notes': [
                dict({name: note[name] or False for name in NOTE_FIELDS},
                     account=note.account_id.display_name, written=note.create_date)
                for note in notes],
        }

    # Sales from the books: hooks that an accounting bridge (kam_key_account_account) fills.
    # Without it there are no books: S2 uses the hand-typed basis, D4 its own lines.

    def _kam_sales_basis(self):
        """The sales basis of S2 of each partner: ``{partner: (amount, 'books' or 'manual')}``."""
        books = self._kam_books_annual_sales()
        basis = {}
        for partner in self:
            amount = books.get(partner._origin)
            basis[partner] = (amount, 'books') if amount is not None else (partner.kam_annual_sales, 'manual')
        return basis

    def _kam_books_annual_sales(self):
        """Annual sales of these accounts from the books (S2), in the currency of each
        account's company (``partner.company_id or env.company``).

        :return: ``{partner: amount}`` for the accounts the books have sales for; an account
            missing from it falls back to its hand-typed ``kam_annual_sales``
        """
        return {}

    @api.model
    def _kam_sales_by_month(self, partners, date_from, date_to, company=None):
        """Sales of `partners` between two dates (inclusive) per month, in `company`'s
        currency (default: the current company).

        :return: ``{(partner, first day of the month): amount}``; empty without the books
        """
        return {}

    @api.model
    def _kam_sales_by_fiscal_year(self, partners, date_from, date_to, company=None):
        """Like `_kam_sales_by_month`, per fiscal year of `company`.

        :return: ``{(partner, last day of the fiscal year): amount}``; empty without the books
        """
        return {}

    @api.model
    def _kam_sales_by_product(self, partners, date_from, date_to, company=None):
        """Sales of `partners` per product between two dates (inclusive), for D4's
        transaction history, in `company`'s currency (default: the current company).

        :return: a list of ``{'partner': res.partner, 'product': product.product,
            'quantity': float, 'amount': float}``, largest amount first per partner;
            empty without the books (callers fall back to their own lines)
        """
        return []

    def _check_kam_personal_data_manager(self):
        if not self.env.user.has_group('kam_key_account.group_kam_manager'):
            raise AccessError(self.env._(
                "Only Key Accounts Managers may export or erase a person's personal data."))
        self.check_access('read')

    def _check_kam_protected_fields(self, field_names):
        if not field_names or self.env.su:
            return
        if not self.env.user.has_group('kam_key_account.group_kam_manager'):
            raise AccessError(self.env._(
                "Only Key Accounts Managers may set the key-account tier, the key-account "
                "manager or the key-account status (%(fields)s).",
                fields=", ".join(sorted(self._fields[f]._description_string(self.env)
                                        for f in field_names))))
