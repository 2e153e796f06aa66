from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase


class TestVisitBrowser(HttpCase):

    def test_salesperson_takes_a_visit_from_plan_to_summary(self):
        user = self.env['res.users'].create({
            'name': 'Tour Salesperson', 'login': 'kam_tour_sales', 'password': 'kam_tour_sales', 'lang': 'en_US',
            'group_ids': [self.env.ref('kam_key_account.group_kam_user').id]})
        account = self.env['res.partner'].create({'name': 'Tour Visit Account', 'is_company': True})
        # Earlier today (the browser's day, in UTC here): the calendar's week shows it even
        # just after midnight, when two hours ago was yesterday, maybe last week.
        now = fields.Datetime.now().replace(microsecond=0)
        start = max(now - timedelta(hours=2), now.replace(hour=0, minute=0, second=0))
        visit = self.env['kam.visit'].with_user(user).create({
            'partner_id': account.id, 'purpose': 'Product presentation',
            'start': start, 'stop': start + timedelta(hours=1)})
        self.start_tour('/odoo/key-account-visits', 'kam_visit_tour', login='kam_tour_sales')
        self.assertEqual(visit.stage_id, self.env.ref('kam_key_account.kam_stage_visit_summarised'))
        self.assertEqual(visit.lessons, 'Bring samples next time')
        self.assertTrue(visit.event_id, "it is on the calendar")
        self.assertEqual(visit.event_id.start, start)
        self.assertTrue(visit.actual_start and visit.actual_stop)
