from odoo import api, fields, models
from odoo.exceptions import UserError

# R1: the roles of an account's service team (大客户服务团队).
TEAM_ROLES = [
    ('ka_manager', 'KA Manager'),
    ('sales', 'Sales Support'),
    ('marketing', 'Marketing Support'),
    ('technical', 'Technical Support'),
    ('finance', 'Finance Support'),
    ('training', 'Training Support'),
]
# R5: how a type is carried out.
IMPLEMENTATIONS = [
    ('event', 'Event with the Customer'),
    ('task', 'Task of a Team Member'),
]
EVENT_KINDS = [
    ('seminar', 'Technical Seminar'),
    ('exchange', 'Industry Exchange'),
    ('appreciation', 'Customer Appreciation'),
    ('launch', 'Launch Invitation'),
    ('other', 'Other Event'),
]


class KamServiceType(models.Model):
    """The service catalogue (服务内容, R2): what a key account may be offered, which team
    role carries it out, the details a request of it must give, and whether it has special
    payment terms (the General Manager's or marketing VP's approval step, R4).

    Every employee reads the catalogue (team members without a Key Accounts role carry
    its tasks out); Key Accounts Managers configure it, and archive a type once requested
    (deleted, it would change what was approved).
    """
    _name = 'kam.service.type'
    _description = 'Key-Account Service Type'
    _order = 'sequence, id'

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one('res.company', index=True, help="Leave empty for a type every company offers.")
    description = fields.Text(translate=True)
    implementation = fields.Selection(IMPLEMENTATIONS, required=True, default='task')
    event_kind = fields.Selection(EVENT_KINDS, help="The kind of event a type carried out as an event is.")
    responsible_role = fields.Selection(
        TEAM_ROLES, required=True, default='sales',
        help="The team member holding this role carries the type out (its task, or its events).")
    requires_warranty = fields.Boolean('Requires Warranty Terms', help="Warranty years and kind (limited, on-site, full).")
    requires_region = fields.Boolean('Requires a Special Region')
    requires_delivery_address = fields.Boolean('Requires a Delivery Address')
    requires_payment_terms = fields.Boolean()
    special_payment_terms = fields.Boolean(
        help="Requests of this type are also approved by the General Manager or the marketing VP (R4).")

    @api.ondelete(at_uninstall=False)
    def _unlink_except_requested(self):
        requested = self.env['kam.service.request'].sudo().with_context(active_test=False).search(
            [('type_ids', 'in', self.ids)], limit=1)
        if requested:
            raise UserError(self.env._(
                "%(types)s is asked for by service requests (%(request)s...): archive it instead, the requests "
                "keep it.", types=", ".join((self & requested.type_ids).mapped('name')), request=requested.name))
