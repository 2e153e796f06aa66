from odoo.tests import TransactionCase


class TestDemoData(TransactionCase):
    """`make test` installs the module with its demo data, as `make run` does."""

    def test_demo_accounts_cover_every_tier(self):
        accounts = self.env['res.partner'].search([
            ('is_company', '=', True), ('kam_tier_id', '!=', False),
            ('id', 'in', [self.env.ref(f'kam_key_account.kam_partner_{x}').id for x in
                          ('huadong', 'northwind', 'xinneng', 'atlas', 'tianfu', 'meridian')])])
        self.assertEqual(len(accounts), 6)
        default_tiers = self.env['kam.tier'].search([('company_id', '=', False)])
        self.assertEqual(accounts.kam_tier_id, default_tiers)
        self.assertTrue(any('\u4e00' <= ch <= '\u9fff' for ch in ''.join(accounts.mapped('name'))))
        for account in accounts:
            self.assertGreaterEqual(len(account.child_ids), 2, account.name)
            self.assertGreaterEqual(len(account.kam_figure_ids), 2, account.name)
            self.assertTrue(account.kam_manager_id, account.name)

    def test_demo_users_for_each_role(self):
        for xmlid, group in [('kam_user_li', 'user'), ('kam_supervisor', 'supervisor'),
                             ('kam_manager', 'manager'), ('kam_director', 'director'),
                             ('kam_gm', 'general_manager')]:
            user = self.env.ref(f'kam_key_account.{xmlid}')
            self.assertTrue(user.has_group(f'kam_key_account.group_kam_{group}'), xmlid)

    def test_demo_screening_waits_for_the_supervisor(self):
        screening = self.env.ref('kam_key_account.kam_screening_demo_wuhan')
        self.assertEqual(screening.approval_state, 'pending')
        self.assertEqual(screening.stage_id, self.env.ref('kam_key_account.kam_stage_screening_supervisor'))
        self.assertIn(self.env.ref('kam_key_account.kam_supervisor'), screening.approval_reviewer_ids)
        self.assertEqual(screening.risk_level, 'low')

    def test_demo_visits(self):
        booked = self.env.ref('kam_key_account.kam_visit_demo_northwind')
        self.assertEqual(booked.appointment_state, 'booked')
        self.assertTrue(booked.event_id)
        made = self.env.ref('kam_key_account.kam_visit_demo_xinneng')
        self.assertEqual(made.stage_id, self.env.ref('kam_key_account.kam_stage_visit_done'))
        self.assertTrue(self.env['mail.activity'].search([
            ('res_model', '=', 'res.partner'), ('res_id', '=', made.partner_id.id), ('summary', 'ilike', made.name)]),
            "the one-week follow-up is on the account")

    def test_demo_admin_has_a_timezone(self):
        self.assertEqual(self.env.ref('base.user_admin').tz, 'Asia/Shanghai')

    def test_demo_key_accounts_team_and_pipeline(self):
        team = self.env.ref('kam_key_account.kam_crm_team_key_accounts')
        self.assertEqual(team.user_id, self.env.ref('kam_key_account.kam_supervisor'))
        for xmlid in ('kam_user_li', 'kam_user_emma'):
            self.assertIn(self.env.ref(f'kam_key_account.{xmlid}'), team.member_ids, xmlid)
        leads = self.env['crm.lead'].search([('team_id', '=', team.id), ('type', '=', 'opportunity')])
        for i in range(1, 5):
            self.assertIn(self.env.ref(f'crm.stage_lead{i}'), leads.stage_id, f'stage_lead{i}')
        self.assertTrue(all(lead.partner_id.kam_is_key_account for lead in leads))
        self.assertTrue(all(lead.user_id in team.member_ids for lead in leads))
        self.assertTrue(any('\u4e00' <= ch <= '\u9fff' for ch in ''.join(leads.mapped('name'))))

    def test_demo_visits_in_each_stage(self):
        visits = self.env['kam.visit'].search([])
        for code in ('planned', 'booked', 'prepared', 'done', 'summarised', 'cancelled'):
            self.assertIn(self.env.ref(f'kam_key_account.kam_stage_visit_{code}'), visits.stage_id, code)
        prepared = self.env.ref('kam_key_account.kam_visit_demo_huadong_prepared')
        self.assertEqual(prepared.appointment_state, 'confirmed')
        self.assertEqual(prepared.checklist_progress, 100.0)

    def test_demo_screening_waits_for_the_manager(self):
        screening = self.env.ref('kam_key_account.kam_screening_demo_hangzhou')
        self.assertEqual(screening.approval_state, 'pending')
        self.assertEqual(screening.stage_id, self.env.ref('kam_key_account.kam_stage_screening_manager'))
        manager = self.env.ref('kam_key_account.kam_manager')
        self.assertIn(manager, screening.approval_reviewer_ids)
        self.assertTrue(self.env['kam.screening'].with_user(manager).search(
            [('approval_reviewer_ids', 'in', manager.id)]), "My Approvals of the manager is not empty")

    def test_demo_screening_confirmed_through_the_engine_and_its_filing_queued(self):
        screening = self.env.ref('kam_key_account.kam_screening_demo_suzhou')
        self.assertEqual(screening.approval_state, 'approved')
        self.assertEqual(screening.stage_id, self.env.ref('kam_key_account.kam_stage_screening_confirmed'))
        self.assertTrue(screening.partner_id.kam_is_key_account)
        self.assertEqual(screening.partner_id.kam_manager_id, self.env.ref('kam_key_account.kam_user_li'))
        # The real steps, each decided by its reviewer, not fields written by hand.
        deciders = screening.approval_review_ids.decision_ids.filtered(lambda d: d.decision == 'approved').user_id
        self.assertEqual(deciders, self.env.ref('kam_key_account.kam_supervisor') | self.env.ref('kam_key_account.kam_manager'))
        # Its PDF is filed by the filing job when the server runs (tests/test_filing.py
        # runs it on this screening), or by its first print.
        self.assertIn(screening.filing_state, ('pending', 'filed'))
        if screening.filing_state == 'pending':
            cron = self.env.ref('kam_key_account.ir_cron_kam_file_documents')
            self.assertTrue(self.env['ir.cron.trigger'].search([('cron_id', '=', cron.id)]), "the job is queued")

    def test_demo_service_teams_and_requests_in_each_stage(self):
        accounts = self.env['res.partner'].search(
            [('kam_is_key_account', '=', True), ('is_company', '=', True), ('kam_manager_id', '!=', False)])
        for account in accounts:
            with self.subTest(account=account.name):
                roles = set(account.kam_service_member_ids.mapped('role'))
                self.assertIn('ka_manager', roles)
                self.assertGreaterEqual(len(roles), 5)
        requests = self.env['kam.service.request'].search([])
        for code in ('draft', 'review', 'approved', 'progress', 'done', 'refused'):
            self.assertIn(self.env.ref(f'kam_key_account.kam_stage_service_{code}'), requests.stage_id, code)
        special = requests.filtered(lambda r: r.special_payment_terms and r.approval_state == 'approved')
        self.assertTrue(special, "one request with special payment terms went through the GM's step")
        self.assertEqual(special[:1].approved_by_id, self.env.ref('kam_key_account.kam_gm'))
        self.assertTrue(special[:1].event_ids.calendar_event_id)

    def test_demo_suggestions_in_every_stage_and_a_summary_waiting_for_the_director(self):
        suggestions = self.env['kam.suggestion'].search([])
        stages = self.env['kam.stage'].search([('process', '=', 'suggestion')])
        self.assertEqual(suggestions.stage_id, stages, "a suggestion in every stage")
        self.assertTrue(suggestions.filtered(lambda s: s.approval_state == 'rejected' and s.stage_code == 'report'),
                        "one report sent back for improvements")
        waiting = self.env['kam.suggestion.summary'].search([('stage_id.code', '=', 'director')])
        self.assertEqual(len(waiting), 1)
        self.assertEqual(waiting.approval_state, 'pending')
        self.assertEqual(set(waiting.opinion_ids.mapped('state')), {'done'}, "its departments answered")
        self.assertIn(self.env.ref('kam_key_account.kam_director'), waiting.approval_reviewer_ids)
        mailed = suggestions.filtered(lambda s: s.message_ids.filtered(lambda m: m.message_type == 'email'))
        self.assertTrue(mailed.filtered('partner_id'), "an e-mail of a contact, on its account (G1)")
        self.assertTrue(mailed.filtered(lambda s: not s.partner_id), "an unknown sender's e-mail, to triage")
        replied = suggestions.filtered('reply_date')
        self.assertTrue(replied, "one reply sent")
        self.assertTrue(replied.message_ids.filtered(lambda m: m.message_type == 'comment'))
