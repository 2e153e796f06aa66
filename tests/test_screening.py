"""Key-account screening, S1-S10, played by users of each role."""
from ast import literal_eval

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, new_test_user

from .common import KamScreeningCommon


class TestScreening(KamScreeningCommon):

    def test_full_screening_by_each_role(self):
        prospect = self.env['res.partner'].create({
            'name': 'Hangzhou Smart Devices Co.', 'is_company': True, 'kam_annual_sales': 7_500_000,
            'kam_product_category_ids': [(6, 0, self.env.ref('kam_key_account.kam_classification_product_equipment').ids)],
        })
        competitor = self.env['kam.competitor'].create({'name': 'Rival Automation'})
        # S1-S7: the salesperson prepares it in the form.
        with Form(self.env['kam.screening'].with_user(self.kam_user)) as form:
            form.partner_id = prospect
            self.assertEqual(form.annual_sales, 7_500_000, "S2 from the partner's sales basis")
            self.assertEqual(form.proposed_tier_id, self.tier_key, "S2: the tier the sales qualify for")
            self.assertEqual(len(form.product_category_ids), 1, "S1 classification from the partner")
            form.proposed_manager_id = self.kam_user
            form.needs = '<p>Predictive maintenance for 40 lines</p>'
            form.technology_score = 5
            form.production_score = 4
            form.after_sales_score = 3
            self.assertEqual(form.likelihood, 'high', "S5: fit 4.0")
            with form.competitor_line_ids.new() as line:
                line.competitor_id = competitor
                line.strengths = 'Local service'
                line.weaknesses = 'Old technology'
            for index in range(len(form.risk_line_ids)):
                with form.risk_line_ids.edit(index) as risk:
                    risk.score = 4
                    risk.comment = 'Checked'
        screening = form.record
        self.assertTrue(screening.name.startswith('SCR/'))
        self.assertEqual(screening.stage_id, self.stage_draft)
        self.assertEqual(screening.risk_score, 4.0)
        self.assertEqual(screening.risk_level, 'low')
        # S8: supervisor reviews, manager approves.
        screening.with_user(self.kam_user).action_request_approval()
        self.assertEqual(screening.stage_id, self.stage_supervisor)
        screening.with_user(self.kam_supervisor).action_approve()
        self.assertEqual(screening.stage_id, self.stage_manager)
        screening.with_user(self.kam_manager).action_approve()
        # S9: the partner is a key account with its tier and its one manager.
        self.assertRecordValues(prospect, [{
            'kam_is_key_account': True, 'kam_tier_id': self.tier_key.id,
            'kam_manager_id': self.kam_user.id}])
        self.assertTrue(prospect.kam_confirmed_date)
        self.assertEqual(screening.stage_id, self.stage_confirmed)
        self.assertTrue(screening.confirmed_date)
        # S10: filed, read-only below Manager.
        for user in (self.kam_user, self.kam_supervisor):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                screening.with_user(user).write({'needs': '<p>changed</p>'})
            with self.assertRaises(AccessError):
                screening.risk_line_ids[0].with_user(user).write({'score': 1})
            with self.assertRaises(AccessError):
                screening.with_user(user).unlink()
        filed = self.env['ir.attachment'].create({
            'name': 'signed-minutes.pdf', 'raw': b'%PDF-1.4', 'res_model': 'kam.screening', 'res_id': screening.id})
        for user in (self.kam_user, self.kam_supervisor):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                filed.with_user(user).unlink()
            with self.assertRaises(AccessError):
                filed.with_user(user).write({'name': 'renamed.pdf'})
        self.assertEqual(filed.with_user(self.kam_user).read(['name'])[0]['name'], 'signed-minutes.pdf',
                         "filed documents stay readable")
        screening.with_user(self.kam_manager).write({'resource_notes': 'Reviewed at filing'})
        self.assertEqual(screening.with_user(self.kam_director).read(['approval_state'])[0]['approval_state'], 'approved')
        # The account now shows up under its tier, with one screening on its stat button.
        self.assertEqual(prospect.kam_screening_count, 1)
        kanban_domain = literal_eval(self.env.ref('kam_key_account.kam_account_action').domain)
        accounts = self.env['res.partner'].search(kanban_domain + [('kam_tier_id', '=', self.tier_key.id)])
        self.assertIn(prospect, accounts, "the Key Accounts kanban shows it under its new tier")

    def test_risk_report_renders_the_table(self):
        html = self.env['ir.actions.report']._render_qweb_html(
            'kam_key_account.report_kam_screening_risk', self.screening.ids)[0].decode()
        self.assertIn('Customer Risk Analysis', html)
        self.assertIn(self.screening.name, html)
        self.assertIn('Competitive Advantage', html)
        self.assertIn('4.00', html)

    # ---- bad input ----------------------------------------------------------------

    def test_scores_out_of_range_are_refused(self):
        line = self.screening.risk_line_ids[0]
        for score in (6, -1):
            with self.subTest(score=score), self.assertRaisesText(ValidationError, 'scored from 1'):
                line.write({'score': score})
        with self.assertRaisesText(ValidationError, 'Resource scores'):
            self.screening.technology_score = 9
        self.assertEqual(line.score, 4)

    def test_weights_must_be_positive(self):
        with self.assertRaisesText(ValidationError, 'must be positive'):
            self.screening.risk_line_ids[0].weight = 0
        with self.assertRaisesText(ValidationError, 'must be positive'):
            self.env['kam.risk.indicator'].create({'name': 'Bad', 'weight': -2})

    def test_one_open_screening_per_partner(self):
        with self.assertRaisesText(ValidationError, 'already being screened'):
            self.env['kam.screening'].with_user(self.kam_user).create({'partner_id': self.screening.partner_id.id})
        # Once the first is rejected (closed), a new screening may start.
        self.screening.with_user(self.kam_user).action_request_approval()
        self.screening.with_user(self.kam_supervisor)._approval_reject("Not now")
        again = self.env['kam.screening'].with_user(self.kam_user).create({'partner_id': self.screening.partner_id.id})
        self.assertEqual(again.stage_id, self.stage_draft)

    def test_is_open_follows_the_stage_and_its_closing_flag(self):
        self.assertTrue(self.screening.is_open)
        self.screening.with_user(self.kam_user).action_request_approval()
        self.screening.with_user(self.kam_supervisor)._approval_reject("Not now")
        self.assertFalse(self.screening.is_open)
        self.stage_rejected.with_user(self.kam_manager).is_closed = False
        self.assertTrue(self.screening.is_open, "a stage reopened reopens its screenings")
        self.stage_rejected.with_user(self.kam_manager).is_closed = True
        self.assertFalse(self.screening.is_open)
        again = self.env['kam.screening'].with_user(self.kam_user).create({'partner_id': self.screening.partner_id.id})
        with self.assertRaisesText(ValidationError, 'already being screened'):
            self.screening.with_user(self.kam_user).write({'stage_id': self.stage_draft.id})
        with self.assertRaisesText(ValidationError, 'already being screened'):
            self.env['kam.screening'].with_user(self.kam_user).create([
                {'partner_id': self.account_2.id}, {'partner_id': self.account_2.id}])
        self.assertTrue(again.is_open)

    def test_cannot_approve_without_risk_lines(self):
        self.screening.risk_line_ids.unlink()
        with self.assertRaisesText(UserError, 'risk-analysis table'):
            self.screening.with_user(self.kam_user).action_request_approval()
        self.assertEqual(self.screening.approval_state, 'draft')
        other = self._new_screening(name='Half Done Ltd')
        other.with_user(self.kam_user).action_request_approval()
        other.risk_line_ids[0].with_user(self.kam_user).score = 0  # a changed table withdraws the request
        with self.assertRaisesText(UserError, 'risk-analysis table'):
            other.with_user(self.kam_supervisor).action_approve()
        self.assertEqual(other.approval_state, 'draft')
        with self.assertRaisesText(UserError, 'risk-analysis table'):
            other.with_user(self.kam_user).action_request_approval()

    def test_weighted_risk_and_bands(self):
        lines = self.screening.risk_line_ids.sorted('sequence')
        # Weights 1.5, 1.5, 1, 1, 1 (total 6).
        lines.write({'score': 2})
        lines[0].score = 5
        self.assertAlmostEqual(self.screening.risk_score, (5 * 1.5 + 2 * 1.5 + 2 * 3) / 6)
        self.assertEqual(self.screening.risk_level, 'medium')
        lines.write({'score': 1})
        self.assertEqual(self.screening.risk_level, 'high')
        self.env.ref('kam_key_account.kam_risk_band_medium').min_score = 1.0
        self.screening.invalidate_recordset(['risk_level'])
        self.env.add_to_compute(self.screening._fields['risk_level'], self.screening)
        lines.write({'score': 1})
        self.assertEqual(self.screening.risk_level, 'medium', "bands are configuration")

    def test_user_sees_only_their_screenings(self):
        mine = self.screening
        theirs = self._new_screening(user=self.kam_user_2, name='Other Prospect', proposed_manager_id=self.kam_user_2.id)
        Screening = self.env['kam.screening']
        self.assertEqual(Screening.with_user(self.kam_user).search([('id', 'in', (mine | theirs).ids)]), mine)
        self.assertEqual(Screening.with_user(self.kam_supervisor).search([('id', 'in', (mine | theirs).ids)]),
                         mine | theirs)

    def test_views_load(self):
        for view_type in ('kanban', 'list', 'form', 'search', 'pivot', 'graph', 'activity'):
            arch = self.env['kam.screening'].with_user(self.kam_user).get_views([(False, view_type)])
            self.assertIn(view_type, arch['views'])
        groups = self.env['kam.screening'].with_user(self.kam_supervisor).with_context(
            read_group_expand=True).web_read_group(
            [], ['stage_id'], ['__count'], unfold_read_specification={'name': {}})
        stage_ids = [g['stage_id'][0] for g in groups['groups']]
        self.assertIn(self.stage_manager.id, stage_ids, "every stage is a column, empty or not")

    def test_the_supervisor_review_goes_to_the_requesters_own_supervisor(self):
        """The default chain: the responsible's sales-team leader reviews; without a team,
        the Key Accounts Supervisors do."""
        self.step_supervisor.write({'approver_kind': 'team_leader', 'user_ids': [Command.clear()]})
        team_lead = new_test_user(self.env, login='kam_t_team_lead', groups='kam_key_account.group_kam_supervisor',
                                  name='Team Lead', company_ids=[self.company.id])
        self.env['crm.team'].create({'name': 'Key Accounts East', 'user_id': team_lead.id,
                                     'member_ids': [Command.link(self.kam_user.id)]})
        self.assertEqual(self.kam_user.sale_team_id.user_id, team_lead)
        self.screening.with_user(self.kam_user).action_request_approval()
        self.assertEqual(self.screening.approval_reviewer_ids, team_lead, "the team's leader, nobody else")

        lone = self._new_screening(user=self.kam_user_2, name='Teamless Prospect')
        lone.with_user(self.kam_user_2).action_request_approval()
        self.assertIn(self.kam_supervisor, lone.approval_reviewer_ids, "no team: the Supervisors")
        self.assertFalse(lone.approval_review_id.escalated, "a fallback, not an escalation")
