"""Shared fixtures: one user per role, two companies, accounts and contacts.

Tests use the module's own data (the default tiers and groups), never its demo data.
"""
from contextlib import contextmanager

from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.service.model import call_kw
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.kam_key_account.models.kam_approval_mixin import APPROVAL_EVENTS

GROUP = 'kam_key_account.group_kam_%s'


class KamCommon(TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_create_nolog=True,
                                       lang='en_US'))
        cls.company = cls.env.company
        cls.company_2 = cls.env['res.company'].create({'name': 'KAM Second Company'})
        both = [cls.company.id, cls.company_2.id]

        def user(login, role, **kwargs):
            return new_test_user(
                cls.env, login=login, groups=GROUP % role, name=login.replace('_', ' ').title(),
                email=f'{login}@example.com', company_id=cls.company.id, company_ids=both,
                tz='Asia/Shanghai', **kwargs)

        cls.kam_user = user('kam_t_user', 'user')
        cls.kam_user_2 = user('kam_t_user2', 'user')
        cls.kam_supervisor = user('kam_t_supervisor', 'supervisor')
        cls.kam_manager = user('kam_t_manager', 'manager')
        cls.kam_director = user('kam_t_director', 'director')
        cls.kam_gm = user('kam_t_gm', 'general_manager')
        # An employee of the company without any Key Accounts role (the demo user `demo`).
        cls.employee = new_test_user(
            cls.env, login='kam_t_employee', groups='base.group_user', name='Plain Employee',
            email='plain.employee@example.com', company_id=cls.company.id)
        # A salesperson of CRM without any Key Accounts role.
        cls.salesman = new_test_user(
            cls.env, login='kam_t_salesman', groups='base.group_user,sales_team.group_sale_salesman',
            name='Salesman Without KAM', company_id=cls.company.id)
        # Manages contacts (base.group_partner_manager) but has no Key Accounts role.
        cls.partner_manager = new_test_user(
            cls.env, login='kam_t_partner_manager', groups='base.group_user,base.group_partner_manager',
            name='Partner Manager', company_id=cls.company.id)

        cls.tier_potential = cls.env.ref('kam_key_account.kam_tier_potential')
        cls.tier_key = cls.env.ref('kam_key_account.kam_tier_key')
        cls.tier_strategic = cls.env.ref('kam_key_account.kam_tier_strategic')

        Partner = cls.env['res.partner']
        cls.account = Partner.create({
            'name': 'Test Precision Machinery Co.', 'is_company': True,
            'company_id': cls.company.id, 'kam_manager_id': cls.kam_user.id,
            'kam_tier_id': cls.tier_key.id,
        })
        cls.account_2 = Partner.create({
            'name': 'Test Logistics Ltd', 'is_company': True,
            'company_id': cls.company.id, 'kam_manager_id': cls.kam_user_2.id,
        })
        cls.contact = Partner.create({
            'name': 'Zhao Jianguo', 'parent_id': cls.account.id,
            'kam_contact_role': 'decision_maker', 'kam_influence': 'high',
        })
        cls.contact_2 = Partner.create({'name': 'Oliver Hughes', 'parent_id': cls.account_2.id})
        # Records created in the test's own transaction are never tracked (their creation
        # message covers them): end that phase as a commit would.
        cls.flush_tracking(cls)

    @contextmanager
    def assertRaisesText(self, exception, text):
        """assertRaises (which rolls back to a savepoint, unlike assertRaisesRegex)
        plus a check of the message a user would read."""
        with self.assertRaises(exception) as cm:
            yield cm
        self.assertRegex(str(cm.exception), text)

    def flush_tracking(self):
        """Tracking messages are posted at pre-commit: run it, as a real commit would."""
        self.env.flush_all()
        self.env.cr.precommit.run()


class KamScreeningCommon(KamCommon):
    """A screening ready for approval, and helpers to drive the chain."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.chain = cls.env.ref('kam_key_account.kam_approval_chain_screening')
        cls.step_supervisor = cls.env.ref('kam_key_account.kam_approval_step_screening_supervisor')
        cls.step_manager = cls.env.ref('kam_key_account.kam_approval_step_screening_manager')
        cls.stage_draft = cls.env.ref('kam_key_account.kam_stage_screening_draft')
        cls.stage_supervisor = cls.env.ref('kam_key_account.kam_stage_screening_supervisor')
        cls.stage_manager = cls.env.ref('kam_key_account.kam_stage_screening_manager')
        cls.stage_confirmed = cls.env.ref('kam_key_account.kam_stage_screening_confirmed')
        cls.stage_rejected = cls.env.ref('kam_key_account.kam_stage_screening_rejected')
        cls.approval_type = cls.env.ref('kam_key_account.mail_activity_type_kam_approval')
        # Named reviewers keep the tests independent of other users holding the roles.
        cls.step_supervisor.write({'approver_kind': 'users', 'user_ids': [(6, 0, cls.kam_supervisor.ids)]})
        cls.step_manager.write({'approver_kind': 'users', 'user_ids': [(6, 0, cls.kam_manager.ids)]})
        cls.screening = cls._new_screening()
        cls.flush_tracking(cls)

    @classmethod
    def _new_screening(cls, user=None, name='Prospect Industries', company=None, **values):
        user = user or cls.kam_user
        company = company or cls.company
        partner = cls.env['res.partner'].create({'name': name, 'is_company': True, 'company_id': company.id})
        screening = cls.env['kam.screening'].with_user(user).with_company(company).create(dict({
            'partner_id': partner.id,
            'annual_sales': 6_000_000,
            'proposed_manager_id': cls.kam_user.id,
            'company_id': company.id,
            'needs': '<p>Predictive maintenance for 40 lines</p>',
            'technology_score': 4, 'production_score': 4, 'after_sales_score': 3,
            'no_competitor': True,
        }, **values))
        screening.risk_line_ids.write({'score': 4})
        return screening.with_env(cls.env)

    def approval_activities(self, records):
        return self.env['mail.activity'].search([
            ('res_model', '=', records._name), ('res_id', 'in', records.ids),
            ('activity_type_id', '=', self.approval_type.id)])

    def messages(self, record):
        return self.env['mail.message'].search([('model', '=', record._name), ('res_id', '=', record.id)])


class ProcessContract:
    """What every key-account process guarantees, checked the same way for each.

    A process's test runs it in one line, mixing it into its own fixtures::

        class TestVisitContract(ProcessContract, KamVisitCommon):
            def _contract_new_record(self, **values): ...

    Consumers provide `_contract_new_record(**values)`: a new record with these values, as
    its writer creates it, that the process's constraints accept in every stage (e.g. a visit with its actual
    times). The moves are played by a Key Accounts Manager, who may write every record
    of every stage (a confirmed screening too), so a refusal is the process's, not a
    missing right.
    """

    def _contract_new_record(self, **values):
        message = "A process's contract test says how its records are made."
        raise NotImplementedError(message)

    @property
    def _contract_model(self):
        return self._contract_new_record()._name

    def _contract_stages(self, record):
        return self.env['kam.stage'].search([('process', '=', record._kam_process)])

    def _contract_put_in(self, record, stage):
        """Place `record` in `stage` as the approval engine would, without the checks of a move."""
        record._approval_write({'stage_id': stage.id})
        self.assertEqual(record.stage_id, stage)

    # ---- the approval engine's part of the contract --------------------------------------

    def _contract_approval_values(self):
        """Values that make a new record need an approval step (e.g. a budget over the threshold)."""
        return {}

    def _contract_requested(self):
        record = self._contract_new_record(**self._contract_approval_values())
        self.flush_tracking()
        self._contract_transition(record, lambda: record.with_user(record.create_uid).action_request_approval(),
                                  'requested')
        self.assertEqual(record.approval_state, 'pending', "the contract's record needs an approval step")
        return record

    def _contract_transition(self, record, act, kind):
        """Run one approval transition: it leaves exactly one chatter entry, of its subtype."""
        Message = self.env['mail.message']
        # Direct notifications (an activity assigned to someone) are not chatter entries.
        domain = [('model', '=', record._name), ('res_id', '=', record.id), ('message_type', '!=', 'user_notification')]
        before = Message.search(domain)
        act()
        self.flush_tracking()
        new = Message.search(domain) - before
        self.assertEqual(len(new), 1, f"one chatter entry for the transition {kind}")
        self.assertEqual(new.subtype_id, record._approval_subtype(kind), f"the entry of {kind} has its subtype")

    def _contract_open_activities(self, record):
        return self.env['mail.activity'].search([('res_model', '=', record._name), ('res_id', '=', record.id)])

    def test_contract_one_chatter_entry_per_transition_and_no_activity_left_once_approved(self):
        record = self._contract_requested()
        self.assertTrue(self._contract_open_activities(record), "the reviewers are reminded")
        while record.approval_state == 'pending':
            reviewer = record.approval_reviewer_ids[:1]
            last = len(record.approval_review_ids.filtered(lambda r: r.state == 'waiting')) == 0
            self._contract_transition(record, record.with_user(reviewer).action_approve,
                                      'approved' if last else 'step_approved')
        self.assertEqual(record.approval_state, 'approved')
        self.assertFalse(self._contract_open_activities(record), "no activity left open once approved")

    def test_contract_no_activity_left_once_rejected(self):
        record = self._contract_requested()
        reviewer = record.approval_reviewer_ids[:1]
        self._contract_transition(record, lambda: record.with_user(reviewer)._approval_reject("Not now"), 'rejected')
        self.assertEqual(record.approval_state, 'rejected')
        self.assertFalse(self._contract_open_activities(record), "no activity left open once rejected")

    def test_contract_no_activity_left_once_withdrawn(self):
        record = self._contract_requested()
        self._contract_transition(record, lambda: record._approval_env()._do_reset_approval(), 'reset')
        self.assertEqual(record.approval_state, 'draft')
        self.assertFalse(self._contract_open_activities(record), "no activity left open once withdrawn")

    def test_contract_reference(self):
        record = self._contract_new_record()
        self.assertTrue(record.name)
        self.assertNotEqual(record.name, 'New', "the process has its sequence (code: the model's name)")

    def test_contract_default_stage(self):
        record = self._contract_new_record()
        self.assertEqual(record.stage_id, self._contract_stages(record)[:1], "a record starts in the first stage")

    def test_contract_stages_of_another_process_are_refused(self):
        record = self._contract_new_record()
        stage = record.stage_id
        foreign = self.env['kam.stage'].search([('process', '!=', record._kam_process)], limit=1)
        mine = record.with_user(self.kam_manager)
        with self.assertRaisesText(UserError, 'another process'):
            mine.write({'stage_id': foreign.id})
        with self.assertRaisesText(UserError, 'another process'):
            mine.web_save({'stage_id': foreign.id}, {})
        self.assertEqual(record.stage_id, stage)

    def test_contract_later_stages_are_refused_on_create(self):
        record = self._contract_new_record()
        for stage in self._contract_stages(record)[1:]:
            with self.subTest(stage=stage.name), self.assertRaisesText(UserError, 'first stage|through approval'):
                self._contract_new_record(stage_id=stage.id)

    def test_contract_approval_fields_are_refused_over_rpc(self):
        record = self._contract_new_record()
        Model = self.env[record._name].with_user(self.kam_manager)
        for vals in ({'approval_state': 'approved'}, {'approval_round': 7},
                     {'approval_requester_id': self.kam_gm.id}, {'approval_transition': 'approved'}):
            with self.subTest(vals=vals):
                with self.assertRaises(AccessError):
                    call_kw(Model, 'write', [record.ids, vals], {'context': {}})
                with self.assertRaises(AccessError):
                    record.with_user(self.kam_manager).web_save(vals, {})
        self.assertEqual(record.approval_state, 'draft')

    def test_contract_engine_fields_are_refused_over_rpc(self):
        """What the process's engine writes (`_kam_engine_fields`: dates, flags, filed
        reports) no client writes, whatever the value."""
        record = self._contract_new_record()
        Model = self.env[record._name].with_user(self.kam_manager)
        samples = {'boolean': True, 'date': fields.Date.today(), 'datetime': fields.Datetime.now(),
                   'char': 'forged', 'text': 'forged', 'integer': 7, 'float': 7.0, 'monetary': 7.0}
        for name in record._kam_engine_fields:
            field = record._fields[name]
            value = samples.get(field.type) if field.type != 'many2one' else \
                self.env[field.comodel_name].sudo().search([], limit=1).id
            if value is None:
                continue
            with self.subTest(field=name), self.assertRaises(AccessError):
                call_kw(Model, 'write', [record.ids, {name: value}], {'context': {}})

    def test_contract_approval_subtypes(self):
        record = self._contract_new_record()
        for kind in APPROVAL_EVENTS:
            with self.subTest(kind=kind):
                subtype = record._approval_subtype(kind)
                self.assertEqual(subtype, self.env.ref(record._kam_approval_subtypes[kind]), "the declared one")
                self.assertEqual(subtype.res_model, record._name, "a subtype of the process's own model")

    def test_contract_missing_sequence_fails_loudly(self):
        Model = self.env[self._contract_model]
        sequences = self.env['ir.sequence'].search([('code', '=', Model._kam_sequence_code)])
        self.assertTrue(sequences, "the process's declared sequence exists")
        sequences.unlink()
        with self.assertRaisesText(UserError, 'has no sequence .* to number its references'):
            self._contract_new_record()

    def test_contract_missing_subtype_fails_loudly(self):
        record = self._contract_new_record(**self._contract_approval_values())
        self.env.ref(record._kam_approval_subtypes['requested']).unlink()
        with self.assertRaisesText(UserError, 'no message subtype for the approval event requested'):
            record.with_user(record.create_uid).action_request_approval()
        self.assertEqual(record.approval_state, 'draft', "nothing requested without its chatter entry")

    def test_contract_partner_counter_and_stat_action(self):
        record = self._contract_new_record()
        Model = self.env[record._name].with_user(self.kam_manager)
        partner = record.partner_id.with_user(self.kam_manager)
        count = partner[record._kam_partner_count_field]
        self.assertGreaterEqual(count, 1, "the new record is counted")
        self.assertEqual(count, Model.search_count([('partner_id', '=', partner.id)]))
        # Counted under each user's record rules: another salesperson sees what they may read.
        other = Model.with_user(self.kam_user_2)
        self.assertEqual(partner.with_user(self.kam_user_2)[record._kam_partner_count_field],
                         other.search_count([('partner_id', '=', partner.id)]))
        action = partner.with_context(kam_process_model=record._name).action_kam_open_process()
        self.assertEqual(action['res_model'], record._name)
        self.assertIn(record, Model.search(action['domain']), "the stat button opens the new record")
        self.assertEqual(len(Model.search(action['domain'])), count, "and what the counter counts")
        self.assertEqual(action['context'].get('default_partner_id'), partner.id)
        edited = partner.new({}, origin=partner)  # the account's form, being edited
        self.assertEqual(edited[record._kam_partner_count_field], count)
        # Seen from one of its contacts, the account's counter, and its stat button opens what
        # it counts: the account's records, not the contact's.
        contact = self.env['res.partner'].create({'name': 'Counter Contact', 'parent_id': partner.id})
        contact = contact.with_user(self.kam_manager)
        self.assertEqual(contact[record._kam_partner_count_field], count)
        contact_action = contact.with_context(kam_process_model=record._name).action_kam_open_process()
        self.assertEqual(Model.search(contact_action['domain']), Model.search(action['domain']))
        self.assertEqual(len(Model.search(contact_action['domain'])), contact[record._kam_partner_count_field])
        self.assertEqual(contact_action['context'].get('default_partner_id'), partner.id, "a new one is the account's")

    def test_contract_views_load_for_each_role(self):
        record = self._contract_new_record()
        for user in (self.kam_user, self.kam_supervisor, self.kam_manager, self.kam_director, self.kam_gm):
            Model = self.env[record._name].with_user(user)
            for view_type in ('form', 'list', 'kanban', 'search'):
                with self.subTest(user=user.login, view_type=view_type):
                    views = Model.get_views([(False, view_type)])
                    self.assertIn(view_type, views['views'])
            form_fields = Model.get_views([(False, 'form')])['models'][record._name]['fields']
            if record.with_user(user).has_access('read'):
                with self.subTest(user=user.login, read='form'):
                    record.with_user(user).web_read({name: {} for name in form_fields})

    def test_contract_approval_ui_is_injected_once(self):
        Model = self.env[self._contract_model].with_user(self.kam_user)
        views = Model.get_views([(False, 'form'), (False, 'search')])['views']
        form, search = (etree.fromstring(views[view_type]['arch']) for view_type in ('form', 'search'))
        for arch, xpath in (
                (form, "/form/header/button[@name='action_request_approval']"),
                (form, "/form/header/button[@name='action_approve']"),
                (form, "/form/header/button[@name='action_open_approval_wizard'][contains(@context, 'rejected')]"),
                (form, "/form/div[@name='kam_approval_banner']"),
                (form, "/form/sheet/div[@name='button_box']/button[@name='action_open_approval_history']"),
                (form, "/form/sheet/notebook/page[@name='kam_approval']"),
                (search, "/search/filter[@name='to_approve']"),
                (search, "/search/filter[@name='pending']"),
                (search, "/search/filter[@name='approved']"),
                (search, "/search/filter[@name='rejected']")):
            with self.subTest(xpath=xpath):
                self.assertEqual(len(arch.xpath(xpath)), 1, "from the approval templates, once")

    def test_contract_forbidden_transitions_are_refused_by_every_route(self):
        record = self._contract_new_record()
        stages = self._contract_stages(record)
        transitions = record._kam_transitions
        self.assertTrue(transitions, "the process declares its transitions")
        verbs = record._kam_stage_verbs
        for source in stages:
            self._contract_put_in(record, source)
            allowed = transitions.get(source.code, ())
            for target in stages.filtered(lambda s, allowed=allowed, source=source: s != source and s.code not in allowed):
                mine = record.with_user(self.kam_manager)
                with self.subTest(move=f'{source.code} -> {target.code}'):
                    with self.assertRaises(UserError):
                        mine.write({'stage_id': target.id})
                    with self.assertRaises(UserError):  # a drag on the kanban, a statusbar click
                        mine.web_save({'stage_id': target.id}, {})
                    action = f'action_{verbs[target.code]}' if target.code in verbs else None
                    if action and hasattr(mine, action):
                        with self.assertRaises(UserError):
                            getattr(mine, action)()
                    self.assertEqual(record.stage_id, source, "the record stays where it was")


class KamDevelopmentPlanCommon(KamCommon):
    """A development plan ready for approval, with named reviewers for both steps."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.step_dev_supervisor = cls.env.ref('kam_key_account.kam_approval_step_development_supervisor')
        cls.step_dev_manager = cls.env.ref('kam_key_account.kam_approval_step_development_manager')
        cls.step_dev_supervisor.write({'approver_kind': 'users', 'user_ids': [(6, 0, cls.kam_supervisor.ids)]})
        cls.step_dev_manager.write({'approver_kind': 'users', 'user_ids': [(6, 0, cls.kam_manager.ids)]})
        cls.prospect = cls.env['res.partner'].create({
            'name': 'Prospect Automation Co.', 'is_company': True, 'company_id': cls.company.id,
            'kam_manager_id': cls.kam_user.id})
        cls.prospect_contact = cls.env['res.partner'].create({'name': 'Qian Wei', 'parent_id': cls.prospect.id})
        cls.plan = cls._new_plan()
        cls.flush_tracking(cls)

    @classmethod
    def _new_plan(cls, user=None, partner=None, **values):
        user = user or cls.kam_user
        return cls.env['kam.development.plan'].with_user(user).create(dict({
            'partner_id': (partner or cls.prospect).id,
            'analysis_summary': '<p>Fast-growing assembler of packaging lines.</p>',
            'expected_sales': 2_000_000, 'expected_profit': 400_000,
            'inventory_interest': 10_000, 'staff_cost': 60_000, 'travel_cost': 20_000, 'management_cost': 10_000,
            'risk_coefficient': 0.25,
        }, **values)).with_env(cls.env)

    def approve_plan(self, plan):
        plan.with_user(plan.user_id).action_request_approval()
        plan.with_user(self.kam_supervisor).action_approve()
        plan.with_user(self.kam_manager).action_approve()
        return plan


class KamSuggestionCommon(KamCommon):
    """Suggestions (issue 11): named reviewers for the report review (the manager) and the
    summary (the director, then the general manager), two departments answered by
    employees without a Key Accounts role, a contact with an e-mail address."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ref = cls.env.ref
        for xmlid, user in (('kam_approval_step_suggestion_manager', cls.kam_manager),
                            ('kam_approval_step_suggestion_summary_director', cls.kam_director),
                            ('kam_approval_step_suggestion_summary_gm', cls.kam_gm)):
            ref(f'kam_key_account.{xmlid}').write({'approver_kind': 'users', 'user_ids': [(6, 0, user.ids)]})
        cls.category_quality = ref('kam_key_account.kam_suggestion_category_quality')
        cls.category_delivery = ref('kam_key_account.kam_suggestion_category_delivery')
        cls.contact.email = 'zhao.jianguo@customer.example.com'
        # A second employee without a Key Accounts role, for the second department.
        cls.employee_2 = new_test_user(
            cls.env, login='kam_t_employee2', groups='base.group_user', name='Production Head',
            email='production.head@example.com', company_id=cls.company.id)
        Department = cls.env['kam.department']
        cls.dept_quality = Department.create({'name': 'Test Quality', 'responsible_id': cls.employee.id})
        cls.dept_production = Department.create({'name': 'Test Production', 'responsible_id': cls.employee_2.id})
        cls.departments = cls.dept_quality | cls.dept_production
        cls.flush_tracking(cls)

    @classmethod
    def _suggestion(cls, user=None, **values):
        """A suggestion of the account's contact, recorded by `user` (the account's manager)."""
        return cls.env['kam.suggestion'].with_user(user or cls.kam_user).create(dict({
            'partner_id': cls.account.id,
            'contact_id': cls.contact.id,
            'channel': 'phone',
            'content': 'Deliveries arrive after 16:00, when our warehouse closes.',
            'category_id': cls.category_delivery.id,
        }, **values)).with_env(cls.env)

    @staticmethod
    def _report_values():
        return {
            'report_cause': "The carrier's route serves them last.",
            'report_feasibility': 'A second carrier costs little on this route.',
            'report_action': 'Deliver before 14:00 with a second carrier.',
        }

    def _reviewed(self, suggestions):
        """Report written, reviewed by the manager (G4, G5)."""
        for suggestion in suggestions:
            suggestion.with_user(suggestion.user_id).write(self._report_values())
            suggestion.with_user(suggestion.user_id).action_request_approval()
        suggestions.with_user(self.kam_manager).action_approve()
        return suggestions

    def _summary(self, suggestions, user=None, departments=None):
        """A draft summary of `suggestions` (G6), built by `user` through the wizard."""
        user = user or self.kam_supervisor
        wizard = self.env['kam.suggestion.summary.wizard'].with_user(user).with_context(
            active_model='kam.suggestion', active_ids=suggestions.ids).create({
                'title': 'Delivery suggestions',
                'department_ids': [(6, 0, (departments if departments is not None else self.departments).ids)]})
        action = wizard.action_build()
        return self.env['kam.suggestion.summary'].browse(action['res_id'])

    def _answered(self, summary):
        """Sent to the departments, each responsible gives the opinion (G7)."""
        summary.with_user(summary.user_id).action_send_to_departments()
        for opinion in summary.opinion_ids:
            opinion.with_user(opinion.responsible_id).write(
                {'state': 'done', 'resolution': 'Feasible from next month.'})
        return summary

    def _approved_summary(self, suggestions):
        """G6-G9 in one go: summary, opinions, director, general manager."""
        summary = self._answered(self._summary(self._reviewed(suggestions)))
        summary.with_user(summary.user_id).action_request_approval()
        summary.with_user(self.kam_director).action_approve()
        summary.with_user(self.kam_gm).action_approve()
        return summary
