from odoo import api, fields, models


class KamDevelopmentPlanLineMixin(models.AbstractModel):
    """Lines of a development plan are part of it: whoever may write the plan writes them.
    A line is checked as a write of the plan's one2many field: the lines of the plan's
    content are frozen with a controlled version, like its fields; the development record,
    its execution, is not (`_kam_uncontrolled_fields`); an obsolete version's are all kept."""
    _name = 'kam.development.plan.line.mixin'
    _description = 'Development Plan Line'
    _check_company_auto = True

    plan_id = fields.Many2one('kam.development.plan', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='plan_id.company_id')
    currency_id = fields.Many2one(related='plan_id.currency_id')

    def _kam_check_plans_writable(self, plans):
        if self.env.su:
            return
        plans.check_access('write')
        # As a write of the plan's line field: a controlled version refuses it unless the
        # plan lists it among its `_kam_uncontrolled_fields` (the record), an obsolete one
        # always does (its record is kept as it was, like the rest).
        plans._check_controlled_write({self._kam_line_field(): True})

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
