from odoo import api, fields, models
from odoo.exceptions import AccessError

from odoo.addons.crm.models.crm_stage import AVAILABLE_PRIORITIES


class KamVisitOpportunity(models.Model):
    """The visit's first assessment of an opportunity found on it (V7, 商机初步定位):
    expected revenue, priority and the departments concerned. Saving the line opens the
    opportunity in CRM with the first two, and tells the supervisors and the departments'
    responsibles. Those who may edit the visit write its lines; the lead is the line's own.
    """
    _name = 'kam.visit.opportunity'
    _inherit = ['kam.company.follow.mixin']
    _kam_company_parent = 'visit_id'
    _description = 'Visit Opportunity Assessment'
    _order = 'visit_id, id'
    _check_company_auto = True

    visit_id = fields.Many2one('kam.visit', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='visit_id.company_id', store=True)
    currency_id = fields.Many2one(related='visit_id.company_id.currency_id', string='Currency')
    name = fields.Char('Opportunity', required=True)
    expected_revenue = fields.Monetary()
    priority = fields.Selection(AVAILABLE_PRIORITIES, default=AVAILABLE_PRIORITIES[0][0])
    department_ids = fields.Many2many('kam.department', string='Departments Concerned', check_company=True)
    lead_id = fields.Many2one('crm.lead', readonly=True, copy=False, ondelete='set null')

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any('lead_id' in vals for vals in vals_list):
            raise AccessError(self._lead_link_error())
        lines = super().create(vals_list)
        lines.visit_id._check_lines_writable()
        lines._create_leads()
        return lines

    def write(self, vals):
        if not self.env.su:
            if 'lead_id' in vals:
                raise AccessError(self._lead_link_error())
            self.visit_id._check_lines_writable()
            if vals.get('visit_id'):
                self.env['kam.visit'].browse(vals['visit_id'])._check_lines_writable()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_visit_not_writable(self):
        self.visit_id._check_lines_writable()

    def _create_leads(self):
        """The lead takes the name, expected revenue and priority; one notice per visit to
        its supervisors and the responsibles of the departments concerned."""
        leads = self.env['crm.lead'].create([{
            **line.visit_id._prepare_lead_vals(),
            'name': line.name,
            'expected_revenue': line.expected_revenue,
            'priority': line.priority,
        } for line in self])
        for line, lead in zip(self, leads):
            line.sudo().lead_id = lead
        for visit, lines in self.grouped('visit_id').items():
            departments = lines.department_ids
            body = self.env._(
                "New opportunity from the visit %(visit)s: %(leads)s (departments concerned: %(departments)s)",
                visit=visit.display_name, leads="; ".join(lines.mapped('name')),
                departments=", ".join(departments.mapped('name')) or "—")
            partners = visit._supervisors().partner_id | departments.responsible_id.partner_id
            visit.message_post(body=body, partner_ids=partners.ids, subtype_xmlid='mail.mt_note')

    def _lead_link_error(self):
        return self.env._("The opportunity of an assessment line is created by the line itself.")
