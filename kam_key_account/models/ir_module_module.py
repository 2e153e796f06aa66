from odoo import api, models
from odoo.tools import SQL


class IrModuleModule(models.Model):
    _inherit = 'ir.module.module'

    @api.model
    def _load_module_terms(self, modules, langs, overwrite=False):
        """The labels of a selection defined by a mail mixin (activity state: Overdue, Today,
        Planned) are stored per model under mail's xmlids, and mail's .po files name only the
        models mail knows: ours would stay English. Give our models the mixin's own labels in
        every loaded language, once mail's or our terms are loaded."""
        result = super()._load_module_terms(modules, langs, overwrite=overwrite)
        if {'mail', 'kam_key_account'} & set(modules):
            self._kam_copy_mixin_selection_labels()
        return result

    def _kam_copy_mixin_selection_labels(self):
        self.env['ir.model.fields.selection'].flush_model()
        self.env.cr.execute(SQL("""
            UPDATE ir_model_fields_selection target
               SET name = target.name || (source.name - 'en_US')
              FROM ir_model_fields_selection source
              JOIN ir_model_fields source_field ON source_field.id = source.field_id,
                   ir_model_fields target_field
             WHERE source_field.model = 'mail.activity.mixin'
               AND target_field.id = target.field_id
               AND target_field.name = source_field.name
               AND target_field.model LIKE 'kam.%%'
               AND target.value = source.value
               AND target.name->>'en_US' = source.name->>'en_US'
        """))
        self.env['ir.model.fields.selection'].invalidate_model(['name'])
        self.env.registry.clear_cache()
