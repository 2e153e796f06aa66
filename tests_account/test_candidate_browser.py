"""What a development manager clicks: a candidate from the books, screened in one click."""
from datetime import timedelta

from odoo import fields
from odoo.fields import Command
from odoo.tests import HttpCase


class TestCandidateBrowser(HttpCase):

    def test_screen_a_candidate_from_the_books(self):
        user = self.env['res.users'].create({
            'name': 'Tour KAM User', 'login': 'kam_tour_books', 'password': 'kam_tour_books', 'lang': 'en_US',
            'group_ids': [self.env.ref('kam_key_account.group_kam_user').id]})
        self.assertFalse(user.has_group('account.group_account_invoice'))
        company = self.env.company
        if not company.chart_template:
            self.env['account.chart.template'].try_loading('generic_coa', company, install_demo=False)
        partner = self.env['res.partner'].create({'name': 'Tour Candidate Co.', 'is_company': True})
        product = self.env['product.product'].create({'name': 'Tour Spindle', 'taxes_id': False})
        invoice = self.env['account.move'].create({
            'move_type': 'out_invoice', 'partner_id': partner.id,
            'invoice_date': fields.Date.today() - timedelta(days=10),
            'invoice_line_ids': [Command.create({
                'product_id': product.id, 'quantity': 1, 'price_unit': 6_000_000, 'tax_ids': False})],
        })
        invoice.action_post()
        self.start_tour('/odoo/kam-candidates', 'kam_candidate_screening_tour', login='kam_tour_books')
        screening = self.env['kam.screening'].search([('partner_id', '=', partner.id)])
        self.assertRecordValues(screening, [{
            'annual_sales': 6_000_000, 'proposed_tier_id': self.env.ref('kam_key_account.kam_tier_key').id,
            'user_id': user.id, 'is_open': True}])
        self.assertFalse(self.env['kam.sales.candidate'].search([('partner_id', '=', partner.id)]))
