from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command, Domain


class KamSuggestionSummaryWizard(models.TransientModel):
    """Build a suggestion summary table (建议汇总表, G6) from reviewed suggestions: those of
    a period, categories or an account, or those selected in the list."""
    _name = 'kam.suggestion.summary.wizard'
    _description = 'Build a Suggestion Summary'

    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company)
    title = fields.Char(required=True, default=lambda self: self.env._("Suggestions of %(month)s", month=fields.Date.context_today(self).strftime('%Y-%m')))
    date_from = fields.Date('Received From')
    date_to = fields.Date('Received To')
    category_ids = fields.Many2many('kam.suggestion.category', string='Categories')
    partner_id = fields.Many2one('res.partner', 'Account', domain=[('is_company', '=', True)])
    department_ids = fields.Many2many(
        'kam.department', string='Departments Concerned',
        default=lambda self: self.env['kam.department'].search([('company_id', 'in', [self.env.company.id, False])]))
    suggestion_ids = fields.Many2many(
        'kam.suggestion', string='Suggestions', compute='_compute_suggestion_ids', store=True, readonly=False,
        help="The reviewed suggestions not yet in a summary that match the filters; adjust the selection.")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get('active_model') == 'kam.suggestion' and self.env.context.get('active_ids'):
            values['suggestion_ids'] = [Command.set(self.env.context['active_ids'])]
        return values

    @api.depends('company_id', 'date_from', 'date_to', 'category_ids', 'partner_id')
    def _compute_suggestion_ids(self):
        for wizard in self:
            wizard.suggestion_ids = self.env['kam.suggestion'].search(wizard._suggestion_domain())

    def _suggestion_domain(self):
        self.ensure_one()
        domain = Domain([('stage_id.code', '=', 'reviewed'), ('approval_state', '=', 'approved'),
                         ('summary_id', '=', False), ('company_id', '=', self.company_id.id)])
        if self.date_from:
            domain &= Domain('received_date', '>=', self.date_from)
        if self.date_to:
            domain &= Domain('received_date', '<=', self.date_to)
        if self.category_ids:
            domain &= Domain('category_id', 'in', self.category_ids.ids)
        if self.partner_id:
            domain &= Domain('partner_id', '=', self.partner_id.commercial_partner_id.id)
        return domain

    def action_build(self):
        self.ensure_one()
        if not self.suggestion_ids:
            raise UserError(self.env._("No reviewed suggestion waits for a summary with these filters."))
        summary = self.env['kam.suggestion.summary'].with_company(self.company_id).create({
            'title': self.title,
            'company_id': self.company_id.id,
            'date_from': self.date_from,
            'date_to': self.date_to,
            'category_ids': [Command.set(self.category_ids.ids)],
            'partner_id': self.partner_id.commercial_partner_id.id,
            'department_ids': [Command.set(self.department_ids.ids)],
        })
        # One write: a suggestion already in an open summary is refused with its name.
        self.suggestion_ids.write({'summary_id': summary.id})
        return summary._get_records_action(name=self.env._("Suggestion Summary"))
