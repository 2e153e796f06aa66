"""The controlled-document mixin (issue 8), through its first consumer, the development plan."""
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service.model import call_kw

from .common import KamDevelopmentPlanCommon


class TestControlledDocument(KamDevelopmentPlanCommon):

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

    def test_number_and_draft_on_create(self):
        self.assertEqual(self.plan.document_number, self.plan.name)
        self.assertEqual(self.plan.control_state, 'draft')
        self.assertEqual((self.plan.revision, self.plan.revision_mark), (0, 'A'))

    def test_engine_fills_prepared_reviewed_approved(self):
        plan = self.plan
        plan.with_user(self.kam_user).action_request_approval()
        self.assertEqual(plan.prepared_by_id, self.kam_user)
        self.assertTrue(plan.prepared_date)
        self.assertFalse(plan.reviewed_by_id)
        plan.with_user(self.kam_supervisor).action_approve()
        self.assertEqual(plan.reviewed_by_id, self.kam_supervisor)
        self.assertFalse(plan.approved_by_id)
        self.assertEqual(plan.control_state, 'draft')
        plan.with_user(self.kam_manager).action_approve()
        self.assertRecordValues(plan, [{
            'approved_by_id': self.kam_manager.id, 'control_state': 'controlled',
            'stage_code': 'planned', 'approval_state': 'approved'}])
        self.assertTrue(plan.approved_date)

    def test_controlled_version_is_not_edited_in_place(self):
        plan = self.approve_plan(self.plan)
        mine = plan.with_user(self.kam_user)
        with self.assertRaisesText(UserError, 'new revision'):
            mine.write({'expected_profit': 1})
        with self.assertRaisesText(UserError, 'new revision'):
            mine.factor_line_ids[:1].write({'notes': 'changed'})
        with self.assertRaisesText(UserError, 'new revision'):
            mine.web_save({'analysis_summary': '<p>changed</p>'}, {})
        self.assertEqual(plan.expected_profit, 400_000)
        # Its execution goes on: the development record and the stage.
        mine.write({'record_line_ids': [(0, 0, {'duration': 1, 'method': 'phone'})]})
        mine.action_start_contacting()
        self.assertEqual(plan.stage_code, 'contacting')

    def test_control_fields_are_refused_over_rpc(self):
        Plan = self.env['kam.development.plan'].with_user(self.kam_manager)
        for vals in ({'control_state': 'controlled'}, {'approved_by_id': self.kam_gm.id},
                     {'document_number': 'X-1'}, {'revision': 3}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                call_kw(Plan, 'write', [self.plan.ids, vals], {'context': {}})
        with self.assertRaises(AccessError):
            Plan.with_context(default_control_state='controlled').create({'partner_id': self.prospect.id})

    def test_new_revision(self):
        plan = self.approve_plan(self.plan)
        plan.sudo().filed_report_id = self.env['ir.attachment'].create({
            'name': 'filed.pdf', 'raw': b'%PDF', 'res_model': plan._name, 'res_id': plan.id})
        filed = plan.filed_report_id
        action = plan.with_user(self.kam_user).action_new_revision()
        revision = self.env['kam.development.plan'].browse(action['res_id'])
        self.assertRecordValues(revision, [{
            'document_number': plan.document_number, 'revision': 1, 'revision_mark': 'B',
            'control_state': 'draft', 'approval_state': 'draft', 'stage_code': 'analysis',
            'previous_revision_id': plan.id, 'expected_profit': 400_000, 'approved_by_id': False}])
        self.assertNotEqual(revision.name, plan.name)
        self.assertTrue(revision.revision_date)
        self.assertEqual(len(revision.factor_line_ids), len(plan.factor_line_ids))
        self.assertEqual(plan.control_state, 'obsolete')
        self.assertEqual(plan.filed_report_id, filed, "the obsolete version keeps its filed PDF")
        with self.assertRaisesText(UserError, 'not edited in place'):
            plan.with_user(self.kam_user).action_start_contacting()
        with self.assertRaisesText(UserError, 'controlled'):
            plan.with_user(self.kam_user).action_new_revision()
        with self.assertRaisesText(UserError, 'controlled'):
            revision.with_user(self.kam_user).action_new_revision()
        # The draft revision is edited, then approved in its turn.
        revision.with_user(self.kam_user).write({'expected_profit': 500_000})
        self.approve_plan(revision)
        self.assertEqual(revision.control_state, 'controlled')

    def test_report_prints_header_and_footer_in_the_body(self):
        plan = self.approve_plan(self.plan)
        for report in ('kam_key_account.action_report_kam_development_plan',
                       'kam_key_account.action_report_kam_development_record'):
            with self.subTest(report=report):
                html = self.env['ir.actions.report']._render_qweb_html(report, plan.ids)[0].decode()
                body = html[html.index('<div class="page">'):]
                for text in ('Control Status', 'Controlled', plan.document_number, 'Executing Department',
                             'Prepared By', self.kam_user.name, 'Reviewed By', self.kam_supervisor.name,
                             'Approved By', self.kam_manager.name, 'Revision Mark', 'Number of Revisions'):
                    self.assertIn(text, body)
                self.assertIn('kam_controlled_header', body)
                self.assertIn('kam_controlled_footer', body)

    def test_obsolete_version_keeps_its_record_as_it_was(self):
        """Read-only means its lines too: the development record of an obsolete version is
        neither added to, changed nor emptied (a controlled one's goes on)."""
        plan = self.approve_plan(self.plan)
        mine = plan.with_user(self.kam_user)
        mine.write({'record_line_ids': [(0, 0, {'duration': 1, 'method': 'phone'})]})
        line = plan.record_line_ids
        mine.action_new_revision()
        self.assertEqual(plan.control_state, 'obsolete')
        Record = self.env['kam.development.plan.record'].with_user(self.kam_user)
        with self.assertRaisesText(UserError, 'not edited in place'):
            Record.create({'plan_id': plan.id, 'duration': 2})
        with self.assertRaisesText(UserError, 'not edited in place'):
            line.with_user(self.kam_user).write({'duration': 5})
        with self.assertRaisesText(UserError, 'not edited in place'):
            line.with_user(self.kam_user).unlink()
        with self.assertRaisesText(UserError, 'not edited in place'):
            mine.write({'record_line_ids': [(0, 0, {'duration': 1})]})
        self.assertRecordValues(plan, [{'contact_count': 1, 'total_hours': 1}])

    def test_visit_of_a_replaced_version_logs_on_the_version_in_force(self):
        """A development visit planned under a version that a New Revision replaced logs
        its contact on the version in force, not on the obsolete one (kept as it was); no
        visit is newly linked to an obsolete version."""
        plan = self.approve_plan(self.plan)
        visit = self._development_visit(plan)
        revision = self.env['kam.development.plan'].browse(plan.with_user(self.kam_user).action_new_revision()['res_id'])
        visit.action_confirm_appointment()
        visit.action_done()
        self.assertFalse(plan.record_line_ids, "the obsolete version's record is kept as it was")
        self.assertEqual(revision.record_line_ids.visit_id, visit)
        self.assertEqual(visit.development_plan_id, revision)
        with self.assertRaisesText(ValidationError, 'obsolete'):
            self._development_visit(plan)
