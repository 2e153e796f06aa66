from odoo import api, fields, models


class KamDevelopmentPlanLineMixin(models.AbstractModel):
    """Lines of a development plan are part of it: whoever may write the plan writes them.
    Lines of the plan's content (`_kam_controlled_line`) are frozen with a controlled
    version, like its fields; the development record is its execution and is not."""
    _name = 'kam.development.plan.line.mixin'
    _description = 'Development Plan Line'
    _check_company_auto = True
    _kam_controlled_line = True

    plan_id = fields.Many2one('kam.development.plan', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='plan_id.company_id')
    currency_id = fields.Many2one(related='plan_id.currency_id')

    def _kam_check_plans_writable(self, plans):
        if self.env.su:
            return
        plans.check_access('write')
        if self._kam_controlled_line:
            plans._check_controlled_write({self._kam_line_field(): True})
        else:
            plans._check_controlled_write({})

    def _kam_line_field(self):
        return next(name for name, field in self.env['kam.development.plan']._fields.items()
                    if field.type == 'one2many' and field.comodel_name == self._name)

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        self._kam_check_plans_writable(lines.plan_id)
        return lines

    def write(self, vals):
        plans = self.plan_id
        if vals.get('plan_id'):  # a line moved: the new plan must be writable too
            plans |= self.env['kam.development.plan'].browse(vals['plan_id'])
        self._kam_check_plans_writable(plans)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_controlled_plan(self):
        self._kam_check_plans_writable(self.plan_id)
