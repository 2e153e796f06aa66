from .common import KamCommon


class TestCrmTier(KamCommon):

    def test_lead_shows_the_commercial_partner_tier(self):
        Lead = self.env['crm.lead']
        lead_company = Lead.create({'name': 'Company lead', 'partner_id': self.account.id, 'type': 'opportunity'})
        lead_contact = Lead.create({'name': 'Contact lead', 'partner_id': self.contact.id, 'type': 'opportunity'})
        lead_other = Lead.create({'name': 'Other lead', 'partner_id': self.account_2.id, 'type': 'opportunity'})
        self.assertEqual(lead_company.kam_tier_id, self.tier_key)
        self.assertEqual(lead_contact.kam_tier_id, self.tier_key, "a contact's lead shows its company's tier")
        self.assertEqual(lead_contact.kam_tier_color, self.tier_key.color)
        self.assertFalse(lead_other.kam_tier_id)
        self.account.with_user(self.kam_manager).kam_tier_id = self.tier_strategic
        self.assertEqual(lead_contact.kam_tier_id, self.tier_strategic, "not stored: always current")
        self.assertFalse(Lead._fields['kam_tier_id'].store)

    def test_key_accounts_filter(self):
        Lead = self.env['crm.lead']
        leads = Lead.create([
            {'name': 'KA lead', 'partner_id': self.contact.id, 'type': 'opportunity'},
            {'name': 'Plain lead', 'partner_id': self.account_2.id, 'type': 'opportunity'},
        ])
        self.account.sudo().kam_is_key_account = True
        search_view = self.env.ref('kam_key_account.view_crm_case_opportunities_filter_inherit_kam')
        self.assertIn('kam_key_accounts', search_view.arch)
        domain = [('partner_id.commercial_partner_id.kam_is_key_account', '=', True), ('id', 'in', leads.ids)]
        self.assertEqual(Lead.search(domain), leads[0])
        self.assertEqual(Lead.search([('kam_tier_id', '=', self.tier_key.id), ('id', 'in', leads.ids)]), leads[0])

    def test_pipeline_kanban_shows_the_tier(self):
        arch = self.env['crm.lead'].get_views([(False, 'kanban')])['views']['kanban']['arch']
        self.assertIn('kam_tier_id', arch)
        self.assertIn('o_tag_color_', arch)
