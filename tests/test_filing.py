"""Filing an approved document's PDF after commit (kam.filing.mixin), on the screening.

The renderer is patched where a test needs a PDF in a TransactionCase (a real rendering
there hangs: wkhtmltopdf waits for Odoo's own HTTP server); the HttpCase at the end
renders real PDFs.
"""
from contextlib import contextmanager, suppress
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.service.model import call_kw
from odoo.tests import HttpCase, new_test_user

from .common import GROUP, KamScreeningCommon
from odoo.addons.kam_key_account.models.kam_filing_mixin import (
    FILING_MAX_ATTEMPTS,
    filing_backoff,
)

FAKE_PDF = b'%PDF-1.4 the approved risk table'


class FilingCommon(KamScreeningCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cron = cls.env.ref('kam_key_account.ir_cron_kam_file_documents')
        cls.failed_type = cls.env.ref('kam_key_account.mail_activity_type_kam_filing_failed')
        cls.Report = type(cls.env['ir.actions.report'])
        # The job files every due record: only this test's (the demo's confirmed screening waits too).
        cls.env['kam.screening'].search([('filing_state', '=', 'pending')]).sudo().filing_state = False

    def confirm(self, screening):
        screening.with_user(self.kam_user).action_request_approval()
        screening.with_user(self.kam_supervisor).action_approve()
        screening.with_user(self.kam_manager).action_approve()
        self.assertEqual(screening.approval_state, 'approved')

    @contextmanager
    def renderer(self, result=(FAKE_PDF, 'pdf'), error=None):
        """Patch the PDF renderer: it returns `result`, or raises `error`."""
        def render(report, report_ref, res_ids=None, data=None):
            if error:
                raise error
            return result
        with patch.object(self.Report, '_render_qweb_pdf', autospec=True, side_effect=render) as mock:
            yield mock

    def run_job(self, env=None):
        """The cron's method, its per-batch commits left out (tests cannot commit)."""
        with patch.object(type(self.env['ir.cron']), '_commit_progress', autospec=True, return_value=3600.0):
            (env or self.env)['kam.filing.mixin']._cron_kam_file_documents()
        self.env.invalidate_all()

    def triggers(self, at_most=None):
        domain = [('cron_id', '=', self.cron.id)]
        if at_most:
            domain.append(('call_at', '<=', at_most))
        return self.env['ir.cron.trigger'].search(domain)

    def failed_activities(self, records):
        return self.env['mail.activity'].search([
            ('res_model', '=', records._name), ('res_id', 'in', records.ids),
            ('activity_type_id', '=', self.failed_type.id)])


class TestFiling(FilingCommon):

    def test_the_approval_queues_the_filing_without_rendering(self):
        before = self.triggers()
        with self.renderer() as render:
            self.confirm(self.screening)
            self.env.flush_all()
        render.assert_not_called()
        self.assertRecordValues(self.screening, [{
            'filing_state': 'pending', 'filing_attempts': 0, 'risk_report_id': False}])
        self.assertTrue(self.triggers(at_most=fields.Datetime.now()) - before, "the job is queued, to run at once")

    def test_the_job_files_the_pdf(self):
        self.confirm(self.screening)
        with self.renderer() as render:
            self.run_job()
        render.assert_called_once()
        filed = self.screening.risk_report_id
        self.assertRecordValues(self.screening, [{'filing_state': 'filed', 'filing_next_date': False}])
        self.assertRecordValues(filed, [{
            'name': f"{self.screening.name.replace('/', '-')}-risk-analysis.pdf", 'mimetype': 'application/pdf',
            'res_model': 'kam.screening', 'res_id': self.screening.id}])
        self.assertEqual(filed.raw, FAKE_PDF)

    def test_test_mode_html_is_not_filed(self):
        """pytest-odoo renders HTML: no filed copy, the try counts as failed."""
        self.confirm(self.screening)
        self.run_job()
        self.assertRecordValues(self.screening, [{'filing_state': 'pending', 'filing_attempts': 1,
                                                  'risk_report_id': False}])
        self.assertIn('html', self.screening.filing_error)
        self.assertFalse(self.env['ir.attachment'].search([
            ('res_model', '=', 'kam.screening'), ('res_id', '=', self.screening.id)]))

    def test_retries_with_backoff_then_fails_and_tells_the_managers(self):
        group = self.env.ref(GROUP % 'manager')
        other_manager = new_test_user(self.env, login='kam_t_manager_other', groups=GROUP % 'manager',
                                      company_id=self.company_2.id, company_ids=self.company_2.ids)
        second = self._new_screening(name='Second Prospect Ltd')
        screenings = self.screening | second
        for screening in screenings:
            self.confirm(screening)
        now = fields.Datetime.now()
        waits = []
        with self.renderer(error=UserError("wkhtmltopdf crashed")) as render:
            for attempt in range(1, FILING_MAX_ATTEMPTS + 1):
                with freeze_time(now):
                    self.run_job()
                self.assertEqual(render.call_count, 2 * attempt, "each due record is rendered once a run")
                self.assertEqual(screenings.mapped('filing_attempts'), [attempt, attempt])
                if attempt < FILING_MAX_ATTEMPTS:
                    self.assertEqual(set(screenings.mapped('filing_state')), {'pending'})
                    next_try = self.screening.filing_next_date
                    waits.append(next_try - now)
                    self.assertTrue(self.triggers(at_most=next_try).filtered(lambda t: t.call_at == next_try))
                    with freeze_time(next_try - timedelta(seconds=1)):  # not due yet: left alone
                        self.run_job()
                    self.assertEqual(render.call_count, 2 * attempt)
                    now = next_try
        self.assertEqual(waits, [filing_backoff(n) for n in range(1, FILING_MAX_ATTEMPTS)])
        self.assertLess(waits[0], waits[-1])
        self.assertRecordValues(screenings, [{'filing_state': 'failed', 'filing_next_date': False}] * 2)
        self.assertIn('wkhtmltopdf crashed', self.screening.filing_error)
        # One activity per record and manager of the record's company, none for the others.
        activities = self.failed_activities(screenings)
        managers = group.user_ids.filtered(lambda u: self.company in u.company_ids)
        self.assertIn(self.kam_manager, managers)
        self.assertNotIn(other_manager, activities.user_id)
        self.assertEqual(len(activities), 2 * len(managers))
        self.assertEqual(activities.user_id, managers)
        # Failed for good: the job leaves it alone.
        with self.renderer() as render:
            with freeze_time(now + timedelta(days=30)):
                self.run_job()
        render.assert_not_called()

    def test_a_manager_retries_a_failed_filing(self):
        self.confirm(self.screening)
        self.screening.sudo().write({'filing_state': 'failed', 'filing_attempts': FILING_MAX_ATTEMPTS})
        self.screening._kam_filing_notify_managers()
        self.assertTrue(self.failed_activities(self.screening))
        with self.assertRaises(AccessError):
            self.screening.with_user(self.kam_user).action_retry_filing()
        with self.assertRaises(AccessError):
            self.screening.with_user(self.kam_supervisor).action_retry_filing()
        self.screening.with_user(self.kam_manager).action_retry_filing()
        self.assertRecordValues(self.screening, [{'filing_state': 'pending', 'filing_attempts': 0}])
        self.assertFalse(self.failed_activities(self.screening), "the managers' reminders go with the retry")
        with self.renderer():
            self.run_job()
        self.assertEqual(self.screening.filing_state, 'filed')
        self.assertEqual(self.screening.risk_report_id.raw, FAKE_PDF)

    def test_a_retry_needs_an_approved_record(self):
        with self.assertRaisesRegex(UserError, 'not approved'):
            self.screening.with_user(self.kam_manager).action_retry_filing()

    def test_filed_once_however_often_the_job_runs(self):
        self.confirm(self.screening)
        with self.renderer() as render:
            self.run_job()
            self.run_job()
            # The job that got the row lock after another run filed it: nothing to do.
            self.screening._kam_file_documents()
        render.assert_called_once()
        self.assertEqual(len(self.env['ir.attachment'].search([
            ('res_model', '=', 'kam.screening'), ('res_id', '=', self.screening.id)])), 1)

    def test_a_row_locked_elsewhere_is_left_to_its_holder(self):
        """The job locks with SKIP LOCKED: a row another run or a print is filing is skipped."""
        self.confirm(self.screening)
        model = type(self.env['kam.screening'])
        with self.renderer() as render, patch.object(
                model, 'try_lock_for_update', autospec=True, side_effect=lambda records, **kw: records.browse()):
            self.run_job()
            with self.assertRaisesRegex(UserError, 'being filed right now'):
                self.screening.with_user(self.kam_manager).action_kam_print()
        render.assert_not_called()
        self.assertEqual(self.screening.filing_state, 'pending')

    def test_confirmed_again_files_its_new_table(self):
        self.confirm(self.screening)
        with self.renderer():
            self.run_job()
        first = self.screening.risk_report_id
        self.screening.with_user(self.kam_manager).annual_sales = 9_000_000  # withdraws the approval
        self.assertEqual(self.screening.approval_state, 'draft')
        self.assertEqual(self.screening.risk_report_id, first, "the first filing stands until the next one")
        self.confirm(self.screening)
        self.assertEqual(self.screening.filing_state, 'pending')
        with self.renderer(result=(b'%PDF-1.4 the new table', 'pdf')):
            self.run_job()
        self.assertEqual(self.screening.risk_report_id.raw, b'%PDF-1.4 the new table')
        self.assertFalse(first.exists(), "the screening keeps its new table only")

    def test_withdrawn_before_the_job_ran_is_not_filed(self):
        self.confirm(self.screening)
        self.screening.with_user(self.kam_manager).annual_sales = 9_000_000
        with self.renderer() as render:
            self.run_job()
        render.assert_not_called()
        self.assertRecordValues(self.screening, [{'filing_state': False, 'risk_report_id': False}])

    def test_the_requesters_upload_is_never_filed_nor_printed(self):
        name = f"{self.screening.name.replace('/', '-')}-risk-analysis.pdf"
        forged = self.env['ir.attachment'].with_user(self.kam_user).create({
            'name': name, 'raw': b'%PDF-1.4 every risk: low', 'mimetype': 'application/pdf',
            'res_model': 'kam.screening', 'res_id': self.screening.id})
        self.confirm(self.screening)
        with self.renderer():
            self.run_job()
        self.assertNotEqual(self.screening.risk_report_id, forged)
        self.assertEqual(self.screening.risk_report_id.raw, FAKE_PDF)
        self.assertEqual(forged.raw, b'%PDF-1.4 every risk: low', "the upload stays the requester's document")
        report = self.env.ref('kam_key_account.action_report_kam_screening_risk')
        self.assertFalse(report.attachment or report.attachment_use, "a print never reloads an attachment by name")

    def test_the_first_print_files_a_confirmed_screening(self):
        self.confirm(self.screening)
        with self.renderer() as render:
            action = self.screening.with_user(self.kam_user).action_kam_print()
            again = self.screening.with_user(self.kam_user).action_kam_print()
        render.assert_called_once()
        filed = self.screening.risk_report_id
        self.assertEqual(self.screening.filing_state, 'filed')
        self.assertEqual(action['url'], f'/web/content/{filed.id}?download=true')
        self.assertEqual(again, action, "later prints give the filed copy")
        with self.renderer() as render:
            self.run_job()
        render.assert_not_called()

    def test_printing_a_failed_filing_files_it_and_closes_the_reminders(self):
        self.confirm(self.screening)
        self.screening.sudo().write({'filing_state': 'failed', 'filing_attempts': FILING_MAX_ATTEMPTS})
        self.screening._kam_filing_notify_managers()
        with self.renderer():
            action = self.screening.with_user(self.kam_supervisor).action_kam_print()
        self.assertEqual(action['url'], f'/web/content/{self.screening.risk_report_id.id}?download=true')
        self.assertEqual(self.screening.filing_state, 'filed')
        self.assertFalse(self.failed_activities(self.screening), "done once filed")

    def test_a_filing_from_before_the_job_stands(self):
        """A screening filed before filing was queued has the link but no filing state."""
        self.confirm(self.screening)
        legacy = self.env['ir.attachment'].create({
            'name': 'old.pdf', 'raw': b'%PDF-1.4 filed in the approval', 'res_model': 'kam.screening',
            'res_id': self.screening.id})
        self.screening.sudo().write({'filing_state': False, 'risk_report_id': legacy.id})
        with self.renderer() as render:
            action = self.screening.with_user(self.kam_user).action_kam_print()
        render.assert_not_called()
        self.assertEqual(action['url'], f'/web/content/{legacy.id}?download=true')

    def test_a_draft_prints_the_table_as_it_stands(self):
        action = self.screening.with_user(self.kam_user).action_kam_print()
        self.assertEqual(action['type'], 'ir.actions.report')
        self.assertFalse(self.screening.filing_state)

    def test_the_filing_fields_are_the_jobs(self):
        self.confirm(self.screening)
        for vals in ({'filing_state': 'filed'}, {'filing_attempts': 0}, {'filing_error': False},
                     {'filing_next_date': False}):
            with suppress(AccessError):
                call_kw(self.env['kam.screening'].with_user(self.kam_manager), 'write',
                        [self.screening.ids, vals], {})
            self.env.invalidate_all()
            self.assertEqual(self.screening.filing_state, 'pending', vals)
        with self.assertRaises(AccessError):
            call_kw(self.env['kam.screening'].with_user(self.kam_user), 'create',
                    [{'partner_id': self.env['res.partner'].create({'name': 'Other Ltd', 'is_company': True}).id}],
                    {'context': {'default_filing_state': 'filed'}})

    def test_the_form_and_list_show_the_filing(self):
        for view_type in ('form', 'list'):
            arch = self.env['kam.screening'].with_user(self.kam_user).get_views([(False, view_type)])[
                'views'][view_type]['arch']
            self.assertIn('filing_state', arch, view_type)


class TestFilingPdf(HttpCase):
    """Real PDFs: wkhtmltopdf fetches the stylesheets from the test's HTTP server."""

    def run_job(self):
        with patch.object(type(self.env['ir.cron']), '_commit_progress', autospec=True, return_value=3600.0):
            self.env['kam.filing.mixin'].with_context(force_report_rendering=True)._cron_kam_file_documents()
        self.env.invalidate_all()

    def test_the_job_files_a_real_pdf_of_the_approved_table(self):
        def user(login, role):
            return new_test_user(self.env, login=login, groups=GROUP % role)
        requester, supervisor, manager = user('kam_f_user', 'user'), user('kam_f_sup', 'supervisor'), \
            user('kam_f_manager', 'manager')
        self.env.ref('kam_key_account.kam_approval_step_screening_supervisor').write(
            {'approver_kind': 'users', 'user_ids': [(6, 0, supervisor.ids)]})
        self.env.ref('kam_key_account.kam_approval_step_screening_manager').write(
            {'approver_kind': 'users', 'user_ids': [(6, 0, manager.ids)]})
        partner = self.env['res.partner'].create({'name': 'Filed Optics Co', 'is_company': True})
        screening = self.env['kam.screening'].with_user(requester).create({
            'partner_id': partner.id, 'annual_sales': 25_000_000, 'proposed_manager_id': requester.id,
            'needs': '<p>Second supplier for optics</p>', 'technology_score': 4, 'production_score': 4,
            'after_sales_score': 4, 'no_competitor': True})
        screening.risk_line_ids.write({'score': 4})
        screening.with_user(requester).action_request_approval()
        screening.with_user(supervisor).action_approve()
        screening.with_user(manager).with_context(force_report_rendering=True).action_approve()
        self.assertEqual(screening.filing_state, 'pending')
        self.run_job()
        self.assertEqual(screening.filing_state, 'filed')
        self.assertTrue(screening.risk_report_id.raw.startswith(b'%PDF'))

    def test_the_demo_screening_is_filed_when_the_job_runs(self):
        screening = self.env.ref('kam_key_account.kam_screening_demo_suzhou', raise_if_not_found=False)
        if not screening:
            self.skipTest("installed without demo data")
        self.assertEqual(screening.approval_state, 'approved')
        self.assertIn(screening.filing_state, ('pending', 'filed'))
        self.run_job()
        self.assertEqual(screening.filing_state, 'filed')
        self.assertTrue(screening.risk_report_id.raw.startswith(b'%PDF'))


class TestFilingPerformance(FilingCommon):

    def test_the_job_on_a_batch(self):
        screenings = self.screening | self.env['kam.screening'].union(*(
            self._new_screening(name=f'Batch Prospect {i}') for i in range(19)))
        for screening in screenings:
            self.confirm(screening)
        self.env.flush_all()
        self.env.invalidate_all()
        with self.renderer() as render, self.assertQueryCount(131):  # 6.5 a record, and one search per filing model
            self.run_job()
            self.env.flush_all()
        self.assertEqual(render.call_count, 20)
        self.assertEqual(set(screenings.mapped('filing_state')), {'filed'})

    def test_the_last_failed_try_of_a_batch(self):
        screenings = self.screening | self.env['kam.screening'].union(*(
            self._new_screening(name=f'Batch Prospect {i}') for i in range(19)))
        for screening in screenings:
            self.confirm(screening)
        screenings.sudo().filing_attempts = FILING_MAX_ATTEMPTS - 1
        self.env.flush_all()
        self.env.invalidate_all()
        # 12 a record, the managers' activities included (one batch per manager)
        with self.renderer(error=UserError("no wkhtmltopdf")), self.assertQueryCount(240):
            self.run_job()
            self.env.flush_all()
        self.assertEqual(set(screenings.mapped('filing_state')), {'failed'})
        self.assertEqual(len(self.failed_activities(screenings).filtered(lambda a: a.user_id == self.kam_manager)), 20)
