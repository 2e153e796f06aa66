from odoo import api, fields, models


class KamProcessMixin(models.AbstractModel):
    """What every key-account process shares: a reference from its sequence (the
    sequence's code is the model's name), a company, kanban stages of its own process
    (`kam.stage`, all shown as columns), chatter, activities and the approval engine."""
    _name = 'kam.process.mixin'
    _description = 'Key-Account Process'
    _inherit = ['kam.approval.mixin', 'mail.thread', 'mail.activity.mixin']

    def _default_stage_id(self):
        return self.env['kam.stage'].search([('process', '=', self._kam_process)], order='sequence', limit=1)

    name = fields.Char(string='Reference', required=True, readonly=True, copy=False, default='New', index='trigram')
    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company, index=True)
    stage_id = fields.Many2one(
        'kam.stage', default=lambda self: self._default_stage_id(), tracking=True, index=True, copy=False,
        domain=lambda self: [('process', '=', self._kam_process)], group_expand='_read_group_stage_ids',
        ondelete='restrict')
    stage_code = fields.Char(related='stage_id.code')
    color = fields.Integer()

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        return stages.search([('process', '=', self._kam_process)])

    @api.depends('name', 'partner_id.name')
    def _compute_display_name(self):
        for record in self:
            record.display_name = " - ".join(filter(None, [record.name, record.partner_id.name]))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get('name', 'New') == 'New':
                vals['name'] = self.env['ir.sequence'].next_by_code(self._name) or 'New'
        return super().create(vals_list)

    def _stage_by_code(self, code):
        return self.env['kam.stage'].search([('process', '=', self._kam_process), ('code', '=', code)], limit=1)

    def _move_to(self, code):
        stage = self._stage_by_code(code)
        if stage:
            self.write({'stage_id': stage.id})
