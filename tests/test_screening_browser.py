"""What a person clicks, and the filed PDF (HttpCase: wkhtmltopdf fetches Odoo's CSS)."""
from odoo.tests import HttpCase


class TestScreeningBrowser(HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()

        def user(login, role):
            return cls.env['res.users'].create({
                'name': login.replace('_', ' ').title(), 'login': login, 'password': login, 'lang': 'en_US',
                'group_ids': [cls.env.ref(f'kam_key_account.group_kam_{role}').id]})
        cls.requester = user('kam_tour_user', 'user')
        cls.supervisor = user('kam_tour_supervisor', 'supervisor')
        cls.manager = user('kam_tour_manager', 'manager')
        cls.env.ref('kam_key_account.kam_approval_step_screening_supervisor').write(
            {'approver_kind': 'users', 'user_ids': [(6, 0, cls.supervisor.ids)]})
        cls.env.ref('kam_key_account.kam_approval_step_screening_manager').write(
            {'approver_kind': 'users', 'user_ids': [(6, 0, cls.manager.ids)]})

    def _screening(self, name):
        partner = self.env['res.partner'].create({'name': name, 'is_company': True})
        screening = self.env['kam.screening'].with_user(self.requester).create({
            'partner_id': partner.id, 'annual_sales': 25_000_000, 'proposed_manager_id': self.requester.id,
            'needs': '<p>Second supplier for optics</p>', 'technology_score': 4, 'production_score': 4,
            'after_sales_score': 4, 'no_competitor': True})
        screening.risk_line_ids.write({'score': 4})
        return screening

    def test_supervisor_then_manager_approve_in_the_browser(self):
        screening = self._screening('Tour Prospect Ltd')
        screening.with_user(self.requester).action_request_approval()
        self.start_tour('/odoo/my-approvals', 'kam_my_approvals_tour', login='kam_tour_supervisor')
        self.assertEqual(screening.approval_review_id.name, 'Manager Approval')
        self.assertEqual(screening.approval_review_ids.decision_ids.user_id, self.supervisor)
        # Then the manager confirms it, and finds the account under its new tier.
        self.start_tour(f'/odoo/key-account-screenings/{screening.id}', 'kam_manager_confirms_tour',
                        login='kam_tour_manager')
        self.assertEqual(screening.approval_state, 'approved')
        self.assertEqual(screening.partner_id.kam_tier_id, self.env.ref('kam_key_account.kam_tier_strategic'))

    def test_card_dragged_onto_a_gated_column_stays_put(self):
        screening = self._screening('Tour Gate Co')
        self.start_tour('/odoo/key-account-screenings', 'kam_gated_column_tour', login='kam_tour_user')
        self.assertEqual(screening.stage_id, self.env.ref('kam_key_account.kam_stage_screening_draft'))
        self.assertEqual(screening.approval_state, 'draft')

    def test_confirmation_files_the_risk_analysis_pdf(self):
        """S10: the approved risk-analysis table is kept as a PDF attachment."""
        screening = self._screening('Filed Prospect Co')
        screening.with_user(self.requester).action_request_approval()
        screening.with_user(self.supervisor).action_approve()
        screening.with_user(self.manager).action_approve()
        self.assertEqual(screening.filing_state, 'pending', "queued, not rendered in the approval")
        screening.with_context(force_report_rendering=True)._kam_file_documents()  # the filing job
        attachment = screening.risk_report_id
        self.assertTrue(attachment, "filed after confirmation")
        self.assertEqual(attachment.name, f"{screening.name.replace('/', '-')}-risk-analysis.pdf")
        self.assertEqual((attachment.res_model, attachment.res_id), ('kam.screening', screening.id))
        self.assertTrue(attachment.raw.startswith(b'%PDF'))
        self.assertTrue(screening.partner_id.kam_is_key_account)
