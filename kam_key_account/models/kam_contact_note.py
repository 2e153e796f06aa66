from odoo import api, fields, models
from odoo.exceptions import ValidationError


class KamContactNote(models.Model):
    """Personal notes on an account's decision maker (D2: character, pressures and
    challenges, interests, family).

    Sensitive by nature: no chatter, no tracking, no printout. A note belongs to the
    account it was written for: ``account_id`` is set at create (the contact's company
    unless given) and is not recomputed when the person changes employer, so the new
    account's manager never reads it.

    ==========================  ==========================================
    Who                         May
    ==========================  ==========================================
    KAM User                    read, write the notes of accounts they manage
    Supervisor and above        read, write all notes (their companies)
    Manager and above           erase or export one person's data (res.partner)
    anyone else                 nothing
    ==========================  ==========================================

    Creating a note on, or moving one to, an account the user may not manage is refused.
    """
    _name = 'kam.contact.note'
    _inherit = ['kam.company.follow.mixin']
    _kam_company_parent = 'account_id'
    _description = 'Decision-Maker Personal Note'
    _order = 'account_id, contact_id, id'
    _rec_name = 'contact_id'
    _check_company_auto = True

    contact_id = fields.Many2one(
        'res.partner', 'Decision Maker', required=True, index=True, ondelete='cascade',
        check_company=True)
    account_id = fields.Many2one(
        'res.partner', required=True, index=True, ondelete='cascade',
        help="The account the note was written for; it stays there if the person moves.")
    company_id = fields.Many2one(related='account_id.company_id', store=True, index=True)
    character = fields.Text()
    pressures = fields.Text('Pressures and Challenges')
    interests = fields.Text()
    family = fields.Text()

    _contact_account_uniq = models.Constraint(
        'unique(contact_id, account_id)',
        'A decision maker has one set of personal notes per account.')

    @api.onchange('contact_id')
    def _onchange_contact_id(self):
        if self.contact_id and not self.account_id:
            self.account_id = self.contact_id.commercial_partner_id

    @api.model_create_multi
    def create(self, vals_list):
        contacts = self.env['res.partner'].browse(
            [vals['contact_id'] for vals in vals_list if vals.get('contact_id')])
        for vals in vals_list:
            if vals.get('contact_id') and not vals.get('account_id'):
                vals['account_id'] = contacts.browse(vals['contact_id']).commercial_partner_id.id
        notes = super().create(vals_list)
        notes._check_contact_of_account()
        return notes

    def write(self, vals):
        moved = {'contact_id', 'account_id'} & set(vals)
        result = super().write(vals)
        if moved:
            # Moving a note is a write on the account it lands on.
            self.check_access('write')
            self._check_contact_of_account()
        return result

    def _check_contact_of_account(self):
        for note in self:
            if note.contact_id.commercial_partner_id != note.account_id:
                raise ValidationError(self.env._(
                    "%(contact)s does not work for %(account)s: a personal note is written "
                    "for a contact of the account it belongs to.",
                    contact=note.contact_id.display_name, account=note.account_id.display_name))
