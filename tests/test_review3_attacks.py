"""Review 3: attacks on what landed with participants, visit problems and the approval
UI, as a hostile JSON-RPC client, a participant without a Key Accounts role, a portal
contact and a KAM user of another company. Each test asserts the secure behaviour and
failed while its hole was open."""
import json

from odoo.exceptions import AccessError

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
