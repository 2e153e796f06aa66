from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import is_html_empty

from .kam_risk_band import RISK_LEVELS

SCORE_FIELDS = ('technology_score', 'production_score', 'after_sales_score')
LIKELIHOODS = [('low', 'Unlikely'), ('medium', 'Possible'), ('high', 'Likely')]


class KamScreening(models.Model):
    """Key-account screening (大客户筛选, S1–S10): is this customer a key account?

    ================== ================================================================
    Who                What
    ================== ================================================================
    KAM User           prepares screenings of the partners they are responsible for or
                       manage, and requests approval once the needs, the three resource
                       scores and the competitor analysis (a competitor, or No Competitor)
                       are filled in; moves a screening by hand only back to Draft (which
                       withdraws its approval): the other stages are the approval engine's
    KAM Supervisor     reads every screening, reviews (审核) at the first step
    KAM Manager        approves (确定) at the second step; the only one who still writes a
                       confirmed screening
    writers            changing the candidate, tier, manager, sales, No Competitor or a line
                       of the competitor or risk tables of a screening waiting for or holding
                       its approval withdraws it (a filed one goes back to Draft); adjust the
                       scores that the Resource Fit and Competitor Situation lines propose
                       from S5 and S6
    nobody             writes the fit, risk score and levels (computed), the open
                       flag, the confirmation date, the filed risk analysis or its filing
                       state (the engine's and the filing job's)
    ================== ================================================================

    Final approval makes the partner a key account with the proposed tier and manager
    (S9) and queues the filing of the risk-analysis table as a PDF attachment (S10, after
    commit: kam.filing.mixin); a confirmed screening prints its filed copy. A partner has at
    most one open screening (not in a closing stage), whoever's it is: the database
    guarantees it, for transactions that run at the same time too.
    """
    _name = 'kam.screening'
    _description = 'Key-Account Screening'
    _inherit = ['kam.process.mixin', 'kam.filing.mixin']
    _order = 'id desc'
    _kam_process = 'screening'
    _kam_sequence_code = 'kam.screening'
    _kam_approval_subtypes = {
        'requested': 'kam_key_account.mt_kam_screening_approval_requested',
        'step_approved': 'kam_key_account.mt_kam_screening_approval_step_approved',
        'approved': 'kam_key_account.mt_kam_screening_approval_approved',
        'rejected': 'kam_key_account.mt_kam_screening_approval_rejected',
        'reset': 'kam_key_account.mt_kam_screening_approval_reset',
        'escalated': 'kam_key_account.mt_kam_screening_approval_escalated',
    }
    _kam_partner_count_field = 'kam_screening_count'
    _kam_action = 'kam_key_account.kam_screening_action'
    # Prints the filed copy once there is one (action_kam_print).
    _kam_report = 'kam_key_account.action_report_kam_screening_risk'
    _approval_relevant_fields = (
        'partner_id', 'proposed_tier_id', 'proposed_manager_id', 'annual_sales', 'no_competitor')
    # Draft → (approval engine: Supervisor Review → Manager Approval → Confirmed, or
    # Rejected). By hand a screening only goes back to Draft, which withdraws its approval.
    _kam_transitions = {
        'draft': (),
        'supervisor': ('draft',),
        'manager': ('draft',),
        'confirmed': ('draft',),
        'rejected': ('draft',),
    }
    _kam_engine_fields = ('confirmed_date', 'risk_report_id')
    # S10: the approved risk-analysis table, filed after commit by the filing job.
    _kam_filing_report = _kam_report
    _kam_filing_field = 'risk_report_id'

    partner_id = fields.Many2one(string='Candidate')
    confirmed_date = fields.Date(readonly=True, copy=False)
    # Stored for the unique index below: an index cannot look into the stage table.
    is_open = fields.Boolean(compute='_compute_is_open', store=True, index=True)

    # S1 classification
    product_category_ids = fields.Many2many(
        'kam.classification', 'kam_screening_product_category_rel', 'screening_id', 'classification_id',
        'Product Categories', domain=[('kind', '=', 'product_category')])
    customer_nature_ids = fields.Many2many(
        'kam.classification', 'kam_screening_customer_nature_rel', 'screening_id', 'classification_id',
        domain=[('kind', '=', 'customer_nature')])
    service_content_ids = fields.Many2many(
        'kam.classification', 'kam_screening_service_content_rel', 'screening_id', 'classification_id',
        domain=[('kind', '=', 'service_content')])
    # S2 potential
    annual_sales = fields.Monetary(tracking=True)
    proposed_tier_id = fields.Many2one(
        'kam.tier', compute='_compute_proposed_tier_id', store=True, readonly=False,
        tracking=True, check_company=True, help="From the annual sales and the tier thresholds (S2); can be adjusted.")
    proposed_manager_id = fields.Many2one(
        'res.users', 'Proposed Key-Account Manager', tracking=True, domain=[('share', '=', False)],
        help="The one person who will develop and manage the account (S9).")
    # S3 needs
    needs = fields.Html()
    opportunities = fields.Html('Sales Opportunities')
    # S4-S5 our resources and the fit
    technology_score = fields.Integer('Technology', help="Our technology for this customer: 1 (weak) to 5 (strong).")
    production_score = fields.Integer('Production', help="Our production capacity for it: 1 (weak) to 5 (strong).")
    after_sales_score = fields.Integer('After-Sales', help="Our after-sales service for it: 1 (weak) to 5 (strong).")
    resource_notes = fields.Text('Resource Assessment')
    fit_analysis = fields.Html()
    fit_score = fields.Float(compute='_compute_fit', store=True, digits=(4, 2), aggregator='avg')
    likelihood = fields.Selection(
        LIKELIHOODS, compute='_compute_fit', store=True,
        help="How likely the customer becomes a key account: from our resources' scores (S5).")
    # S6 competitors, S7 risk table
    competitor_line_ids = fields.One2many('kam.screening.competitor', 'screening_id', 'Competitors', copy=True)
    no_competitor = fields.Boolean(
        tracking=True,
        help="The competitor analysis found no competitor at this customer (S6): say so explicitly. "
             "Competitors listed count over this flag.")
    risk_line_ids = fields.One2many('kam.screening.risk.line', 'screening_id', 'Risk Analysis',
                                    default=lambda self: self._default_risk_lines(), copy=True)
    risk_score = fields.Float(compute='_compute_risk', store=True, digits=(4, 2), aggregator='avg',
                              help="Weighted mean of the indicator scores, 1 (unfavourable) to 5 (favourable).")
    risk_level = fields.Selection(RISK_LEVELS, compute='_compute_risk', store=True, tracking=True)
    # S10 filing
    risk_report_id = fields.Many2one('ir.attachment', 'Filed Risk Analysis', readonly=True, copy=False)

    _one_open_per_partner = models.UniqueIndex(
        '(partner_id) WHERE is_open',
        "This partner is already being screened: finish that screening first.")

    @api.model
    def _default_risk_lines(self):
        return [fields.Command.create({'indicator_id': indicator.id, 'weight': indicator.weight})
                for indicator in self.env['kam.risk.indicator'].search([])]

    @api.depends('stage_id.is_closed')
    def _compute_is_open(self):
        for screening in self:
            screening.is_open = not screening.stage_id.is_closed

    @api.depends('annual_sales', 'company_id')
    def _compute_proposed_tier_id(self):
        pick = self.env['kam.tier']._tier_picker(self.company_id | self.env.company)
        for screening in self:
            screening.proposed_tier_id = pick(screening.annual_sales, screening.company_id or self.env.company)

    @api.depends('technology_score', 'production_score', 'after_sales_score')
    def _compute_fit(self):
        for screening in self:
            scores = [screening[name] for name in SCORE_FIELDS if screening[name]]
            screening.fit_score = sum(scores) / len(scores) if scores else 0.0
            if not scores:
                screening.likelihood = False
            elif screening.fit_score >= 4:
                screening.likelihood = 'high'
            elif screening.fit_score >= 3:
                screening.likelihood = 'medium'
            else:
                screening.likelihood = 'low'

    @api.depends('risk_line_ids.score', 'risk_line_ids.weight')
    def _compute_risk(self):
        level_for = self.env['kam.risk.band']._level_picker()
        for screening in self:
            lines = screening.risk_line_ids.filtered('score')
            weight = sum(lines.mapped('weight'))
            if not weight:
                screening.risk_score = 0.0
                screening.risk_level = False
                continue
            screening.risk_score = sum(line.score * line.weight for line in lines) / weight
            screening.risk_level = level_for(screening.risk_score)

    @api.constrains(*SCORE_FIELDS)
    def _check_resource_scores(self):
        for screening in self:
            if any(not 0 <= screening[name] <= 5 for name in SCORE_FIELDS):
                raise ValidationError(self.env._(
                    "Resource scores of %(screening)s go from 1 (weak) to 5 (strong).", screening=screening.name))

    @api.model_create_multi
    def create(self, vals_list):
        Stage = self.env['kam.stage']
        self._check_partners_not_screened([
            vals['partner_id'] for vals in vals_list
            if vals.get('partner_id') and not Stage.browse(vals.get('stage_id')).is_closed])
        for vals in vals_list:
            if vals.get('partner_id') and not any(
                    vals.get(f) for f in ('product_category_ids', 'customer_nature_ids', 'service_content_ids')):
                partner = self.env['res.partner'].browse(vals['partner_id'])
                vals.update(self._prepare_classification_vals(partner))
        return super().create(vals_list)

    def write(self, vals):
        self._check_not_filed()
        if {'partner_id', 'stage_id'} & vals.keys():
            stage = self.env['kam.stage'].browse(vals['stage_id']) if 'stage_id' in vals else None
            self._check_partners_not_screened([  # those that open, or change partner while open
                vals.get('partner_id', screening.partner_id.id) for screening in self
                if (not screening.is_open or vals.get('partner_id', screening.partner_id.id) != screening.partner_id.id)
                and not (stage if stage is not None else screening.stage_id).is_closed])
        return super().write(vals)

    def _check_partners_not_screened(self, partner_ids):
        """Name the screening in the way before the unique index `_one_open_per_partner`
        refuses the row. The index is the guarantee: this search does not see what another
        transaction has not committed yet."""
        partner_ids = [partner_id for partner_id in partner_ids if partner_id]
        if not partner_ids:
            return
        others = self.sudo().search([  # others' screenings count too
            ('partner_id', 'in', partner_ids), ('is_open', '=', True), ('id', 'not in', self.ids)], limit=1)
        if not others and len(set(partner_ids)) == len(partner_ids):
            return
        partner = (others.partner_id or self.env['res.partner'].browse(
            next(p for p in partner_ids if partner_ids.count(p) > 1))).with_env(self.env)
        others = others.with_env(self.env)
        # The search saw every screening (sudo): name them only to users who may read them,
        # or the message tells anyone which partner ids of other companies are screened.
        if not (partner.has_access('read') and (not others or others.has_access('read'))):
            raise ValidationError(self.env._(
                "This partner is already being screened: finish that screening first."))
        raise ValidationError(self.env._(
            "%(partner)s is already being screened (%(screening)s): finish that screening first.",
            partner=partner.display_name, screening=others.name or self.env._("twice in this request")))

    def _check_not_filed(self):
        if not self.env.su and not self.env.user.has_group('kam_key_account.group_kam_manager') \
                and any(s.approval_state == 'approved' for s in self):
            raise AccessError(self.env._(
                "A confirmed screening is filed: only a Key Accounts Manager can change it."))

    def _kam_check_lines_writable(self):
        if not self.env.su:
            self.check_access('write')
            self._check_not_filed()

    def _kam_lines_changed(self):
        """The competitor and risk tables are part of what the reviewers approve: changed,
        like the header's `_approval_relevant_fields`, they withdraw the approval."""
        if self.env.su:
            return
        changed = self.filtered(lambda s: s.approval_state in ('pending', 'approved'))
        if changed:
            changed._approval_env()._do_reset_approval()

    @api.onchange('partner_id')
    def _onchange_partner_id(self):
        if self.partner_id:
            self.update(self._prepare_classification_vals(self.partner_id))
            self.annual_sales = self.annual_sales or self.partner_id.kam_sales_basis
            self.proposed_manager_id = self.proposed_manager_id or self.partner_id.kam_manager_id

    # approval engine hooks

    def _check_approval_ready(self):
        """Complete before the supervisor sees it (S3-S7), else the filed table is empty;
        and what S9 will write valid."""
        self._check_screening_complete()
        for screening in self:
            if not screening.proposed_tier_id or not screening.proposed_manager_id:
                raise UserError(self.env._(
                    "%(screening)s needs a proposed tier and a proposed key-account manager (S2, S9).",
                    screening=screening.name))
            # What S9 will write must pass the partner's own checks, now rather than at the end.
            candidate = screening.partner_id.new({
                'company_id': screening.partner_id.company_id.id,
                'kam_manager_id': screening.proposed_manager_id.id,
                'kam_tier_id': screening.proposed_tier_id.id})
            candidate._check_kam_manager_id()
            candidate._check_kam_tier_id()

    def _check_screening_complete(self):
        """The needs (S3), our three resource scores (S4), the competitor analysis (S6: a
        competitor, or explicitly none) and a scored risk table (S7): what a supervisor
        cannot review without. Two grouped queries for the batch."""
        competitors = dict(self.env['kam.screening.competitor']._read_group(
            [('screening_id', 'in', self.ids)], ['screening_id'], ['__count']))
        risk_lines = {screening: (count, lowest) for screening, count, lowest in self.env[
            'kam.screening.risk.line']._read_group(
            [('screening_id', 'in', self.ids)], ['screening_id'], ['__count', 'score:min'])}
        for screening in self:
            missing = []
            if is_html_empty(screening.needs):
                missing.append(self.env._("the customer's needs (S3)"))
            unscored = [self._fields[name]._description_string(self.env) for name in SCORE_FIELDS if not screening[name]]
            if unscored:
                missing.append(self.env._("the resource scores %(scores)s (S4)", scores=", ".join(unscored)))
            if not competitors.get(screening) and not screening.no_competitor:
                missing.append(self.env._("the competitor analysis: a competitor, or tick No Competitor (S6)"))
            if missing:
                raise UserError(self.env._(
                    "%(screening)s is not complete: fill in %(missing)s before approval is requested.",
                    screening=screening.name, missing=", ".join(missing)))
            count, lowest = risk_lines.get(screening, (0, 0))
            if not count or not lowest:
                raise UserError(self.env._(
                    "Score every line of the risk-analysis table of %(screening)s before it is approved (S7).",
                    screening=screening.name))

    def action_approve(self):
        # The proposed tier and manager are approval-relevant (changing them withdraws the
        # request, S9 checks them again on the partner); the needs and scores are not, and
        # may have been emptied since the request.
        self._check_screening_complete()
        return super().action_approve()

    def _on_approval_approved(self):
        """S9: the partner becomes a key account. S10: the risk table is filed as a PDF."""
        today = fields.Date.context_today(self)
        for (tier, manager), screenings in self.grouped(
                lambda s: (s.proposed_tier_id, s.proposed_manager_id)).items():
            screenings.partner_id.write({  # one write per tier and manager, not per account
                'kam_tier_id': tier.id,
                'kam_manager_id': manager.id,
                'kam_is_key_account': True,
                'kam_confirmed_date': today,
            })
        for screening in self.filtered(lambda s: s.annual_sales and s.annual_sales != s.partner_id.kam_annual_sales):
            screening.partner_id.kam_annual_sales = screening.annual_sales
        self._kam_engine_write({'confirmed_date': today})
        self._file_risk_analysis()

    def _file_risk_analysis(self):
        """S10: queue the filing of the risk table as a PDF. Rendering takes over a second
        a screening with wkhtmltopdf: the filing job does it after the approval's commit
        (kam.filing.mixin), one fresh rendering each, never an attachment found by name."""
        self._kam_filing_queue()

    def _kam_filing_filename(self):
        return self._risk_report_filename()

    def _risk_report_filename(self):
        return f"{self.name.replace('/', '-')}-risk-analysis.pdf"

    @api.model
    def _prepare_classification_vals(self, partner):
        return {
            'product_category_ids': [fields.Command.set(partner.kam_product_category_ids.ids)],
            'customer_nature_ids': [fields.Command.set(partner.kam_customer_nature_ids.ids)],
            'service_content_ids': [fields.Command.set(partner.kam_service_content_ids.ids)],
        }
