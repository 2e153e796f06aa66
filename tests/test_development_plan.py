"""Development plans (D1-D12): the whole path, the forecast, the record, both results."""
from datetime import timedelta
from unittest.mock import patch

from psycopg2.errors import CheckViolation

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user
from odoo.tools import mute_logger

from .common import KamDevelopmentPlanCommon, ProcessContract


class TestDevelopmentPlanContract(ProcessContract, KamDevelopmentPlanCommon):

    def _contract_new_record(self, **values):
        return self._new_plan(**values)


class TestDevelopmentPlan(KamDevelopmentPlanCommon):

    def _lead(self):
        return self.env['crm.lead'].create({
            'name': 'Packaging lines 2027', 'type': 'opportunity', 'partner_id': self.prospect.id,
            'user_id': self.kam_user.id, 'expected_revenue': 300_000})

    def _development_visit(self, plan):
        premeeting = self.env['calendar.event'].create({
            'name': 'Pre-visit discussion', 'start': fields.Datetime.now() - timedelta(hours=3),
            'stop': fields.Datetime.now() - timedelta(hours=2),
            'partner_ids': [(6, 0, self.kam_supervisor.partner_id.ids)]})
        start = fields.Datetime.now().replace(microsecond=0) - timedelta(hours=1)
        return self.env['kam.visit'].with_user(self.kam_supervisor).create({
            'partner_id': plan.partner_id.id, 'contact_id': self.prospect_contact.id,
            'visit_type': 'development', 'development_plan_id': plan.id, 'premeeting_event_id': premeeting.id,
            'purpose': 'Demonstrate the line controller', 'start': start, 'stop': start + timedelta(hours=1),
            'actual_start': start, 'actual_stop': start + timedelta(minutes=90),
        })

    def test_default_purchase_factors(self):
        self.assertEqual(self.plan.factor_line_ids.mapped('name'),
                         ['Purchase cost', 'Technical content', 'Policy and social factors'])

    def test_forecast_verdict(self):
        # 400,000 x (1 - 0.25) - (10,000 + 60,000 + 20,000 + 10,000) = 200,000
        self.assertEqual(self.plan.expected_value, 200_000)
        self.company.kam_development_threshold = 200_000
        self.assertTrue(self.plan.worth_developing)
        self.company.kam_development_threshold = 200_001
        self.assertFalse(self.plan.worth_developing)
        self.plan.with_user(self.kam_user).risk_coefficient = 0.0
        self.assertEqual(self.plan.expected_value, 300_000)
        self.assertTrue(self.plan.worth_developing)

    def test_bad_input_is_refused(self):
        mine = self.plan.with_user(self.kam_user)
        for vals in ({'staff_cost': -1}, {'travel_cost': -0.01}, {'inventory_interest': -5},
                     {'management_cost': -5}, {'risk_coefficient': 1.01}, {'risk_coefficient': -0.1}):
            with self.subTest(vals=vals), mute_logger('odoo.sql_db'), self.assertRaises(CheckViolation):
                mine.write(vals)
                mine.env.flush_all()
        for hours in (0, -1):
            with self.subTest(hours=hours), self.assertRaisesText(ValidationError, 'takes some time'):
                mine.write({'record_line_ids': [(0, 0, {'duration': hours})]})
        self.assertFalse(self.plan.record_line_ids)

    def test_whole_path_won(self):
        lead = self._lead()
        plan = self.plan
        plan.with_user(self.kam_user).write({'lead_id': lead.id, 'customer_purchases': 1_000_000})
        self.assertEqual(lead.kam_development_plan_ids, plan)
        # D4: won opportunities of the account count as our sales until lines are typed.
        won_before = self.env['crm.lead'].create({
            'name': 'Spare parts 2025', 'type': 'opportunity', 'partner_id': self.prospect.id,
            'expected_revenue': 100_000})
        won_before.action_set_won()
        plan.invalidate_recordset(['won_revenue', 'recorded_sales', 'our_share'])
        self.assertEqual(plan.won_revenue, 100_000)
        self.assertEqual(plan.our_share, 10.0)
        # Approval: Supervisor review -> Manager approval -> Planned, controlled.
        self.approve_plan(plan)
        self.assertEqual(plan.stage_code, 'planned')
        mine = plan.with_user(self.kam_user)
        # D8-D9
        mine.write({'method_visits': True, 'meeting_decision': 'Visit the plant', 'first_contact_method': 'phone',
                    'first_contact_date': fields.Date.today()})
        mine.action_start_contacting()
        # A won plan needs a logged contact.
        with self.assertRaisesText(UserError, 'no logged contact'):
            mine.action_win()
        # D10-D11: the completed development visit logs its contact.
        visit = self._development_visit(plan)
        visit.action_book()
        visit.action_confirm_appointment()
        visit.action_done()
        line = plan.record_line_ids
        self.assertRecordValues(line, [{'visit_id': visit.id, 'method': 'visit', 'duration': 1.5,
                                        'contact_id': self.prospect_contact.id}])
        mine.write({'record_line_ids': [(0, 0, {'duration': 0.5, 'method': 'phone', 'attitude': 'warm'})]})
        self.assertEqual((plan.contact_count, plan.total_hours), (2, 2.0))
        self.assertEqual(plan.visit_count, 1)
        mine.write({'stage_id': self.env.ref('kam_key_account.kam_stage_development_negotiating').id})
        # D12 success: screening prefilled, opportunity won, the plan queued for filing.
        mine.action_win()
        self.assertEqual(plan.stage_code, 'won')
        self.assertEqual(lead.won_status, 'won')
        self.assertRecordValues(plan.screening_id, [{
            'partner_id': self.prospect.id, 'annual_sales': 2_000_000, 'proposed_manager_id': self.kam_user.id,
            'approval_state': 'draft', 'no_competitor': True}])
        self.assertEqual(plan.filing_state, 'pending')
        self.assertTrue(plan.result_date)

    def test_lost_needs_reasons_and_loses_the_opportunity(self):
        lead = self._lead()
        plan = self.plan
        plan.with_user(self.kam_user).lead_id = lead
        self.approve_plan(plan)
        mine = plan.with_user(self.kam_user)
        with self.assertRaisesText(UserError, 'Say why'):
            mine.action_lose()
        reason = self.env['crm.lost.reason'].create({'name': 'Bound to a competitor for three years'})
        mine.write({'lost_reason_id': reason.id, 'failure_reasons': 'A three-year frame contract with a rival.'})
        mine.action_lose()
        self.assertEqual(plan.stage_code, 'lost')
        self.assertRecordValues(lead.with_context(active_test=False), [{
            'active': False, 'won_status': 'lost', 'lost_reason_id': reason.id}])
        self.assertEqual(plan.filing_state, 'pending')

    def _won(self, plans):
        """Approve each plan, log a contact and close them all as won in one call."""
        for plan in plans:
            self.approve_plan(plan)
            plan.with_user(self.kam_user).action_start_contacting()
            plan.with_user(self.kam_user).write({
                'record_line_ids': [(0, 0, {'duration': 1.0, 'method': 'phone', 'attitude': 'warm'})]})
        plans.with_user(self.kam_user).action_win()
        self.assertEqual(set(plans.mapped('stage_code')), {'won'})

    def test_won_plans_of_one_prospect_share_its_screening(self):
        second = self._new_plan()
        plans = self.plan | second
        self._won(plans)
        screening = self.plan.screening_id
        self.assertTrue(screening)
        self.assertEqual(second.screening_id, screening)
        self.assertEqual(self.env['kam.screening'].search_count([('partner_id', '=', self.prospect.id)]), 1)

    def test_won_plan_of_a_key_account_opens_no_screening(self):
        self.prospect.write({'kam_is_key_account': True, 'kam_confirmed_date': fields.Date.today()})
        self._won(self.plan)
        self.assertFalse(self.plan.screening_id)
        self.assertFalse(self.env['kam.screening'].search_count([('partner_id', '=', self.prospect.id)]))
        self.assertEqual(self.plan.filing_state, 'pending')

    def test_no_stage_after_analysis_before_approval(self):
        mine = self.plan.with_user(self.kam_user)
        for code in ('planned', 'contacting', 'won', 'lost'):
            with self.subTest(code=code), self.assertRaises(UserError):
                mine.write({'stage_id': self.env.ref(f'kam_key_account.kam_stage_development_{code}').id})
        self.assertEqual(self.plan.stage_code, 'analysis')

    def test_visit_of_a_plan_is_a_development_visit_of_its_account(self):
        with self.assertRaisesText(ValidationError, 'same account'):
            self.env['kam.visit'].with_user(self.kam_user).create({
                'partner_id': self.account.id, 'development_plan_id': self.plan.id, 'purpose': 'x'})

    def test_rights(self):
        other = self._new_plan(user=self.kam_user_2, partner=self.account_2)
        Plan = self.env['kam.development.plan']
        self.assertEqual(Plan.with_user(self.kam_user).search([('id', 'in', (self.plan | other).ids)]), self.plan)
        self.assertEqual(Plan.with_user(self.kam_supervisor).search([('id', 'in', (self.plan | other).ids)]),
                         self.plan | other)
        self.assertFalse(Plan.with_user(self.employee).has_access('read'))
        with self.assertRaises(Exception):
            other.with_user(self.kam_user).write({'analysis_summary': 'mine now'})
        with self.assertRaises(Exception):
            self.env['kam.development.plan.record'].with_user(self.kam_user).create(
                {'plan_id': other.id, 'duration': 1})

    def test_query_budgets(self):
        plans = self.env['kam.development.plan'].browse([
            self._new_plan(partner=self.env['res.partner'].create(
                {'name': f'Prospect {i}', 'is_company': True})).id for i in range(20)])
        plans.write({'record_line_ids': [(0, 0, {'duration': 1})]})
        self.env.flush_all()
        self.env.invalidate_all()
        Plan = self.env['kam.development.plan'].with_user(self.kam_supervisor)
        kanban = Plan.get_views([(False, 'kanban')])['views']['kanban']
        self.assertTrue(kanban)
        spec = {'name': {}, 'partner_id': {'fields': {'display_name': {}}}, 'expected_value': {},
                'contact_count': {}, 'control_state': {}, 'user_id': {'fields': {'display_name': {}}},
                'activity_state': {}, 'currency_id': {'fields': {}}}
        with self.assertQueryCount(19):  # the same for 40 plans: nothing per record
            Plan.web_read_group([('id', 'in', plans.ids)], ['stage_id'], ['__count'],
                                auto_unfold=True, unfold_read_specification=spec)
        self.env.invalidate_all()
        with self.assertQueryCount(3):
            totals = Plan.browse(plans.ids)._read_group(
                [('id', 'in', plans.ids)], [], ['contact_count:sum', 'total_hours:sum'])
        self.assertEqual(totals, [(20, 20.0)])


class TestDevelopmentPlanArchivist(KamDevelopmentPlanCommon):

    def test_archivist_reads_confirmed_plans_only(self):
        archivist = new_test_user(self.env, login='kam_t_dev_archivist', groups='kam_key_account.group_kam_archivist',
                                  company_id=self.company.id)
        draft = self._new_plan(partner=self.account_2, user=self.kam_user_2)
        confirmed = self.approve_plan(self.plan)
        confirmed.with_user(self.kam_user).write({'record_line_ids': [(0, 0, {'duration': 1})]})
        Plan = self.env['kam.development.plan'].with_user(archivist)
        self.assertEqual(Plan.search([('id', 'in', (confirmed | draft).ids)]), confirmed)
        for view_type in ('form', 'list'):
            fields_ = Plan.get_views([(False, view_type)])['models']['kam.development.plan']['fields']
            confirmed.with_user(archivist).web_read({name: {} for name in fields_})
        self.assertEqual(confirmed.with_user(archivist).record_line_ids.duration, 1)
        with self.assertRaises(AccessError):
            draft.with_user(archivist).read(['name'])
        with self.assertRaises(AccessError):
            confirmed.with_user(archivist).write({'result_summary': 'Changed'})

    def test_archivist_reads_the_form_when_the_books_refuse_them(self):
        """With the accounting bridge, the books' per-product sales refuse anyone without a
        Key Accounts role (kam_key_account_account: _kam_check_sales_access): the archive
        room still opens a confirmed plan, without those figures."""
        archivist = new_test_user(self.env, login='kam_t_dev_archivist2', groups='kam_key_account.group_kam_archivist',
                                  company_id=self.company.id)
        confirmed = self.approve_plan(self.plan)
        Partner = type(self.env['res.partner'])

        def books(partner_model, partners, date_from, date_to, company=None):
            if not partner_model.env.su and not partner_model.env.user.has_group('kam_key_account.group_kam_user'):
                raise AccessError(partner_model.env._("Only Key Accounts users may read the sales figures of accounts."))
            return []

        with patch.object(Partner, '_kam_sales_by_product', books):
            Plan = self.env['kam.development.plan'].with_user(archivist)
            fields_ = Plan.get_views([(False, 'form')])['models']['kam.development.plan']['fields']
            confirmed.with_user(archivist).web_read({name: {} for name in fields_})
            # KAM users still see them.
            confirmed.with_user(self.kam_user).web_read({'books_sales_summary': {}})
