from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

COST_FIELDS = ('inventory_interest', 'staff_cost', 'travel_cost', 'management_cost')
CONTACT_METHODS = [('letter', 'Letter'), ('phone', 'Phone'), ('email', 'E-mail')]


class KamDevelopmentPlan(models.Model):
    """Key-account development plan (大客户开发方案, D1-D12), a controlled document.

    ================== ======================================================================
    Who                What
    ================== ======================================================================
    KAM User           prepares the plans they are responsible for or whose account they
                       manage (D1–D7), requests approval, then, once approved, holds the
                       development meeting (D8), makes the first contact (D9), logs the
                       contacts and development visits (D10–D11) and closes it Won or Lost
                       (D12)
    KAM Supervisor     reads every plan, reviews it at the first step (审核)
    KAM Manager        approves it at the second step (批准)
    approval engine    Analysis → Planned; the approved version is controlled: its content
                       is changed only through a New Revision
    every route        Won needs a logged contact and, unless the account already is a key
                       account, opens a screening prefilled from the plan (the one path into
                       the key-account system, one per account) and wins the linked
                       opportunity; Lost needs its reasons and loses the opportunity with
                       its lost reason; both file the plan's PDF for the archivist
    nobody             writes the forecast's verdict, the contact totals, the result dates
                       or the filed PDF; logs a contact of zero or negative time; enters a
                       negative cost or a risk coefficient outside 0–1
    ================== ======================================================================
    """
    _name = 'kam.development.plan'
    _description = 'Key-Account Development Plan'
    _inherit = ['kam.controlled.document.mixin', 'kam.filing.mixin']
    _order = 'id desc'
    _kam_process = 'development'
    _kam_sequence_code = 'kam.development.plan'
    _kam_approval_subtypes = {
        'requested': 'kam_key_account.mt_kam_development_plan_approval_requested',
        'step_approved': 'kam_key_account.mt_kam_development_plan_approval_step_approved',
        'approved': 'kam_key_account.mt_kam_development_plan_approval_approved',
        'rejected': 'kam_key_account.mt_kam_development_plan_approval_rejected',
        'reset': 'kam_key_account.mt_kam_development_plan_approval_reset',
        'escalated': 'kam_key_account.mt_kam_development_plan_approval_escalated',
    }
    _kam_partner_count_field = 'kam_development_plan_count'
    _kam_action = 'kam_key_account.kam_development_plan_action'
    # Prints the filed copy once there is one (action_kam_print).
    _kam_report = 'kam_key_account.action_report_kam_development_plan'
    _approval_relevant_fields = ('partner_id', 'user_id', 'expected_sales', 'expected_profit', 'risk_coefficient')
    # Analysis → (approval engine) Planned → Contacting ⇄ Visiting ⇄ Negotiating → Won / Lost.
    _kam_transitions = {
        'analysis': (),
        'planned': ('contacting', 'lost'),
        'contacting': ('visiting', 'negotiating', 'won', 'lost'),
        'visiting': ('contacting', 'negotiating', 'won', 'lost'),
        'negotiating': ('contacting', 'visiting', 'won', 'lost'),
        'won': (),
        'lost': (),
    }
    _kam_stage_verbs = {'won': 'win', 'lost': 'lose'}
    _kam_engine_fields = ('result_date', 'filed_report_id', 'screening_id')
    # D8-D12 happen after the plan was approved: they are its execution, not its content.
    _kam_uncontrolled_fields = (
        'meeting_event_id', 'method_presentation', 'method_mailing', 'method_visits', 'meeting_decision',
        'first_contact_method', 'first_contact_date', 'first_contact_notes', 'lead_id', 'lost_reason_id',
        'failure_reasons', 'result_summary', 'record_line_ids', 'visit_ids',
    )
    _kam_filing_report = _kam_report
    _kam_filing_field = 'filed_report_id'

    partner_id = fields.Many2one(string='Account or Prospect')
    user_id = fields.Many2one(string='Development Manager', required=True)
    previous_revision_id = fields.Many2one('kam.development.plan', readonly=True, copy=False)
    lead_id = fields.Many2one(
        'crm.lead', 'Opportunity', check_company=True, tracking=True, index='btree_not_null', copy=False,
        domain=[('type', '=', 'opportunity')])
    # D1-D2 classification and analysis (from the partner, summarised here)
    product_category_ids = fields.Many2many(
        related='partner_id.kam_product_category_ids', string='Product Categories')
    customer_nature_ids = fields.Many2many(related='partner_id.kam_customer_nature_ids')
    service_content_ids = fields.Many2many(related='partner_id.kam_service_content_ids')
    analysis_summary = fields.Html(
        help="D2: the account's operating figures, sales profile and decision makers, in a few words.")
    # D3 purchase factors
    factor_line_ids = fields.One2many(
        'kam.development.plan.factor', 'plan_id', 'Purchase Factors', copy=True,
        default=lambda self: self._default_factor_lines())
    # D4 transaction history
    sale_line_ids = fields.One2many('kam.development.plan.sale', 'plan_id', 'Transaction History', copy=True)
    won_revenue = fields.Monetary(
        'Won Opportunities', compute='_compute_won_revenue',
        help="Expected revenue of the account's won opportunities.")
    recorded_sales = fields.Monetary('Our Annual Sales', compute='_compute_share')
    customer_purchases = fields.Monetary(
        "Customer's Total Purchases", help="An estimate of what the customer buys per year, from everyone.")
    our_share = fields.Float('Our Share (%)', compute='_compute_share', digits=(5, 1))
    # Key Accounts roles only: the books refuse their figures to anyone else (the archive room).
    books_sales_summary = fields.Text(
        'Sales per Product (Books)', compute='_compute_books_sales_summary', groups='kam_key_account.group_kam_user')
    # D5 competitors and risk
    competitor_ids = fields.Many2many('kam.competitor', string='Competitors', check_company=True)
    our_strengths = fields.Text()
    our_weaknesses = fields.Text()
    development_risk = fields.Text()
    # D6 forecast
    expected_sales = fields.Monetary(tracking=True)
    expected_profit = fields.Monetary(tracking=True)
    inventory_interest = fields.Monetary()
    staff_cost = fields.Monetary()
    travel_cost = fields.Monetary()
    management_cost = fields.Monetary()
    risk_coefficient = fields.Float(digits=(3, 2), help="0 (no risk) to 1 (certain failure).")
    expected_value = fields.Monetary(
        compute='_compute_expected_value', store=True,
        help="Profit × (1 − risk coefficient) − (inventory interest + staff + travel + management).")
    worth_developing = fields.Boolean(
        compute='_compute_expected_value', store=True,
        help="The expected value reaches the company's development threshold.")
    # D7 competitive advantages
    advantage_cost = fields.Text('Lower Total Purchase Cost')
    advantage_revenue = fields.Text('More Revenue')
    advantage_waste = fields.Text('Less Waste')
    advantage_efficiency = fields.Text('Higher Efficiency')
    advantage_solution = fields.Text('A Real Solution')
    advantage_intangible = fields.Text('Intangible Value')
    # D8 development meeting
    meeting_event_id = fields.Many2one('calendar.event', 'Development Meeting', copy=False)
    method_presentation = fields.Boolean('Presentation or Promotion Meeting')
    method_mailing = fields.Boolean('Mailed Materials')
    method_visits = fields.Boolean('Visits')
    meeting_decision = fields.Text()
    # D9 first contact
    first_contact_method = fields.Selection(CONTACT_METHODS, copy=False)
    first_contact_date = fields.Date(copy=False)
    first_contact_notes = fields.Text(copy=False)
    # D10 visits, D11 record
    visit_ids = fields.One2many('kam.visit', 'development_plan_id', 'Development Visits')
    visit_count = fields.Integer(compute='_compute_visit_count')
    record_line_ids = fields.One2many('kam.development.plan.record', 'plan_id', 'Development Record', copy=False)
    contact_count = fields.Integer('Contacts', compute='_compute_record_totals', store=True)
    total_hours = fields.Float('Time Spent (Hours)', compute='_compute_record_totals', store=True)
    # D12 result
    result_date = fields.Date(readonly=True, copy=False)
    lost_reason_id = fields.Many2one('crm.lost.reason', copy=False)
    failure_reasons = fields.Text(copy=False)
    result_summary = fields.Text('Summary', copy=False)
    screening_id = fields.Many2one('kam.screening', readonly=True, copy=False)
    filed_report_id = fields.Many2one('ir.attachment', 'Filed Plan', readonly=True, copy=False)

    _positive_costs = models.Constraint(
        'CHECK(inventory_interest >= 0 AND staff_cost >= 0 AND travel_cost >= 0 AND management_cost >= 0 '
        'AND customer_purchases >= 0)',
        "Costs and purchases of a development plan cannot be negative.")
    _risk_coefficient_range = models.Constraint(
        'CHECK(risk_coefficient >= 0 AND risk_coefficient <= 1)',
        "The risk coefficient of a development plan goes from 0 to 1.")

    @api.model
    def _default_factor_lines(self):
        return [Command.create({'name': name, 'impact': impact}) for name, impact in (
            (self.env._("Purchase cost"), 'high'),
            (self.env._("Technical content"), 'medium'),
            (self.env._("Policy and social factors"), 'medium'),
        )]

    @api.depends('partner_id')
    def _compute_won_revenue(self):
        partners = self.partner_id.commercial_partner_id
        # With the reader's own rights: the archive room reads no opportunities.
        if not self.env['crm.lead'].has_access('read'):
            partners = partners.browse()
        groups = self.env['crm.lead']._read_group(
            [('partner_id.commercial_partner_id', 'in', partners.ids), ('won_status', '=', 'won')],
            ['partner_id'], ['expected_revenue:sum']) if partners else []
        won = {}
        for partner, amount in groups:
            won[partner.commercial_partner_id] = won.get(partner.commercial_partner_id, 0.0) + amount
        for plan in self:
            plan.won_revenue = won.get(plan.partner_id.commercial_partner_id, 0.0)

    @api.depends('sale_line_ids.amount', 'won_revenue', 'customer_purchases')
    def _compute_share(self):
        for plan in self:
            plan.recorded_sales = sum(plan.sale_line_ids.mapped('amount')) or plan.won_revenue
            plan.our_share = 100.0 * plan.recorded_sales / plan.customer_purchases if plan.customer_purchases else 0.0

    @api.depends('partner_id', 'company_id')
    @api.depends_context('uid', 'allowed_company_ids')
    def _compute_books_sales_summary(self):
        today = fields.Date.context_today(self)
        by_partner = {}
        # With the reader's own rights: the archive room reads the plan, not the account's
        # sales; each plan's figures are those of its company, when the user works in it.
        if self.env.su or self.env.user.has_group('kam_key_account.group_kam_user'):
            plans = self.filtered(lambda p: p.partner_id and p.company_id in self.env.companies)
            for company, company_plans in plans.grouped('company_id').items():
                for line in self.env['res.partner']._kam_sales_by_product(
                        company_plans.partner_id, today - timedelta(days=365), today, company):
                    by_partner.setdefault((line['partner'], company), []).append(line)
        for plan in self:
            plan.books_sales_summary = "\n".join(
                f"{line['product'].display_name}: {line['quantity']:g} / {line['amount']:,.2f}"
                for line in by_partner.get((plan.partner_id, plan.company_id), [])) or False

    @api.depends('expected_profit', 'risk_coefficient', *COST_FIELDS, 'company_id.kam_development_threshold')
    def _compute_expected_value(self):
        for plan in self:
            costs = sum(plan[name] for name in COST_FIELDS)
            plan.expected_value = plan.expected_profit * (1 - plan.risk_coefficient) - costs
            plan.worth_developing = bool(plan.expected_profit) and \
                plan.expected_value >= plan.company_id.kam_development_threshold

    def _compute_visit_count(self):
        counts = dict(self.env['kam.visit']._read_group(
            [('development_plan_id', 'in', self.ids)], ['development_plan_id'], ['__count']))
        for plan in self:
            plan.visit_count = counts.get(plan, 0)

    @api.depends('record_line_ids.duration')
    def _compute_record_totals(self):
        groups = {plan: (count, hours) for plan, count, hours in self.env['kam.development.plan.record']._read_group(
            [('plan_id', 'in', self.ids)], ['plan_id'], ['__count', 'duration:sum'])} if self.ids else {}
        for plan in self:
            if plan.id:
                plan.contact_count, plan.total_hours = groups.get(plan, (0, 0.0))
            else:  # a new record in a form: its lines are in the cache only
                plan.contact_count = len(plan.record_line_ids)
                plan.total_hours = sum(plan.record_line_ids.mapped('duration'))

    # ------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------

    def action_start_contacting(self):
        return self._kam_move_to('contacting')

    def action_win(self):
        return self._kam_move_to('won')

    def action_lose(self):
        return self._kam_move_to('lost')

    def action_schedule_meeting(self):
        """D8: the development meeting on the calendar, with the development team."""
        self.ensure_one()
        action = self.env['ir.actions.actions']._for_xml_id('calendar.action_calendar_event')
        team = self.user_id.partner_id | self.visit_ids.visitor_ids.partner_id
        action['context'] = {
            'default_name': self.env._("Development meeting: %(account)s", account=self.partner_id.name),
            'default_partner_ids': team.ids,
            'default_privacy': 'private',
        }
        return action

    def action_send_first_contact(self):
        """D9 by e-mail: the composer with the first-contact template."""
        self.ensure_one()
        template = self.env.ref('kam_key_account.mail_template_kam_development_first_contact', raise_if_not_found=False)
        return {
            'type': 'ir.actions.act_window',
            'res_model': 'mail.compose.message',
            'view_mode': 'form',
            'views': [(False, 'form')],
            'target': 'new',
            'context': {
                'default_model': self._name, 'default_res_ids': self.ids,
                'default_template_id': template.id if template else False,
                'default_composition_mode': 'comment',
            },
        }

    def action_open_visits(self):
        self.ensure_one()
        return {
            'type': 'ir.actions.act_window', 'name': self.env._("Development Visits"),
            'res_model': 'kam.visit', 'view_mode': 'list,form,calendar',
            'domain': [('development_plan_id', '=', self.id)],
            'context': {'default_development_plan_id': self.id, 'default_partner_id': self.partner_id.id,
                        'default_visit_type': 'development'},
        }

    def action_print_record(self):
        return self.env.ref('kam_key_account.action_report_kam_development_record').report_action(self)

    # ------------------------------------------------------------------------------------
    # Stage verbs (kam.process.mixin)
    # ------------------------------------------------------------------------------------

    def _check_can_win(self):
        for plan in self:
            if not plan.record_line_ids:
                raise UserError(self.env._(
                    "%(plan)s has no logged contact: log the contacts in the development record (D11) "
                    "before closing it as won.", plan=plan.display_name))

    def _do_win(self, stage):
        """D12 success: the account enters the key-account system through a screening
        prefilled from the plan (the existing chain confirms it); the opportunity is won."""
        self._kam_write_stage(stage)
        self._kam_engine_write({'result_date': fields.Date.context_today(self)})
        self.lead_id.filtered(lambda lead: lead.active and lead.won_status != 'won').action_set_won()
        self._kam_open_screenings()
        self._kam_filing_queue()

    def _check_can_lose(self):
        for plan in self:
            if not plan.lost_reason_id and not (plan.failure_reasons or '').strip():
                raise UserError(self.env._(
                    "Say why %(plan)s failed (a lost reason or the failure reasons) before closing it as lost.",
                    plan=plan.display_name))

    def _do_lose(self, stage):
        self._kam_write_stage(stage)
        self._kam_engine_write({'result_date': fields.Date.context_today(self)})
        for plan in self.filtered(lambda p: p.lead_id.active):
            plan.lead_id.action_set_lost(lost_reason_id=plan.lost_reason_id.id)
        self._kam_filing_queue()

    def _kam_filing_due(self):
        """Filed when closed, won or lost: the archivist files both outcomes."""
        return self.filtered(lambda p: p.stage_id.code in ('won', 'lost'))

    def _kam_open_screenings(self):
        """Link each won plan to its account's open screening, or to a new one prefilled from
        the plan. An account that is already a key account needs no screening."""
        plans = self.filtered(lambda p: not p.partner_id.commercial_partner_id.kam_is_key_account)
        if not plans:
            return
        Screening = self.env['kam.screening']
        open_screenings = {
            screening.partner_id: screening
            for screening in Screening.search([('partner_id', 'in', plans.partner_id.ids), ('is_open', '=', True)])
        }
        for plan in plans:
            screening = open_screenings.get(plan.partner_id)
            if not screening:
                screening = open_screenings[plan.partner_id] = Screening.create(plan._prepare_screening_vals())
            plan._kam_engine_write({'screening_id': screening.id})

    def _prepare_screening_vals(self):
        self.ensure_one()
        return {
            'partner_id': self.partner_id.id,
            'company_id': self.company_id.id,
            'user_id': self.user_id.id,
            'annual_sales': self.expected_sales,
            'proposed_manager_id': self.user_id.id,
            'needs': self.analysis_summary,
            'no_competitor': not self.competitor_ids,
            'competitor_line_ids': [Command.create({
                'competitor_id': competitor.id,
                'strengths': self.our_weaknesses,
                'weaknesses': self.our_strengths,
            }) for competitor in self.competitor_ids],
        }

    # ------------------------------------------------------------------------------------
    # Approval engine hooks
    # ------------------------------------------------------------------------------------

    def _check_approval_ready(self):
        for plan in self:
            if not plan.expected_sales or not plan.expected_profit:
                raise UserError(self.env._(
                    "%(plan)s needs its forecast (expected sales and profit, D6) before approval is requested.",
                    plan=plan.display_name))
            if not plan.factor_line_ids:
                raise UserError(self.env._(
                    "%(plan)s needs its purchase factors (D3) before approval is requested.", plan=plan.display_name))

    def _kam_development_visit_done(self, visits):
        """D11: each completed development visit logs its contact, once, on the version of
        its plan in force: a visit planned under a version that a New Revision replaced
        moves to the revision (the obsolete version's record is kept as it was)."""
        in_force = visits.development_plan_id._kam_version_in_force()
        for plan, planned in visits.grouped('development_plan_id').items():
            if in_force[plan] != plan:
                planned.sudo().development_plan_id = in_force[plan]
        visits = visits.filtered(lambda v: v.development_plan_id.control_state != 'obsolete')
        logged = set(self.env['kam.development.plan.record'].search([('visit_id', 'in', visits.ids)]).visit_id.ids)
        self.env['kam.development.plan.record'].sudo().create([{
            'plan_id': visit.development_plan_id.id,
            'visit_id': visit.id,
            'date': visit.actual_start or visit.start or fields.Datetime.now(),
            'contact_id': (visit.contact_id or visit.contact_ids[:1]).id,
            'duration': max(((visit.actual_stop - visit.actual_start).total_seconds() / 3600.0)
                            if visit.actual_start and visit.actual_stop else 0.0, 0.25),
            'method': 'visit',
            'progress': 'explanation',
            'notes': visit.purpose,
        } for visit in visits if visit.id not in logged])

    def _kam_version_in_force(self):
        """{plan: the version of its document in force}: itself, or for an obsolete version
        the revision that replaced it, however many times it was revised (one search)."""
        in_force = {plan: plan for plan in self}
        obsolete = self.filtered(lambda p: p.control_state == 'obsolete')
        if obsolete:
            current = self.sudo().search([
                ('document_number', 'in', obsolete.mapped('document_number')),
                ('company_id', 'in', obsolete.company_id.ids), ('control_state', '!=', 'obsolete')])
            by_number = {(plan.company_id, plan.document_number): plan.with_env(self.env) for plan in current}
            for plan in obsolete:
                in_force[plan] = by_number.get((plan.company_id, plan.document_number), plan)
        return in_force
