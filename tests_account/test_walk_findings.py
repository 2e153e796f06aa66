"""Findings of a walk through the development plans and the Candidates, as each role,
on a database with the bridge (what a user met, each fixed here)."""
from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user
from tests.common import KamDevelopmentPlanCommon

from .common import KamBooksCommon


class TestWalkFindingsBooks(KamBooksCommon, KamDevelopmentPlanCommon):

    def test_archivist_opens_a_confirmed_plan_with_the_books(self):
        """The archive room reads the confirmed plan's form: the account's sales per
        product (D4, from the books) stay empty for it instead of refusing the form."""
        archivist = new_test_user(self.env, login='kam_t_walk_archivist', groups='kam_key_account.group_kam_archivist',
                                  company_id=self.company.id)
        plan = self._new_plan(partner=self.customer)
        self._post(self.customer, fields.Date.today() - timedelta(days=10), [(self.product_a, 2, 100.0)])
        self.approve_plan(plan)
        Plan = self.env['kam.development.plan'].with_user(archivist)
        fields_ = Plan.get_views([(False, 'form')])['models']['kam.development.plan']['fields']
        values = plan.with_user(archivist).web_read({name: {} for name in fields_})[0]
        self.assertFalse(values.get('books_sales_summary'))
        # The KAM user still reads the figures of the plan's company.
        self.assertIn('Spindle Motor', plan.with_user(self.kam_user).books_sales_summary)
