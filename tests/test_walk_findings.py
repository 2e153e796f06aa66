"""Findings of a walk through the development plans as each role (what a user met)."""
from lxml import etree

from odoo.tests import new_test_user

from .common import KamDevelopmentPlanCommon


class TestWalkFindings(KamDevelopmentPlanCommon):

    def test_archivist_sees_no_button_it_cannot_use(self):
        """The archive room reads and prints a confirmed plan: it is shown no header
        button that can only end in an access error (contact, win, lose, revise)."""
        archivist = new_test_user(self.env, login='kam_t_walk_archivist', groups='kam_key_account.group_kam_archivist',
                                  company_id=self.company.id)
        for user, expected in ((archivist, set()), (self.kam_user, {
                'action_start_contacting', 'action_win', 'action_lose', 'action_new_revision',
                'action_send_first_contact'})):
            arch = self.env['kam.development.plan'].with_user(user).get_views([(False, 'form')])['views']['form']['arch']
            buttons = {button.get('name') for button in etree.fromstring(arch).iterfind('.//header/button')}
            self.assertEqual(buttons & {'action_start_contacting', 'action_win', 'action_lose', 'action_new_revision',
                                        'action_send_first_contact'}, expected, user.login)
            self.assertTrue({'action_kam_print', 'action_print_record'} <= buttons)
