from odoo import api, fields, models


class KamScreeningLineMixin(models.AbstractModel):
    """Lines of a screening are part of it: whoever may write the screening writes them,
    and a change withdraws the screening's approval (see `_kam_lines_changed`)."""
    _name = 'kam.screening.line.mixin'
    _description = 'Screening Line'
    _check_company_auto = True

    screening_id = fields.Many2one('kam.screening', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='screening_id.company_id')

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.screening_id._kam_check_lines_writable()
        lines.screening_id._kam_lines_changed()
        return lines

    def write(self, vals):
        screenings = self.screening_id
        screenings._kam_check_lines_writable()
        if vals.get('screening_id'):  # moving a line: the new screening must be writable too
            screenings |= self.env['kam.screening'].browse(vals['screening_id'])
            screenings._kam_check_lines_writable()
        result = super().write(vals)
        screenings._kam_lines_changed()
        return result

    def unlink(self):
        screenings = self.screening_id
        result = super().unlink()
        # exists(): the lines may go with their screening, deleted in the same call.
        screenings.exists()._kam_lines_changed()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_filed_screening(self):
        self.screening_id._kam_check_lines_writable()
