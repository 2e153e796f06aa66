from odoo import api, fields, models
from odoo.exceptions import ValidationError

RECORD_METHODS = [
    ('letter', 'Letter'), ('phone', 'Phone'), ('email', 'E-mail'), ('visit', 'Visit'),
    ('meeting', 'Presentation or Promotion Meeting'), ('mailing', 'Mailed Materials'),
]
PROGRESS = [
    ('contact', 'Contact'), ('explanation', 'Product Explanation'), ('demonstration', 'Product Demonstration'),
    ('proposal', 'Proposal'), ('contract', 'Contract'),
]
ATTITUDES = [('warm', 'Warm'), ('neutral', 'Neutral'), ('cold', 'Cold')]


class KamDevelopmentPlanRecord(models.Model):
    """One contact of the development record (大客户开发记录表, D11). Completed development
    visits of the plan log theirs (one each); the others are typed by the team."""
    _name = 'kam.development.plan.record'
    _description = 'Development Record Line'
    _inherit = ['kam.development.plan.line.mixin']
    _order = 'plan_id, date, id'

    date = fields.Datetime('Date and Time', required=True, default=fields.Datetime.now)
    contact_id = fields.Many2one('res.partner', 'Person Met', check_company=True)
    duration = fields.Float('Time Spent (Hours)', required=True, default=1.0)
    method = fields.Selection(RECORD_METHODS, required=True, default='phone')
    progress = fields.Selection(PROGRESS, required=True, default='contact')
    attitude = fields.Selection(ATTITUDES, "Customer's Attitude", default='neutral')
    notes = fields.Text()
    visit_id = fields.Many2one('kam.visit', readonly=True, index='btree_not_null', ondelete='set null')
    user_id = fields.Many2one('res.users', 'Logged By', default=lambda self: self.env.user, readonly=True)

    _one_per_visit = models.UniqueIndex('(visit_id) WHERE visit_id IS NOT NULL', "A visit is logged once.")

    @api.constrains('duration')
    def _check_duration(self):
        for line in self:
            if line.duration <= 0:
                raise ValidationError(self.env._(
                    "A contact of the development record takes some time: %(hours)s hours is not possible.",
                    hours=line.duration))
