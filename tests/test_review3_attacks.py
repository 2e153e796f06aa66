"""Review 3: attacks on what landed with participants, visit problems and the approval
UI, as a hostile JSON-RPC client, a participant without a Key Accounts role, a portal
contact and a KAM user of another company. Each test asserts the secure behaviour and
failed while its hole was open."""
import json

from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from .test_coexistence import read_spec
from .test_participants import KamParticipantCommon, rpc


class TestReview3Attacks(KamParticipantCommon):

    def _foreign_activity(self):
        """An activity of someone else's record: the supervisor's reminder on another visit."""
        return self.other_visit.activity_schedule(
            'mail.mail_activity_data_todo', summary='Supervisor-Only-7c1e', user_id=self.kam_supervisor.id)

    def test_default_activity_id_does_not_hijack_another_activity(self):
        """A visit's writer creates a problem with `default_activity_id` (or a personal
        default) naming someone else's activity: the line's sync rewrites it with sudo
        (reassigned to the line's responsible) or, created solved, marks it done."""
        activity = self._foreign_activity()
        for state in ('open', 'done'):
            with self.subTest(state=state), self.assertRaises(AccessError):
                rpc(self.env, 'kam.visit.problem', 'create', [{
                    'visit_id': self.visit.id, 'description': 'Hijack', 'state': state, 'resolution': 'x',
                    'responsible_id': self.kam_user.id}], self.kam_user,
                    context={'default_activity_id': activity.id})
        self.assertRecordValues(activity, [{'active': True, 'user_id': self.kam_supervisor.id,
                                            'summary': 'Supervisor-Only-7c1e'}])

    def test_personal_default_does_not_forge_the_line_bookkeeping(self):
        """The same through the user's own defaults (ir.default), for the escalation date:
        a problem created already "escalated" is never reported to the manager."""
        field = self.env['ir.model.fields']._get('kam.visit.problem', 'escalated_date')
        self.env['ir.default'].with_user(self.kam_user).create({
            'field_id': field.id, 'user_id': self.kam_user.id, 'json_value': json.dumps('2020-01-01 00:00:00')})
        with self.assertRaises(AccessError):
            rpc(self.env, 'kam.visit.problem', 'create', [{
                'visit_id': self.visit.id, 'description': 'Never escalated', 'department_id': self.technical.id}],
                self.kam_user)


class TestReview3FormsAsOutsiders(KamParticipantCommon):
    """Every form a participant, a plain employee or a portal contact may meet, opened as the
    web client does (get_views, then web_read of what the arch asks), in English and Chinese."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env['res.lang']._activate_lang('zh_CN')
        cls.env['ir.module.module']._load_module_terms(['kam_key_account'], ['zh_CN'], overwrite=True)
        cls.portal = new_test_user(
            cls.env, login='kam_t_portal_contact', groups='base.group_portal', name='Portal Zhao',
            partner_id=cls.contact.id)
        cls.visit.with_user(cls.kam_user).action_book()
        cls.lead = cls.env['crm.lead'].create({
            'name': 'Review 3 lead', 'partner_id': cls.contact.id, 'type': 'opportunity', 'kam_visit_id': cls.visit.id})
        cls.screening = cls.env['kam.screening'].with_user(cls.kam_user).create({
            'partner_id': cls.account_2.id, 'annual_sales': 6_000_000})
        cls.flush_tracking(cls)

    def test_forms_open_for_outsiders_in_every_language(self):
        records = {
            'res.partner': self.account | self.contact,
            'crm.lead': self.lead,
            'calendar.event': self.visit.event_id,
            'kam.visit': self.visit,
            'kam.visit.problem': self.problem,
            'kam.screening': self.screening,
        }
        self.assertTrue(self.visit.event_id)
        opened = set()
        for user in (self.employee, self.technician, self.portal):
            for lang in ('en_US', 'zh_CN'):
                for model, recs in records.items():
                    Model = self.env[model].with_user(user).with_context(lang=lang)
                    if not Model.has_access('read'):
                        continue
                    with self.subTest(user=user.login, lang=lang, model=model):
                        result = Model.get_views([(False, 'form'), (False, 'search')])
                        arch = etree.fromstring(result['views']['form']['arch'])
                        fields_by_model = {name: info['fields'] for name, info in result['models'].items()}
                        spec = read_spec(arch, fields_by_model, model)
                        readable = recs.with_user(user)._filtered_access('read')
                        if readable:
                            Model.browse(readable.ids).web_read(spec)
                            opened.add((user.login, model))
                        Model.web_search_read([], {'display_name': {}}, limit=5)
        self.assertLessEqual({
            ('kam_t_employee', 'res.partner'), ('kam_t_employee', 'calendar.event'),
            ('kam_t_technician', 'kam.visit'), ('kam_t_technician', 'kam.visit.problem'),
            ('kam_t_portal_contact', 'res.partner')}, opened)

    def _open_form_as(self, user, record, lang='en_US'):
        Model = self.env[record._name].with_user(user).with_context(lang=lang)
        result = Model.get_views([(False, 'form')])
        arch = etree.fromstring(result['views']['form']['arch'])
        fields_by_model = {name: info['fields'] for name, info in result['models'].items()}
        return Model.browse(record.ids).web_read(read_spec(arch, fields_by_model, record._name))

    def test_participant_opens_a_visit_waiting_for_its_budget_approval(self):
        """The approval banner injected into every process form reads the current step's
        name: a participant (no right on approval steps) opens the visit while its budget
        waits for the supervisor."""
        self.visit.budget_amount = 9000
        self.visit.with_user(self.kam_user).action_request_approval()
        self.assertEqual(self.visit.approval_state, 'pending')
        for lang in ('en_US', 'zh_CN'):
            with self.subTest(lang=lang):
                values = self._open_form_as(self.technician, self.visit, lang)
                self.assertEqual(values[0]['id'], self.visit.id)

    def test_problem_moved_to_another_visit_takes_its_activity_along(self):
        """A visit's writer moves a problem to another of their visits (an RPC write of
        visit_id, or a link command on the other visit's problems): the responsible's
        reminder stayed on the first visit, which they no longer read, so they could
        neither see nor mark it done there."""
        old_activity = self.problem.activity_id
        rpc(self.env, 'kam.visit', 'write', [self.other_visit.ids, {'problem_ids': [(4, self.problem.id)]}],
            self.kam_user)
        self.assertEqual(self.problem.visit_id, self.other_visit)
        activity = self.problem.activity_id
        self.assertRecordValues(activity, [{'res_model': 'kam.visit', 'res_id': self.other_visit.id,
                                            'user_id': self.technician.id, 'active': True}])
        self.assertFalse(old_activity.exists().filtered('active'), "no reminder left on the first visit")
        rpc(self.env, 'mail.activity', 'action_feedback', [activity.ids], self.technician,
            kwargs={'feedback': 'Balanced the spindle'})
        self.assertEqual(self.problem.state, 'done')

    def test_approval_page_and_history_follow_each_users_groups(self):
        """The approval page and the Approval History button are for those who read the
        approval steps (Key Accounts roles), not participants or archivists. A `groups`
        attribute in the injected QWeb snippet is QWeb's own directive: it was evaluated
        for whoever rendered the form first, and the result cached for every user of that
        language (the view cache's key holds no groups). A participant first: KAM users
        lost the approval page; a KAM user first: participants got it, and the history
        button into an access error."""
        for first in (self.technician, self.kam_user):
            self.env.registry.clear_cache('templates')
            for user in (first, (self.technician | self.kam_user) - first):
                with self.subTest(first=first.login, user=user.login):
                    arch = self.env['kam.visit'].with_user(user).get_views([(False, 'form')])['views']['form']['arch']
                    shown = user == self.kam_user
                    self.assertEqual(self.env['kam.approval.review'].with_user(user).has_access('read'), shown)
                    self.assertEqual('name="kam_approval"' in arch, shown, "the approval page")
                    self.assertEqual('action_open_approval_history' in arch, shown, "the history button")
