from datetime import datetime, time

from odoo import fields
from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user


class TestServiceTour(HttpCase):

    def test_member_requests_a_seminar_with_special_payment_terms(self):
        env = self.env(context=dict(self.env.context, lang='en_US'))
        member = new_test_user(env, login='kam_tour_svc_member', groups='kam_key_account.group_kam_user',
                               name='Tour Service Member', lang='en_US', tz='UTC')
        supervisor = new_test_user(env, login='kam_tour_svc_supervisor', groups='kam_key_account.group_kam_supervisor',
                                   name='Tour Service Supervisor')
        manager = new_test_user(env, login='kam_tour_svc_manager', groups='kam_key_account.group_kam_manager',
                                name='Tour Service Manager')
        gm = new_test_user(env, login='kam_tour_svc_gm', groups='kam_key_account.group_kam_general_manager',
                           name='Tour Service GM')
        account = env['res.partner'].create({'name': 'Tour Servo Works', 'is_company': True,
                                             'kam_manager_id': member.id})
        cto = env['res.partner'].create({'name': 'Sun Li', 'function': 'CTO', 'parent_id': account.id})
        accountant = new_test_user(env, login='kam_tour_svc_finance', groups='base.group_user',
                                   name='Tour Finance Colleague')
        env['kam.service.team.member'].create({'partner_id': account.id, 'user_id': accountant.id, 'role': 'finance'})
        self.start_tour('/odoo/kam-service-requests', 'kam_service_request_tour', login='kam_tour_svc_member')
        request = env['kam.service.request'].search([('partner_id', '=', account.id)])
        self.assertRecordValues(request, [{'approval_state': 'pending', 'stage_code': 'review',
                                           'special_payment_terms': True}])
        # The seminar: its date and the customer's technical head.
        start = datetime.combine(fields.Date.today(), time(8, 0))
        request.with_user(member).write({'event_ids': [Command.create({
            'name': 'Servo tuning seminar', 'type_id': env.ref('kam_key_account.kam_service_type_seminar').id,
            'start': start, 'stop': start.replace(hour=10), 'contact_ids': [Command.set(cto.ids)]})]})
        for user in (supervisor, manager, gm):
            # The tour's reviewers among the groups' members.
            self.assertIn(user, request.approval_reviewer_ids, request.approval_review_id.name)
            request.with_user(user).action_approve()
        self.assertEqual(request.stage_code, 'approved')
        self.assertEqual(request.approved_by_id, gm)
        self.assertIn(cto, request.event_ids.calendar_event_id.partner_ids)
        self.start_tour('/odoo/kam-service-requests', 'kam_service_calendar_tour', login='kam_tour_svc_member')
