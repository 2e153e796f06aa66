"""Suggestion summaries (G6-G9, issue 11): the table built from reviewed suggestions, the
departments' opinions given by participants without a Key Accounts role, the director's
review and the general manager's approval."""
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command

from .common import KamSuggestionCommon, ProcessContract


class TestSuggestionSummaryContract(ProcessContract, KamSuggestionCommon):
    """The kit's contract, for a process gathering several accounts (no partner counter)."""

    def _contract_new_record(self, **values):
        suggestion = self._reviewed(self._suggestion())
        summary = self.env['kam.suggestion.summary'].with_user(self.kam_supervisor).create(dict({
            'title': 'Contract summary', 'department_ids': [Command.set(self.departments.ids)]}, **values))
        if 'stage_id' not in values:
            suggestion.with_user(self.kam_supervisor).write({'summary_id': summary.id})
        return summary.with_env(self.env)

    def _contract_requested(self):
        record = self._answered(self._contract_new_record())
        self.flush_tracking()
        self._contract_transition(record, lambda: record.with_user(record.create_uid).action_request_approval(),
                                  'requested')
        self.assertEqual(record.approval_state, 'pending')
        return record

    def test_contract_missing_subtype_fails_loudly(self):
        record = self._answered(self._contract_new_record())
        self.env.ref(record._kam_approval_subtypes['requested']).unlink()
        with self.assertRaisesText(UserError, 'no message subtype for the approval event requested'):
            record.with_user(record.create_uid).action_request_approval()
        self.assertEqual(record.approval_state, 'draft', "nothing requested without its chatter entry")

    def test_contract_partner_counter_and_stat_action(self):
        record = self._contract_new_record()
        self.assertFalse(record._kam_per_account, "a summary gathers several accounts' suggestions")
        self.assertNotIn(record._name, [P._name for P in self.env['res.partner']._kam_processes()])
        partner = self.account.with_user(self.kam_manager)
        with self.assertRaisesText(UserError, 'is not a key-account process'):
            partner.with_context(kam_process_model=record._name).action_kam_open_process()


class TestSuggestionSummary(KamSuggestionCommon):

    def test_whole_path_as_each_role(self):
        """G1 → G11: recorded by the account's manager, reviewed by the KA manager, gathered
        by a supervisor, answered by two employees without a role, reviewed by the director,
        approved by the general manager, replied to and thanked by the owner."""
        suggestion = self._suggestion(reply='We deliver before 14:00 from next month.')
        self.assertTrue(suggestion.acknowledged_date, "G2")
        self._reviewed(suggestion)
        self.assertEqual(suggestion.stage_id.code, 'reviewed', "G5")
        summary = self._summary(suggestion)
        self.assertEqual(summary.stage_id.code, 'draft')
        self.assertEqual(summary.suggestion_ids, suggestion, "G6")
        self.assertEqual(suggestion.stage_id.code, 'summary')
        summary.with_user(self.kam_supervisor).action_send_to_departments()
        self.assertEqual(summary.stage_id.code, 'departments')
        self.assertEqual(summary.opinion_ids.department_id, self.departments, "G7: one line per department")
        self.assertEqual(summary.opinion_ids.responsible_id, self.employee | self.employee_2)
        for opinion in summary.opinion_ids:
            activity = summary.activity_ids.filtered(lambda a, o=opinion: a == o.activity_id)
            self.assertEqual(activity.user_id, opinion.responsible_id, "an activity for the department's responsible")
            activity.with_user(opinion.responsible_id).action_feedback(feedback='We can do it from May.')
        self.assertEqual(summary.opinion_ids.mapped('state'), ['done', 'done'])
        self.assertEqual(summary.opinion_ids.mapped('resolution'), ['We can do it from May.'] * 2)
        summary.with_user(self.kam_supervisor).action_request_approval()
        self.assertEqual(summary.stage_id.code, 'director')
        self.assertEqual(summary.approval_reviewer_ids, self.kam_director)
        with self.assertRaises(UserError):
            summary.with_user(self.kam_gm).action_approve()  # not the general manager's step yet
        summary.with_user(self.kam_director).action_approve()
        self.assertEqual(summary.stage_id.code, 'gm', "G8")
        summary.with_user(self.kam_gm).action_approve()
        self.assertEqual(summary.stage_id.code, 'approved', "G9")
        self.assertTrue(summary.approved_date)
        self.assertEqual(suggestion.stage_id.code, 'execution')
        action = suggestion.with_user(self.kam_user).action_send_feedback()
        composer = self.env['mail.compose.message'].with_user(self.kam_user).with_context(**action['context']).create({})
        composer._action_send_mail()
        self.assertEqual(suggestion.stage_id.code, 'replied', "G10")
        action = suggestion.with_user(self.kam_user).action_send_thanks()
        self.env['mail.compose.message'].with_user(self.kam_user).with_context(**action['context']).create(
            {})._action_send_mail()
        self.assertEqual(suggestion.stage_id.code, 'thanked', "G11")

    def test_wizard_takes_reviewed_suggestions_by_period_and_category(self):
        quality = self._reviewed(self._suggestion(category_id=self.category_quality.id))
        delivery = self._reviewed(self._suggestion())
        unreviewed = self._suggestion(category_id=self.category_quality.id)
        wizard = self.env['kam.suggestion.summary.wizard'].with_user(self.kam_supervisor).create({
            'title': 'Quality', 'partner_id': self.contact.id, 'category_ids': [Command.set(self.category_quality.ids)]})
        self.assertEqual(wizard.suggestion_ids, quality)
        wizard.category_ids = False
        self.assertEqual(wizard.suggestion_ids, quality | delivery, "reviewed only, not %s" % unreviewed.name)
        wizard.date_from = quality.received_date.replace(day=1).replace(year=quality.received_date.year + 1)
        self.assertFalse(wizard.suggestion_ids)
        with self.assertRaisesText(UserError, 'No reviewed suggestion waits'):
            wizard.action_build()

    def test_a_suggestion_is_in_one_open_summary(self):
        suggestion = self._reviewed(self._suggestion())
        first = self._summary(suggestion)
        with self.assertRaisesText(UserError, 'already in the open summary'):
            self._summary(suggestion)
        second = self.env['kam.suggestion.summary'].with_user(self.kam_supervisor).create(
            {'title': 'Second', 'department_ids': [Command.set(self.departments.ids)]})
        with self.assertRaisesText(UserError, 'already in the open summary'):
            second.with_user(self.kam_supervisor).write({'suggestion_ids': [Command.link(suggestion.id)]})
        self.assertEqual(suggestion.summary_id, first, "nothing lost")
        # Out of a draft, into another: fine.
        first.with_user(self.kam_supervisor).write({'suggestion_ids': [Command.unlink(suggestion.id)]})
        self.assertEqual(suggestion.stage_id.code, 'reviewed')
        second.with_user(self.kam_supervisor).write({'suggestion_ids': [Command.link(suggestion.id)]})
        self.assertEqual(suggestion.stage_id.code, 'summary')
        self._answered(second)
        with self.assertRaisesText(UserError, 'stays in the summary'):
            suggestion.with_user(self.kam_supervisor).write({'summary_id': False})

    def test_only_reviewed_suggestions_go_into_a_summary(self):
        unreviewed = self._suggestion(**self._report_values())
        summary = self.env['kam.suggestion.summary'].with_user(self.kam_supervisor).create({'title': 'Early'})
        with self.assertRaisesText(UserError, 'Only reviewed suggestions'):
            unreviewed.with_user(self.kam_supervisor).write({'summary_id': summary.id})
        with self.assertRaisesText(UserError, 'by being added to a summary'):
            self._reviewed(self._suggestion()).with_user(self.kam_manager).write(
                {'stage_id': unreviewed._stage_by_code('summary').id})

    def test_in_summary_what_was_reviewed_is_frozen(self):
        suggestion = self._reviewed(self._suggestion())
        self._summary(suggestion)
        with self.assertRaisesText(UserError, 'no longer changes'):
            suggestion.with_user(self.kam_user).write({'report_action': 'Something else'})
        self.assertEqual(suggestion.approval_state, 'approved')

    def test_departments_answer_before_the_director(self):
        summary = self._summary(self._reviewed(self._suggestion()))
        with self.assertRaisesText(UserError, 'Send .* to the departments first'):
            summary.with_user(self.kam_supervisor).action_request_approval()
        summary.with_user(self.kam_supervisor).action_send_to_departments()
        quality = summary.opinion_ids.filtered(lambda o: o.department_id == self.dept_quality)
        quality.with_user(self.employee).write({'state': 'done', 'resolution': 'Feasible.'})
        with self.assertRaisesText(UserError, 'Test Production did not yet'):
            summary.with_user(self.kam_supervisor).action_request_approval()
        with self.assertRaises(UserError):  # a drag into a gate
            summary.with_user(self.kam_manager).write({'stage_id': summary._stage_by_code('director').id})
        self.assertEqual(summary.stage_id.code, 'departments')
        # An opinion is given with its text.
        production = summary.opinion_ids - quality
        with self.assertRaisesText(UserError, 'in the feedback'):
            production.activity_id.with_user(self.employee_2).action_feedback(feedback='  ')
        production.activity_id.with_user(self.employee_2).action_feedback(feedback='Next month.')
        summary.with_user(self.kam_supervisor).action_request_approval()
        self.assertEqual(summary.stage_id.code, 'director')
        with self.assertRaisesText(UserError, 'frozen'):
            quality.with_user(self.employee).write({'resolution': 'Changed my mind.'})

    def test_empty_summary_or_without_departments_is_not_sent(self):
        empty = self.env['kam.suggestion.summary'].with_user(self.kam_supervisor).create(
            {'title': 'Empty', 'department_ids': [Command.set(self.departments.ids)]})
        with self.assertRaisesText(UserError, 'has no suggestion'):
            empty.with_user(self.kam_supervisor).action_send_to_departments()
        no_department = self._summary(self._reviewed(self._suggestion()), departments=self.env['kam.department'])
        with self.assertRaisesText(UserError, 'Choose the departments'):
            no_department.with_user(self.kam_supervisor).action_send_to_departments()

    def test_rejection_returns_to_the_departments(self):
        summary = self._answered(self._summary(self._reviewed(self._suggestion())))
        summary.with_user(self.kam_supervisor).action_request_approval()
        summary.with_user(self.kam_director)._approval_reject("The production opinion lacks a date.")
        self.assertEqual(summary.stage_id.code, 'departments')
        production = summary.opinion_ids.filtered(lambda o: o.department_id == self.dept_production)
        production.with_user(self.employee_2).write({'resolution': 'From 1 May.'})
        summary.with_user(self.kam_supervisor).action_request_approval()
        self.assertEqual(summary.approval_round, 2)

    def test_cancel_frees_the_suggestions(self):
        suggestion = self._reviewed(self._suggestion())
        summary = self._summary(suggestion)
        summary.with_user(self.kam_supervisor).action_send_to_departments()
        summary.opinion_ids[:1].with_user(summary.opinion_ids[:1].responsible_id).write(
            {'state': 'done', 'resolution': 'Given before the cancellation.'})
        summary.with_user(self.kam_supervisor).action_cancel()
        self.assertEqual(summary.stage_id.code, 'cancelled')
        self.assertFalse(suggestion.summary_id)
        self.assertEqual(suggestion.stage_id.code, 'reviewed')
        self.assertEqual(len(summary.opinion_ids), 1, "the opinion given stays, the other is withdrawn")
        self.assertFalse(summary.activity_ids)
        self._summary(suggestion)

    def test_participants_read_their_summary_and_give_their_opinion_only(self):
        suggestion = self._reviewed(self._suggestion())
        other = self._reviewed(self._suggestion(content='Not in the summary'))
        summary = self._summary(suggestion)
        employee_summary = summary.with_user(self.employee)
        with self.assertRaises(AccessError):
            employee_summary.read(['title'])  # nothing asked of them yet
        summary.with_user(self.kam_supervisor).action_send_to_departments()
        mine = summary.opinion_ids.filtered(lambda o: o.responsible_id == self.employee)
        theirs = summary.opinion_ids - mine
        # As the web client reads the summary's form, the opinion's and the suggestion's.
        for record in (employee_summary, mine.with_user(self.employee), suggestion.with_user(self.employee)):
            with self.subTest(model=record._name):
                form_fields = record.get_views([(False, 'form')])['models'][record._name]['fields']
                record.web_read({name: {} for name in form_fields})
        self.assertEqual(self.env['kam.suggestion.opinion'].with_user(self.employee).search([]), mine)
        self.assertFalse(self.env['kam.suggestion'].with_user(self.employee).search([('id', '=', other.id)]))
        with self.assertRaises(AccessError):
            theirs.with_user(self.employee).write({'state': 'done', 'resolution': 'Not mine.'})
        with self.assertRaises(AccessError):
            employee_summary.write({'title': 'Renamed'})
        with self.assertRaises(AccessError):
            suggestion.with_user(self.employee).write({'content': 'Rewritten'})
        with self.assertRaises(AccessError):
            mine.with_user(self.employee).write({'due_date': mine.due_date.replace(year=mine.due_date.year + 1)})
        with self.assertRaises(AccessError):
            employee_summary.action_request_approval()
        self.assertFalse(summary.with_user(self.employee).message_ids.filtered(
            lambda m: m.model == summary._name), "no chatter of the summary")
        mine.with_user(self.employee).write({'state': 'done', 'resolution': 'Feasible.'})
        self.assertEqual(mine.solved_by_id, self.employee)

    def test_kam_users_read_the_summaries_of_their_suggestions(self):
        mine = self._reviewed(self._suggestion())
        summary = self._summary(mine)
        self.assertEqual(summary.with_user(self.kam_user).title, 'Delivery suggestions')
        with self.assertRaises(AccessError):
            summary.with_user(self.kam_user).write({'title': 'Not theirs'})
        with self.assertRaises(AccessError):
            summary.with_user(self.kam_user_2).read(['title'])
        own = self.env['kam.suggestion.summary'].with_user(self.kam_user_2).create({'title': 'Mine'})
        own.with_user(self.kam_user_2).write({'note': 'Fine'})

    def test_summary_table_prints_suggestions_opinions_and_decisions(self):
        suggestion = self._suggestion()
        summary = self._approved_summary(suggestion)
        html = str(self.env['ir.actions.report']._render_qweb_html(
            'kam_key_account.action_report_kam_suggestion_summary', summary.ids)[0])
        for text in (suggestion.name, suggestion.content, self._report_values()['report_action'],
                     'Test Quality', 'Feasible from next month.', 'Director Review', 'General Manager Approval',
                     self.kam_gm.name):
            self.assertIn(text, html)

    def test_approval_of_a_summary_of_20_suggestions_query_budget(self):
        contacts = self.env['res.partner'].create([
            {'name': f'Buyer {index}', 'parent_id': self.account.id, 'email': f'b{index}@customer.example.com'}
            for index in range(20)])
        suggestions = self.env['kam.suggestion'].with_user(self.kam_user).create([{
            'contact_id': contact.id, 'content': f'Suggestion {index}', **self._report_values()}
            for index, contact in enumerate(contacts)])
        suggestions.with_user(self.kam_user).action_request_approval()
        suggestions.with_user(self.kam_manager).action_approve()
        summary = self._answered(self._summary(suggestions))
        summary.with_user(self.kam_supervisor).action_request_approval()
        summary.with_user(self.kam_director).action_approve()
        self.flush_tracking()
        self.env.invalidate_all()
        with self.assertQueryCount(131):
            summary.with_user(self.kam_gm).action_approve()
            self.flush_tracking()
        self.assertEqual(set(suggestions.mapped('stage_id.code')), {'execution'})

    def test_overdue_opinions_are_escalated_once_to_the_department_manager(self):
        self.dept_production.manager_id = self.kam_manager
        summary = self._summary(self._reviewed(self._suggestion()))
        summary.with_user(self.kam_supervisor).action_send_to_departments()
        summary.opinion_ids.with_user(self.kam_supervisor).write(
            {'due_date': summary.opinion_ids[0].due_date.replace(year=2020)})
        escalated = self.env['kam.suggestion.opinion']._cron_escalate_overdue()
        self.assertEqual(escalated.department_id, self.dept_production, "the department with a manager")
        self.assertFalse(self.env['kam.suggestion.opinion']._cron_escalate_overdue() & escalated, "once")
