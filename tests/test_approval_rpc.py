"""Issue 7: what an RPC client could do to the approval engine, and why it no longer works.

Duplicate ids, context keys, other companies' configuration, deleting the history, forged
wizard values, and an escalation cron that scales and reports what it cannot fix.
"""
from datetime import timedelta
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.service.model import call_kw
from odoo.tests import new_test_user
from odoo.tools import mute_logger

from .common import GROUP, KamScreeningCommon


class TestApprovalRpc(KamScreeningCommon):

    def _all_of_two(self):
        self.step_supervisor.write({'mode': 'all', 'user_ids': [(6, 0, (self.kam_supervisor | self.kam_director).ids)]})

    def _request(self, screening=None):
        screening = screening or self.screening
        screening.with_user(self.kam_user).action_request_approval()
        self.flush_tracking()
        return screening

    def _overdue(self, screening):
        screening.approval_review_id.sudo().deadline = fields.Date.today() - timedelta(days=1)

    # ---- 1. duplicate ids --------------------------------------------------------------

    def test_duplicate_ids_count_once_on_approve(self):
        self._all_of_two()
        self._request()
        twice = self.screening.browse([self.screening.id, self.screening.id]).with_user(self.kam_supervisor)
        twice.action_approve()
        review = self.screening.approval_review_id
        self.assertEqual(review.name, 'Supervisor Review', "one person is not all of two")
        self.assertEqual(review.state, 'pending')
        self.assertEqual(len(review.decision_ids), 1)

    def test_duplicate_ids_request_one_round(self):
        twice = self.screening.browse([self.screening.id] * 2).with_user(self.kam_user)
        twice.action_request_approval()
        self.assertEqual(self.screening.approval_round, 1)
        self.assertEqual(len(self.screening.approval_review_ids), 2)
        self.assertEqual(len(self.approval_activities(self.screening)), 1)

    def test_duplicate_ids_reject_and_override_decide_once(self):
        self._request()
        wizard = self.env['kam.approval.wizard'].with_user(self.kam_supervisor).create({
            'res_model': 'kam.screening', 'res_ids': str([self.screening.id] * 2), 'decision': 'rejected',
            'reason': 'Twice'})
        wizard.action_confirm()
        self.assertEqual(len(self.screening.approval_review_ids.decision_ids), 1)
        self._request()
        self.screening.browse([self.screening.id] * 2).with_user(self.kam_gm)._approval_override("Twice")
        current = self.screening.approval_review_ids.filtered(lambda r: r.round == 2)
        self.assertEqual(len(current.decision_ids), 1)
        self.assertEqual(self.screening.approval_review_id.name, 'Manager Approval', "one step, not two")

    def test_database_holds_one_decision_per_review_and_user(self):
        self._request()
        review = self.screening.approval_review_id
        Decision = self.env['kam.approval.decision'].sudo()
        Decision.create({'review_id': review.id, 'user_id': self.kam_supervisor.id, 'decision': 'approved'})
        with mute_logger('odoo.sql_db'), self.assertRaises(IntegrityError):
            Decision.create({'review_id': review.id, 'user_id': self.kam_supervisor.id, 'decision': 'rejected'})
            self.env.flush_all()

    # ---- 3. context keys are client input ----------------------------------------------

    def test_activity_automation_skip_does_not_silence_approval_activities(self):
        skip = {'mail_activity_automation_skip': True}
        call_kw(self.env['kam.screening'].with_user(self.kam_user), 'action_request_approval',
                [self.screening.ids], {'context': skip})
        self.assertEqual(self.approval_activities(self.screening).user_id, self.kam_supervisor)
        call_kw(self.env['kam.screening'].with_user(self.kam_supervisor), 'action_approve',
                [self.screening.ids], {'context': skip})
        self.assertEqual(self.approval_activities(self.screening).user_id, self.kam_manager,
                         "the supervisor's reminder went, the manager's came")

    def test_tracking_keys_do_not_hide_a_transition(self):
        before = self.messages(self.screening)
        call_kw(self.env['kam.screening'].with_user(self.kam_user), 'action_request_approval',
                [self.screening.ids], {'context': {'tracking_disable': True, 'mail_notrack': True}})
        self.flush_tracking()
        new = self.messages(self.screening) - before
        self.assertEqual(new.subtype_id, self.env.ref('kam_key_account.mt_kam_screening_approval_requested'),
                         "the request is in the chatter whatever the client sends")

    def test_active_test_does_not_revive_an_archived_chain(self):
        shortcut = self.env['kam.approval.chain'].create({
            'name': 'Archived shortcut', 'model': 'kam.screening', 'sequence': 1, 'company_id': self.company.id,
            'step_ids': [(0, 0, {'name': 'Friend', 'approver_kind': 'users', 'user_ids': [(6, 0, self.kam_user_2.ids)]})]})
        shortcut.action_archive()
        call_kw(self.env['kam.screening'].with_user(self.kam_user), 'action_request_approval',
                [self.screening.ids], {'context': {'active_test': False}})
        self.assertEqual(self.screening.approval_review_ids.sorted('sequence').mapped('name'),
                         ['Supervisor Review', 'Manager Approval'])

    # ---- 4. company rules on the configuration and the history -------------------------

    def test_a_user_of_another_company_sees_none_of_ours(self):
        only_2 = {'company_id': self.company_2.id, 'company_ids': [self.company_2.id]}
        supervisor_2 = new_test_user(self.env, login='kam_t_c2_sup', groups=GROUP % 'supervisor', **only_2)
        manager_2 = new_test_user(self.env, login='kam_t_c2_man', groups=GROUP % 'manager', **only_2)
        chain = self.env['kam.approval.chain'].create({
            'name': 'Company One Only', 'model': 'kam.visit', 'sequence': 50, 'company_id': self.company.id,
            'step_ids': [(0, 0, {'name': 'Company One Step', 'approver_kind': 'users',
                                 'user_ids': [(6, 0, self.kam_manager.ids)]})]})
        self._request()
        self.screening.with_user(self.kam_supervisor).action_approve()
        delegation = self.env['kam.approval.delegation'].with_user(self.kam_manager).create({
            'user_id': self.kam_manager.id, 'substitute_id': self.kam_director.id,
            'date_from': fields.Date.today(), 'date_to': fields.Date.today() + timedelta(days=3)})
        self.assertTrue(self.env['kam.approval.decision'].with_user(self.kam_manager).search(
            [('res_id', '=', self.screening.id), ('res_model', '=', 'kam.screening')]), "company one sees them")
        self.assertIn(chain, self.env['kam.approval.chain'].with_user(self.kam_manager).search([]))
        for user in (supervisor_2, manager_2):
            with self.subTest(user=user.login):
                self.assertNotIn(chain, self.env['kam.approval.chain'].with_user(user).search([]))
                self.assertFalse(self.env['kam.approval.step'].with_user(user).search([('chain_id', '=', chain.id)]))
                self.assertFalse(self.env['kam.approval.decision'].with_user(user).search(
                    [('res_id', '=', self.screening.id), ('res_model', '=', 'kam.screening')]))
                self.assertNotIn(delegation, self.env['kam.approval.delegation'].with_user(user).search([]))
                with self.assertRaises(AccessError):
                    chain.with_user(user).read(['name'])
        self.assertIn(self.env.ref('kam_key_account.kam_approval_chain_screening'),
                      self.env['kam.approval.chain'].with_user(supervisor_2).search([]), "shared chains stay shared")

    # ---- 5. the approval history is never deleted --------------------------------------

    def test_a_record_with_decisions_cannot_be_deleted(self):
        self._request()
        self.screening.with_user(self.kam_supervisor)._approval_reject("Not now")
        with self.assertRaisesText(UserError, 'archive or cancel'):
            self.screening.with_user(self.kam_manager).unlink()
        with self.assertRaisesText(UserError, 'archive or cancel'):
            self.screening.sudo().unlink()
        self.assertTrue(self.screening.exists())

    def test_decisions_and_review_lines_are_kept_even_from_sudo(self):
        self._request()
        self.screening.with_user(self.kam_supervisor).action_approve()
        review = self.screening.approval_review_ids.filtered(lambda r: r.state == 'approved')
        with self.assertRaisesText(UserError, 'history'):
            review.decision_ids.sudo().unlink()
        with self.assertRaisesText(UserError, 'history'):
            self.screening.approval_review_ids.sudo().unlink()
        with self.assertRaises(AccessError):
            review.decision_ids.with_user(self.kam_manager).unlink()
        self.assertEqual(len(self.screening.approval_review_ids), 2)
        self.assertEqual(len(review.decision_ids), 1)

    def test_a_record_without_decisions_deletes_with_its_review_lines(self):
        self._request()
        self.screening.with_user(self.kam_user).write({'stage_id': self.stage_draft.id})  # withdrawn
        reviews = self.screening.approval_review_ids
        self.assertEqual(len(reviews), 2)
        self.screening.with_user(self.kam_user).unlink()
        self.assertFalse(reviews.exists())

    # ---- 7. the wizard checks what the client sends ------------------------------------

    def _wizard(self, user=None, **values):
        return self.env['kam.approval.wizard'].with_user(user or self.kam_supervisor).create(dict({
            'res_model': 'kam.screening', 'res_ids': str(self.screening.ids), 'decision': 'rejected',
            'reason': 'Forged'}, **values))

    def test_the_wizard_refuses_forged_values(self):
        self._request()
        for values in ({'res_model': 'res.partner'}, {'res_model': 'kam.approval.mixin'},
                       {'res_model': 'no.such.model'}, {'res_model': 'kam.process.mixin'}):
            with self.subTest(values=values), self.assertRaisesText(UserError, 'not a document with an approval'):
                self._wizard(**values).action_confirm()
        for res_ids in ("[1, 'x']", "__import__('os')", "[]", "[True]", "7", "[[1]]", "[-1]"):
            with self.subTest(res_ids=res_ids), self.assertRaisesText(UserError, 'list of record ids'):
                self._wizard(res_ids=res_ids).action_confirm()
        with self.assertRaisesText(UserError, 'no longer exist'):
            self._wizard(res_ids=str([self.screening.id + 100000])).action_confirm()
        theirs = self._new_screening(user=self.kam_user_2, name='Their Prospect', proposed_manager_id=self.kam_user_2.id)
        with self.assertRaises(AccessError):
            self._wizard(user=self.kam_user, res_ids=str(theirs.ids)).action_confirm()
        with self.assertRaises(AccessError):
            self._wizard(decision='override').action_confirm()
        with self.assertRaises(ValueError):  # not a choice of the wizard: approving needs no wizard
            self._wizard(decision='approved').action_confirm()
        self.assertEqual(self.screening.approval_state, 'pending')
        self.assertFalse(self.screening.approval_review_ids.decision_ids)

    # ---- 8. the escalation cron ----------------------------------------------------------

    def test_escalation_works_in_batches(self):
        screenings = self.screening | self._new_screening(name='Second Overdue') | self._new_screening(name='Third Overdue')
        for screening in screenings:
            self._request(screening)
            self._overdue(screening)
        Review = self.env['kam.approval.review']
        self.assertEqual(Review._escalate_overdue_batch(2), (2, 1))
        self.assertEqual(Review._escalate_overdue_batch(2), (1, 0))
        self.assertEqual(Review._escalate_overdue_batch(2), (0, 0))
        self.assertTrue(all(screenings.approval_review_id.mapped('escalated')))

    def test_the_cron_commits_its_progress_per_batch(self):
        for screening in self.screening | self._new_screening(name='Second Overdue'):
            self._request(screening)
            self._overdue(screening)
        Cron = type(self.env['ir.cron'])
        with patch.object(Cron, '_commit_progress', autospec=True, return_value=60.0) as progress:
            self.env['kam.approval.review']._cron_escalate_overdue(batch_size=1)
        self.assertEqual([call.args[1:] + (call.kwargs.get('remaining'),) for call in progress.call_args_list],
                         [(1, 1), (1, 0)])

    def test_the_batch_rechecks_the_state_under_the_lock(self):
        self._request()
        self._overdue(self.screening)
        review = self.screening.approval_review_id
        Review = type(review)
        real_lock = Review.try_lock_for_update

        def lock_after_someone_decided(records, **kwargs):
            locked = real_lock(records, **kwargs)
            # What another worker committed between our search and our lock.
            self.env.cr.execute("UPDATE kam_approval_review SET state = 'approved' WHERE id = %s", [review.id])
            return locked
        with patch.object(Review, 'try_lock_for_update', lock_after_someone_decided):
            self.env['kam.approval.review']._escalate_overdue_batch(10)
        self.assertFalse(review.escalated)

    def test_a_step_nobody_can_take_is_reported_to_the_managers(self):
        self._request()
        self._overdue(self.screening)
        review = self.screening.approval_review_id
        Review = type(self.env['kam.approval.review'])
        with patch.object(Review, '_escalation_users', return_value=self.env['res.users']):
            self.env['kam.approval.review']._escalate_overdue_batch(10)
        self.flush_tracking()
        todo = self.env.ref('mail.mail_activity_data_todo')
        reported = self.env['mail.activity'].search([
            ('res_model', '=', 'kam.screening'), ('res_id', '=', self.screening.id),
            ('activity_type_id', '=', todo.id)])
        managers = self.env.ref('kam_key_account.group_kam_manager').all_user_ids.filtered(
            lambda u: not u.share and self.company in u.company_ids)
        self.assertIn(self.kam_manager, reported.user_id)
        self.assertEqual(reported.user_id, managers, "one To-Do per Key Accounts manager")
        self.assertEqual(len(reported), len(managers))
        self.assertFalse(review.escalated, "not marked escalated as if someone had it")
        self.assertTrue(review.stalled)
        self.assertTrue(any('Nobody is eligible to decide the step Supervisor Review' in str(message.body)
                            for message in self.messages(self.screening)), "said in the chatter")
        with patch.object(Review, '_escalation_users', return_value=self.env['res.users']):
            self.assertEqual(self.env['kam.approval.review']._escalate_overdue_batch(10), (0, 0), "reported once")

    def test_a_step_nobody_can_take_at_request_is_reported_too(self):
        self.step_supervisor.user_ids = self.kam_user  # the requester: never their own reviewer
        Review = type(self.env['kam.approval.review'])
        with patch.object(Review, '_escalation_users', return_value=self.env['res.users']):
            self._request()
        review = self.screening.approval_review_id
        self.assertEqual(review.name, 'Supervisor Review', "never passes by itself")
        self.assertRecordValues(review, [{'escalated': False, 'stalled': True}])
        todo = self.env.ref('mail.mail_activity_data_todo')
        self.assertIn(self.kam_manager, self.env['mail.activity'].search([
            ('res_model', '=', 'kam.screening'), ('res_id', '=', self.screening.id),
            ('activity_type_id', '=', todo.id)]).user_id)
        self._overdue(self.screening)
        self.assertEqual(self.env['kam.approval.review']._escalate_overdue_batch(10), (0, 0), "reported once")


class TestProcessFieldsRpc(KamScreeningCommon):
    """Review of issue 7: what the process computes or its engine sets is no client's to
    write, by any route into create or write."""

    def rpc(self, method, args, user=None, context=None, kwargs=None):
        result = call_kw(self.env['kam.screening'].with_user(user or self.kam_user), method, args,
                         dict(kwargs or {}, context=context or {}))
        self.env.flush_all()
        self.env.invalidate_all()
        return result

    def _partner(self, name):
        return self.env['res.partner'].create({'name': name, 'is_company': True})

    def test_protected_fields_are_the_stored_computes_and_the_engine_fields(self):
        protected = self.env['kam.screening']._kam_protected_fields()
        self.assertLessEqual({'risk_score', 'risk_level', 'fit_score', 'likelihood', 'is_open',
                              'confirmed_date', 'risk_report_id'}, protected)
        self.assertNotIn('proposed_tier_id', protected, "a computed proposal the user may adjust")
        self.assertLessEqual({'budget_over_threshold', 'budget_company_amount', 'on_time'},
                             self.env['kam.visit']._kam_protected_fields())

    def test_no_route_sets_a_protected_field_on_create(self):
        routes = {
            'values': ({'risk_level': 'low'}, {}),
            'default_ context key': ({}, {'default_is_open': False}),
            'engine field in the context': ({}, {'default_confirmed_date': '2020-01-01'}),
        }
        for route, (values, context) in routes.items():
            with self.subTest(route=route), self.assertRaisesText(AccessError, 'set by the process itself'):
                self.rpc('create', [dict({'partner_id': self._partner(route).id}, **values)], context=context)
        with self.assertRaisesText(AccessError, 'set by the process itself'):
            self.rpc('copy', [self.screening.ids], kwargs={'default': {'risk_score': 5.0}})

    def test_a_personal_default_does_not_set_a_protected_field(self):
        field = self.env['ir.model.fields']._get('kam.screening', 'is_open')
        self.env['ir.default'].with_user(self.kam_user).create({
            'field_id': field.id, 'json_value': 'false', 'user_id': self.kam_user.id})
        with self.assertRaisesText(AccessError, 'set by the process itself'):
            self.rpc('create', [{'partner_id': self._partner('Personal Default Ltd').id}])

    def test_what_the_user_may_write_stays_writable(self):
        self.rpc('write', [self.screening.ids, {'proposed_tier_id': self.tier_strategic.id, 'needs': '<p>More</p>'}])
        self.assertEqual(self.screening.proposed_tier_id, self.tier_strategic)
        copy_id = self.rpc('copy', [self.screening.ids], user=self.kam_manager,
                           kwargs={'default': {'partner_id': self._partner('Copied Prospect').id}})
        self.assertEqual(self.env['kam.screening'].browse(copy_id).risk_level, self.screening.risk_level,
                         "computed again from the copied lines")

    def test_a_personal_default_stage_does_not_skip_the_gates(self):
        field = self.env['ir.model.fields']._get('kam.screening', 'stage_id')
        self.env['ir.default'].with_user(self.kam_user).create({
            'field_id': field.id, 'json_value': str(self.stage_confirmed.id), 'user_id': self.kam_user.id})
        with self.assertRaisesText(UserError, 'only be reached through approval'):
            self.rpc('create', [{'partner_id': self._partner('Default Stage Ltd').id}])

    def test_a_kanban_quick_create_in_the_first_column_works(self):
        screening_id = self.rpc('create', [{'partner_id': self._partner('Quick Create Ltd').id}],
                                context={'default_stage_id': self.stage_draft.id})
        self.assertEqual(self.env['kam.screening'].browse(screening_id).stage_id, self.stage_draft)

    # ---- the filed risk analysis -------------------------------------------------------

    def _approve(self, screening):
        screening.with_user(self.kam_user).action_request_approval()
        screening.with_user(self.kam_supervisor).action_approve()
        screening.with_user(self.kam_manager).action_approve()
        self.assertEqual(screening.approval_state, 'approved')
        screening.with_context(force_report_rendering=True)._kam_file_documents()  # the filing job

    def test_filing_again_removes_only_its_own_previous_filing(self):
        self._approve(self.screening)
        first = self.screening.risk_report_id
        self.assertTrue(first.raw.startswith(b'%PDF'))
        screening = self.screening.with_context(force_report_rendering=True)
        screening._file_risk_analysis()  # queued again, as a new confirmation does
        screening._kam_file_documents()
        self.assertFalse(first.exists(), "a screening filed again keeps its new table")
        victim = self.env['ir.attachment'].create({
            'name': 'contract-signed.pdf', 'raw': b'%PDF-1.4 not ours',
            'res_model': 'res.partner', 'res_id': self.account_2.id})
        self.screening.sudo().risk_report_id = victim  # e.g. a link set by hand in the database
        screening._file_risk_analysis()
        screening._kam_file_documents()
        self.assertTrue(victim.exists(), "another record's attachment is never deleted")
        self.assertEqual((self.screening.risk_report_id.res_model, self.screening.risk_report_id.res_id),
                         ('kam.screening', self.screening.id))

    # ---- lines are part of what is approved --------------------------------------------

    def test_line_changes_withdraw_a_pending_approval(self):
        competitor = self.env['kam.competitor'].create({'name': 'Rival Line Co'})
        changes = {
            'a competitor added': lambda s: self.env['kam.screening.competitor'].with_user(self.kam_user).create(
                {'screening_id': s.id, 'competitor_id': competitor.id}),
            'a risk line deleted': lambda s: s.risk_line_ids[:1].with_user(self.kam_user).unlink(),
            'a risk line rewritten through the form': lambda s: s.with_user(self.kam_user).write(
                {'risk_line_ids': [(1, s.risk_line_ids[0].id, {'comment': 'Rewritten'})]}),
        }
        for change, do in changes.items():
            with self.subTest(change=change):
                screening = self._new_screening(name=f'Lines {change}')
                screening.with_user(self.kam_user).action_request_approval()
                do(screening)
                self.assertRecordValues(screening, [{'approval_state': 'draft', 'stage_id': self.stage_draft.id}])
                self.assertFalse(self.approval_activities(screening))

    def test_a_filed_screening_changed_by_a_manager_goes_back_to_draft(self):
        self._approve(self.screening)
        with self.assertRaises(AccessError):
            self.screening.risk_line_ids[0].with_user(self.kam_user).write({'score': 1})
        self.screening.with_user(self.kam_manager).write({'resource_notes': 'Not decisive'})
        self.assertEqual(self.screening.approval_state, 'approved')
        self.screening.risk_line_ids[0].with_user(self.kam_manager).write({'score': 1})
        self.assertRecordValues(self.screening, [{'approval_state': 'draft', 'stage_id': self.stage_draft.id,
                                                  'is_open': True}])

    # ---- four eyes, messages, errors ---------------------------------------------------

    def test_the_responsible_never_reviews_their_own_screening(self):
        # The responsible (user_id, kam_user) is the step's only reviewer; a supervisor requests.
        self.step_supervisor.user_ids = self.kam_user
        self.screening.with_user(self.kam_supervisor).action_request_approval()
        review = self.screening.approval_review_id
        self.assertNotIn(self.kam_user, review.reviewer_ids)
        self.assertTrue(review.escalated, "nobody else on the step: escalated to the role above")
        self.assertFalse(self.screening.with_user(self.kam_user).can_approve)
        with self.assertRaises(UserError):
            self.screening.with_user(self.kam_user).action_approve()

    def test_approval_subtypes_of_every_process_are_internal(self):
        subtypes = self.env['ir.model.data'].search([
            ('module', '=', 'kam_key_account'), ('model', '=', 'mail.message.subtype'),
            ('name', '=like', 'mt\\_%\\_approval\\_%')])
        self.assertEqual(set(self.env['mail.message.subtype'].browse(subtypes.mapped('res_id')).mapped('res_model')),
                         {'kam.screening', 'kam.visit', 'kam.development.plan', 'kam.service.request',
                          'kam.suggestion', 'kam.suggestion.summary'})
        for subtype in self.env['mail.message.subtype'].browse(subtypes.mapped('res_id')):
            with self.subTest(subtype=subtype.name, model=subtype.res_model):
                self.assertTrue(subtype.internal)

    def test_the_screening_in_the_way_is_named_to_those_who_read_it(self):
        with self.assertRaisesText(UserError, 'Prospect Industries is already being screened'):
            self.rpc('create', [{'partner_id': self.screening.partner_id.id}])
        theirs = self._new_screening(user=self.kam_user_2, name='Their Secret Prospect',
                                     proposed_manager_id=self.kam_user_2.id)
        with self.assertRaises(UserError) as cm:
            self.rpc('create', [{'partner_id': theirs.partner_id.id}])
        self.assertNotIn(theirs.name, str(cm.exception), "another user's screening is not named")
