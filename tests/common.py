"""Shared fixtures: one user per role, two companies, accounts and contacts.

Tests use the module's own data (the default tiers and groups), never its demo data.
"""
from contextlib import contextmanager

from odoo.tests import TransactionCase, new_test_user

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
        }, **values))
        screening.risk_line_ids.write({'score': 4})
        return screening.with_env(cls.env)

    def approval_activities(self, records):
        return self.env['mail.activity'].search([
            ('res_model', '=', records._name), ('res_id', 'in', records.ids),
            ('activity_type_id', '=', self.approval_type.id)])

    def messages(self, record):
        return self.env['mail.message'].search([('model', '=', record._name), ('res_id', '=', record.id)])
