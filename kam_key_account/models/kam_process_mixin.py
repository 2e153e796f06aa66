from odoo import api, fields, models
from odoo.exceptions import AccessError


class KamProcessMixin(models.AbstractModel):
    """What every key-account process shares: a reference from its sequence (the
    sequence's code is the model's name), a company, kanban stages of its own process
    (`kam.stage`, all shown as columns), chatter, activities and the approval engine.

    ================== ======================================================================
    Who                What
    ================== ======================================================================
    record's writers   write the process's business fields, and the computed fields that are
                       declared `readonly=False` (a proposal the user may adjust)
    nobody             writes, creates (values, `default_*` context keys, personal defaults)
                       or copies with a value a stored computed field without inverse (what
                       the reviewers read is what the process computed) or an engine field
                       of `_kam_engine_fields`; the process writes those with sudo, through
                       `_kam_engine_write`, after its own checks
    ================== ======================================================================
    """
    _name = 'kam.process.mixin'
    _description = 'Key-Account Process'
    _inherit = ['kam.approval.mixin', 'mail.thread', 'mail.activity.mixin']
    # Fields only the process's own actions set (e.g. a confirmation date, a filed
    # document): declared per model, refused to every client like the stored computes.
    _kam_engine_fields = ()

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
        if not self.env.su:
            # copy(default=...) ends here too: its defaults are in vals.
            self._check_engine_fields_free(set().union(*vals_list), defaults=True)
        for vals in vals_list:
            if vals.get('name', 'New') == 'New':
                vals['name'] = self.env['ir.sequence'].next_by_code(self._name) or 'New'
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._check_engine_fields_free(vals.keys())
        return super().write(vals)

    @api.model
    def _kam_protected_fields(self):
        """The engine fields, and the stored computes a client could otherwise overwrite:
        written, a stored compute keeps the client's value until its dependencies change
        (a risk level, an open flag carrying a unique index, a budget flag gating an
        approval). Computes declared `readonly=False` are proposals the user may adjust."""
        return set(self._kam_engine_fields) | {
            name for name, field in self._fields.items()
            if field.compute and field.store and field.readonly and not field.inverse}

    @api.model
    def _check_engine_fields_free(self, fnames, defaults=False):
        """Refuse a client's value for a protected field: in the values, and on create in
        the `default_*` context keys or the user's own defaults (ir.default), which
        `default_get` would apply to a missing field, computed or not."""
        protected = self._kam_protected_fields()
        forced = protected.intersection(fnames)
        if defaults:
            user_defaults = self.env['ir.default']._get_model_defaults(self._name)
            forced |= {name for name in protected if f'default_{name}' in self.env.context or name in user_defaults}
        if forced:
            raise AccessError(self.env._(
                "%(fields)s of %(model)s are set by the process itself, not by hand.",
                fields=", ".join(sorted(self._fields[name]._description_string(self.env) for name in forced)),
                model=self.env['ir.model']._get(self._name).name))

    def _kam_engine_write(self, vals):
        """The process's own write of its engine fields, once its checks passed."""
        return self.sudo().write(vals)

    def _stage_by_code(self, code):
        return self.env['kam.stage'].search([('process', '=', self._kam_process), ('code', '=', code)], limit=1)

    def _move_to(self, code):
        stage = self._stage_by_code(code)
        if stage:
            self.write({'stage_id': stage.id})
