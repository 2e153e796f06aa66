from email.message import EmailMessage

from odoo.tests import HttpCase, new_test_user


class TestSuggestionTour(HttpCase):

    def _set_up_people(self):
        """The account's manager, the reviewers, a department answered by an employee
        without a Key Accounts role, and the account with its contact Wang Fang."""
        env = self.env = self.env(context=dict(self.env.context, lang='en_US'))

        def user(login, group, name):
            return new_test_user(env, login=login, groups=group, name=name, lang='en_US', tz='Asia/Shanghai',
                                 email=f'{login}@example.com')

        owner = user('kam_tour_sug_owner', 'kam_key_account.group_kam_user', 'Tour Suggestion Owner')
        manager = user('kam_tour_sug_manager', 'kam_key_account.group_kam_manager', 'Tour KA Manager')
        supervisor = user('kam_tour_sug_supervisor', 'kam_key_account.group_kam_supervisor', 'Tour Supervisor')
        director = user('kam_tour_sug_director', 'kam_key_account.group_kam_director', 'Tour Director')
        gm = user('kam_tour_sug_gm', 'kam_key_account.group_kam_general_manager', 'Tour GM')
        logistics = user('kam_tour_sug_logistics', 'base.group_user', 'Tour Logistics Head')
        for xmlid, reviewer in (('kam_approval_step_suggestion_manager', manager),
                                ('kam_approval_step_suggestion_summary_director', director),
                                ('kam_approval_step_suggestion_summary_gm', gm)):
            env.ref(f'kam_key_account.{xmlid}').write({'approver_kind': 'users', 'user_ids': [(6, 0, reviewer.ids)]})
        department = env['kam.department'].create({'name': 'Tour Logistics', 'responsible_id': logistics.id})
        # The summary asks this department only.
        env['kam.department'].search([('id', '!=', department.id)]).write({'active': False})
        account = env['res.partner'].create({'name': 'Tour Gearbox Works', 'is_company': True,
                                             'kam_manager_id': owner.id})
        env['res.partner'].create({'name': 'Wang Fang', 'parent_id': account.id, 'email': 'wang.fang@gearbox.example.com'})
        return owner, manager, supervisor, director, gm, logistics, account

    def test_record_report_review_summary_reply(self):
        """G1 → G10 as the people would click: the account's manager records and reports, the
        KA manager approves the report, a supervisor builds the summary and sends it to the
        departments, (the departments answer, the director and the general manager approve),
        the owner sends the feedback form."""
        owner, manager, supervisor, director, gm, logistics, account = self._set_up_people()
        env = self.env

        self.start_tour('/odoo/kam-suggestions', 'kam_suggestion_record_tour', login=owner.login)
        suggestion = env['kam.suggestion'].search([('partner_id', '=', account.id)])
        self.assertRecordValues(suggestion, [{'stage_code': 'review', 'approval_state': 'pending'}])
        self.assertTrue(suggestion.acknowledged_date, "the customer was thanked (G2)")

        self.start_tour('/odoo/kam-suggestions', 'kam_suggestion_review_tour', login=manager.login)
        self.assertEqual(suggestion.stage_code, 'reviewed')

        self.start_tour('/odoo/kam-suggestions?view_type=list', 'kam_suggestion_summary_tour', login=supervisor.login)
        summary = suggestion.summary_id
        self.assertRecordValues(summary, [{'title': 'Tour labelling suggestions', 'stage_code': 'departments'}])
        summary.opinion_ids.activity_id.with_user(logistics).action_feedback(feedback='Our label printer is ready.')
        summary.with_user(supervisor).action_request_approval()
        summary.with_user(director).action_approve()
        summary.with_user(gm).action_approve()
        self.assertEqual(suggestion.stage_code, 'execution')

        self.start_tour('/odoo/kam-suggestions', 'kam_suggestion_reply_tour', login=owner.login)
        self.assertRecordValues(suggestion, [{'stage_code': 'replied', 'reply_on_time': True}])
        self.assertTrue(suggestion.reply_date)

    def test_mailed_suggestion_to_the_feedback_form(self):
        """G1 by e-mail → G10: a contact of the key account writes to the company's alias; the
        suggestion lands on the account and thanks the customer; its manager carries it on in
        the browser to the feedback form."""
        owner, manager, _supervisor, director, gm, logistics, account = self._set_up_people()
        env = self.env
        company = env.company
        if not company.alias_domain_id:
            company.alias_domain_id = env['mail.alias.domain'].create({'name': 'tour.example.com'})
        mail = EmailMessage()
        mail['From'] = 'Wang Fang <wang.fang@gearbox.example.com>'
        mail['To'] = company.kam_suggestion_alias_email
        mail['Subject'] = 'Pallet labels'
        mail['Message-ID'] = '<pallet-labels-tour@gearbox.example.com>'
        mail.set_content('Please print our part numbers on every pallet label.')
        env['mail.thread'].sudo().message_process(None, mail.as_bytes())
        suggestion = env['kam.suggestion'].search([('partner_id', '=', account.id)])
        self.assertRecordValues(suggestion, [{'subject': 'Pallet labels', 'channel': 'email', 'user_id': owner.id}])
        self.assertTrue(suggestion.acknowledged_date, "the customer was thanked (G2)")

        self.start_tour('/odoo/kam-suggestions', 'kam_suggestion_mail_tour', login=owner.login)
        self.assertRecordValues(suggestion, [{'stage_code': 'review', 'approval_state': 'pending'}])
        self.start_tour('/odoo/kam-suggestions', 'kam_suggestion_review_tour', login=manager.login)
        self.assertEqual(suggestion.stage_code, 'reviewed')
        summary = env['kam.suggestion.summary'].with_user(manager).create(
            {'title': 'Mailed suggestions', 'suggestion_ids': [(6, 0, suggestion.ids)],
             'department_ids': [(6, 0, env['kam.department'].search([('name', '=', 'Tour Logistics')]).ids)]})
        summary.with_user(manager).action_send_to_departments()
        for opinion in summary.opinion_ids:
            opinion.with_user(logistics).write({'state': 'done', 'resolution': 'Our label printer is ready.'})
        summary.with_user(manager).action_request_approval()
        summary.with_user(director).action_approve()
        summary.with_user(gm).action_approve()
        self.assertEqual(suggestion.stage_code, 'execution')
        self.start_tour('/odoo/kam-suggestions', 'kam_suggestion_reply_tour', login=owner.login)
        self.assertRecordValues(suggestion, [{'stage_code': 'replied', 'reply_on_time': True}])
