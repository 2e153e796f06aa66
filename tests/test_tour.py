from odoo.tests import HttpCase


class TestKeyAccountTour(HttpCase):

    def test_key_accounts_kanban_and_partner_tab(self):
        supervisor = self.env['res.users'].create({
            'name': 'Tour Supervisor', 'login': 'kam_tour_supervisor', 'password': 'kam_tour_supervisor', 'lang': 'en_US',
            'group_ids': [self.env.ref('kam_key_account.group_kam_supervisor').id],
        })
        self.env['res.partner'].create({
            'name': 'Tour Strategic Partner Co', 'is_company': True,
            'kam_tier_id': self.env.ref('kam_key_account.kam_tier_strategic').id,
            'kam_manager_id': supervisor.id, 'kam_annual_sales': 30_000_000,
        })
        self.start_tour('/odoo/key-accounts', 'kam_key_accounts_tour', login='kam_tour_supervisor')
