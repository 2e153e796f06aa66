from odoo import api, fields, models


class KamContactNote(models.Model):
    """Personal notes on an account's decision maker (D2: character, pressures and
    challenges, interests, family).

    Sensitive by nature: no chatter, no tracking, and record rules let a KAM User read
    only the notes of the accounts they manage; Supervisors and above read them all,
    anyone without a KAM role none.
    """
    _name = 'kam.contact.note'
    _description = 'Decision-Maker Personal Note'
    _order = 'account_id, contact_id, id'
    _rec_name = 'contact_id'

    contact_id = fields.Many2one(
        'res.partner', 'Decision Maker', required=True, index=True, ondelete='cascade')
    account_id = fields.Many2one(
        'res.partner', 'Account', compute='_compute_account_id', store=True, index=True,
        ondelete='cascade')
    company_id = fields.Many2one(related='account_id.company_id', store=True, index=True)
    character = fields.Text()
    pressures = fields.Text('Pressures and Challenges')
    interests = fields.Text()
    family = fields.Text()

    _contact_uniq = models.Constraint(
        'unique(contact_id)', 'A decision maker has one set of personal notes.')

    @api.depends('contact_id.commercial_partner_id')
    def _compute_account_id(self):
        for note in self:
            note.account_id = note.contact_id.commercial_partner_id
