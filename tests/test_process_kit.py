"""Issue 8's findings: one checked path into every stage, and complete screenings.

Each test plays the route that used to skip the checks (a drag is the web client's
web_save of stage_id, the statusbar too) and checks it now runs those of the action.
"""
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import UserError

from .common import KamCommon, KamScreeningCommon
from .test_filing import FilingCommon
from .test_visit import KamVisitCommon


class TestVisitStages(KamVisitCommon):

    def _confirmed_visit(self, **values):
        visit = self._visit(**values)
        visit.action_confirm_appointment()
        return visit

    def _development_visit(self):
        meeting = self.env['calendar.event'].create({
            'name': 'Pre-visit discussion', 'start': fields.Datetime.now() - timedelta(hours=3),
            'stop': fields.Datetime.now() - timedelta(hours=2),
            'partner_ids': [(6, 0, self.kam_supervisor.partner_id.ids)]})
        return self._visit(user=self.kam_supervisor, visit_type='development', premeeting_event_id=meeting.id)

    def _follow_ups(self, visit):
        return self.env['mail.activity'].search([
            ('res_model', '=', 'res.partner'), ('res_id', '=', visit.partner_id.id), ('summary', 'ilike', visit.name)])

    def test_dragging_to_done_runs_what_action_done_runs(self):
        visit = self._development_visit()
        visit.action_confirm_appointment()
        visit.web_save({'stage_id': self.stage['done'].id}, {})
        self.assertEqual(visit.stage_id, self.stage['done'])
        self.assertTrue(visit.actual_start and visit.actual_stop, "V6: the actual times default")
        self.assertEqual(len(self._follow_ups(visit)), 1, "V11: the follow-up of a development visit")

    def test_dragging_to_summarised_needs_the_summary(self):
        visit = self._confirmed_visit()
        visit.action_done()
        with self.assertRaisesText(UserError, 'Write the summary'):
            visit.web_save({'stage_id': self.stage['summarised'].id}, {})
        with self.assertRaisesText(UserError, 'Write the summary'):
            visit.write({'stage_id': self.stage['summarised'].id})
        self.assertEqual(visit.stage_id, self.stage['done'])
        # The summary saved with the move, as the form saves both at once.
        visit.web_save({'lessons': 'Bring samples', 'stage_id': self.stage['summarised'].id}, {})
        self.assertEqual(visit.stage_id, self.stage['summarised'])

    def test_dragging_a_booked_visit_to_cancelled_cancels_it(self):
        visit = self._confirmed_visit()
        event = visit.event_id
        visit.web_save({'stage_id': self.stage['cancelled'].id}, {})
        self.assertFalse(event.exists(), "the customer's event goes, as with action_cancel")
        self.assertRecordValues(visit, [{'stage_id': self.stage['cancelled'].id, 'appointment_state': 'to_book',
                                         'event_id': False}])

    def test_done_only_once_booked_and_confirmed(self):
        never_booked = self._visit()
        with self.assertRaisesText(UserError, 'Planned to Done'):
            never_booked.action_done()
        booked = self._visit()
        booked.action_book()
        with self.assertRaisesText(UserError, 'not confirmed by the customer'):
            booked.action_done()
        with self.assertRaisesText(UserError, 'not confirmed by the customer'):
            booked.web_save({'stage_id': self.stage['done'].id}, {})
        self.assertEqual(booked.stage_id, self.stage['booked'])
        self.assertFalse(booked.actual_start, "nothing of Done was written")

    def test_a_cancelled_visit_is_never_done(self):
        visit = self._confirmed_visit()
        visit.action_cancel()
        with self.assertRaisesText(UserError, 'Cancelled to Done'):
            visit.action_done()
        with self.assertRaisesText(UserError, 'Cancelled to Done'):
            visit.write({'stage_id': self.stage['done'].id})
        self.assertEqual(visit.stage_id, self.stage['cancelled'])

    def test_statusbar_cannot_skip_stages(self):
        visit = self._visit(actual_start=self.start, actual_stop=self.start + timedelta(hours=1))
        for code in ('prepared', 'done', 'summarised'):
            with self.subTest(code=code), self.assertRaisesText(UserError, 'it can only go to Booked, Cancelled'):
                visit.web_save({'stage_id': self.stage[code].id}, {})
        self.assertEqual(visit.stage_id, self.stage['planned'])

    def test_dragging_to_prepared_needs_the_checklist(self):
        visit = self._confirmed_visit()
        with self.assertRaisesText(UserError, 'Tick every line'):
            visit.web_save({'stage_id': self.stage['prepared'].id}, {})
        self.assertEqual(visit.stage_id, self.stage['booked'])
        visit.checklist_ids.write({'done': True})
        visit.web_save({'stage_id': self.stage['prepared'].id}, {})
        self.assertEqual(visit.stage_id, self.stage['prepared'])

    def test_development_visit_done_only_after_its_meeting(self):
        visit = self._development_visit()
        visit.action_confirm_appointment()
        visit.premeeting_event_id.write({'stop': fields.Datetime.now() + timedelta(hours=1)})
        with self.assertRaisesText(UserError, 'after its pre-visit discussion meeting'):
            visit.action_done()

    def test_dragging_back_to_planned_takes_the_visit_off_the_calendar(self):
        visit = self._confirmed_visit()
        event = visit.event_id
        visit.web_save({'stage_id': self.stage['planned'].id}, {})
        self.assertFalse(event.exists())
        self.assertRecordValues(visit, [{'appointment_state': 'to_book', 'event_id': False}])
        visit.action_book()
        self.assertTrue(visit.event_id)


class TestScreeningComplete(KamScreeningCommon):

    def test_an_empty_screening_cannot_be_submitted(self):
        empty = self._new_screening(name='Empty Prospect', needs=False, technology_score=0, production_score=0,
                                    after_sales_score=0, no_competitor=False)
        with self.assertRaises(UserError) as cm:
            empty.with_user(self.kam_user).action_request_approval()
        message = str(cm.exception)
        for missing in ("customer's needs", 'Technology, Production, After-Sales', 'competitor analysis'):
            self.assertIn(missing, message)
        self.assertRecordValues(empty, [{'approval_state': 'draft', 'stage_id': self.stage_draft.id}])
        # A competitor line is an analysis as good as "no competitor".
        competitor = self.env['kam.competitor'].create({'name': 'Rival Automation'})
        empty.with_user(self.kam_user).write({
            'needs': '<p>Spare parts within 24 hours</p>', 'technology_score': 3, 'production_score': 4,
            'after_sales_score': 2, 'competitor_line_ids': [(0, 0, {'competitor_id': competitor.id})]})
        empty.risk_line_ids.filtered(lambda line: not line.score).write({'score': 3})
        empty.with_user(self.kam_user).action_request_approval()
        self.assertEqual(empty.approval_state, 'pending')

    def test_blank_needs_count_as_missing(self):
        blank = self._new_screening(name='Blank Needs', needs='<p><br></p>')
        with self.assertRaisesText(UserError, "customer's needs"):
            blank.with_user(self.kam_user).action_request_approval()

    def test_risk_indicators_propose_scores_from_fit_and_competitors(self):
        screening = self.env['kam.screening'].with_user(self.kam_user).create({
            'partner_id': self.env['res.partner'].create({'name': 'Scored Prospect', 'is_company': True}).id,
            'technology_score': 5, 'production_score': 4, 'after_sales_score': 3})
        fit = screening.risk_line_ids.filtered(lambda line: line.indicator_id.code == 'fit')
        rivals = screening.risk_line_ids.filtered(lambda line: line.indicator_id.code == 'competitors')
        self.assertEqual(fit.score, 4, "S5: the fit score, 4.0")
        self.assertEqual(rivals.score, 0, "S6 not done yet: not scored")
        screening.no_competitor = True
        self.assertEqual(rivals.score, 5, "no competitor is the favourable case")
        screening.no_competitor = False
        competitor = self.env['kam.competitor'].create({'name': 'Rival Automation'})
        screening.write({'competitor_line_ids': [(0, 0, {'competitor_id': competitor.id})]})
        self.assertEqual(rivals.score, 3)
        screening.technology_score = 1
        self.assertEqual(fit.score, 3, "the proposal follows S5")
        fit.score = 2
        self.assertEqual(fit.score, 2, "the writer adjusts the proposal")
        self.assertEqual(screening.risk_line_ids.filtered(lambda line: not line.indicator_id.code).mapped('score'),
                         [0, 0, 0], "the other indicators are the writer's to score")


class TestProcessDeclarations(KamCommon):
    """What a process declares (kam.process.mixin): a missing declaration fails at install."""

    def test_every_process_is_found_and_declares_everything(self):
        processes = [Process._name for Process in self.env['res.partner']._kam_processes()]
        self.assertEqual(sorted(processes), ['kam.development.plan', 'kam.screening', 'kam.service.request', 'kam.suggestion', 'kam.visit'])
        for name in processes:
            with self.subTest(process=name):
                self.env[name]._register_hook()

    def test_a_missing_declaration_fails_at_install(self):
        Visit = self.env['kam.visit']
        for attribute, value in (('_kam_sequence_code', None), ('_kam_report', None),
                                 ('_kam_approval_subtypes', {'requested': 'kam_key_account.mt_kam_visit_approval_requested'}),
                                 ('_kam_partner_count_field', 'opportunity_count')):
            with self.subTest(attribute=attribute), patch.object(type(Visit), attribute, value), \
                    self.assertRaisesRegex(TypeError, f'kam.visit does not declare .*{attribute}'):
                Visit._register_hook()

    def test_the_stat_action_opens_only_processes(self):
        partner = self.env['res.partner'].create({'name': 'Any Account', 'is_company': True})
        for model in ('res.users', 'kam.process.mixin', False):
            with self.subTest(model=model), self.assertRaisesText(UserError, 'is not a key-account process'):
                partner.with_context(kam_process_model=model).action_kam_open_process()

    def test_partner_counters_one_query_for_every_process(self):
        partners = self.env['res.partner'].create([
            {'name': f'Counted Account {index}', 'is_company': True} for index in range(20)])
        self.env['kam.visit'].create([{
            'partner_id': partner.id, 'start': fields.Datetime.now(),
            'stop': fields.Datetime.now() + timedelta(hours=1)} for partner in partners[:3]])
        contact = self.env['res.partner'].create({'name': 'Counted Buyer', 'parent_id': partners[-1].id})
        self.env['kam.contact.note'].with_user(self.kam_manager).create(
            {'account_id': partners[-1].id, 'contact_id': contact.id, 'character': 'Direct'})
        partners = partners.with_user(self.kam_manager)

        def queries(records):
            self.env.flush_all()
            self.env['res.partner'].invalidate_model()
            before = self.env.cr.sql_log_count
            counts = records.mapped('kam_visit_count')
            records.mapped('kam_screening_count')
            notes = records.mapped('kam_contact_note_count')
            return self.env.cr.sql_log_count - before, (counts, notes)

        queries(partners.browse(partners[-1].id))  # the manager's rights and rules, once
        one, _counts = queries(partners.browse(partners[0].id))
        twenty, counts = queries(partners)
        self.assertEqual(twenty, one, "the same queries for 1 account and for 20")
        self.assertLessEqual(twenty, 2, "the partners, then one count of every process and of the notes at once")
        self.assertEqual(counts, ([1] * 3 + [0] * 17, [0] * 19 + [1]))

    def test_references_from_the_sequence_of_each_record_company(self):
        self.env['ir.sequence'].create({
            'name': 'Visits of the second company', 'code': 'kam.visit', 'prefix': 'VIS2/',
            'padding': 3, 'company_id': self.company_2.id})
        account_2 = self.env['res.partner'].create(
            {'name': 'Second Company Account', 'is_company': True, 'company_id': self.company_2.id})
        visits = self.env['kam.visit'].create([
            {'partner_id': self.account.id, 'company_id': self.company.id},
            {'partner_id': account_2.id, 'company_id': self.company_2.id},
            {'partner_id': account_2.id, 'company_id': self.company_2.id}])
        self.assertFalse(visits[0].name.startswith('VIS2/'), "the shared sequence for the first company")
        self.assertEqual(visits[1:].mapped('name'), ['VIS2/001', 'VIS2/002'],
                         "each record numbered by its own company's sequence, not the caller's")


class TestPrintFiledCopy(FilingCommon):

    def test_a_confirmed_screening_printed_with_its_id_twice_gives_its_filed_copy(self):
        self.confirm(self.screening)
        twice = self.screening.browse([self.screening.id] * 2).with_user(self.kam_user)
        with self.renderer() as render:
            action = twice.action_kam_print()
        render.assert_called_once()
        self.assertEqual(self.screening.filing_state, 'filed')
        self.assertEqual(action['url'], f'/web/content/{self.screening.risk_report_id.id}?download=true',
                         "the filed copy, not the table as it stands")
