from odoo import api, fields, models
from odoo.exceptions import ValidationError


class KamCompanyFollowMixin(models.AbstractModel):
    """For records whose company is a stored related field (the company of their parent).

    A stored related field has no inverse: a value a client sends on write or create (or a
    personal default) would simply be stored, and the multi-company rules would follow it,
    showing the record to another company. The company always follows the parent.
    """
    _name = 'kam.company.follow.mixin'
    _description = 'Key-Account Record Whose Company Follows Its Parent'
    # The field holding the parent whose company the record takes.
    _kam_company_parent = None

    company_id = fields.Many2one('res.company', readonly=True)  # each model relates it to its parent

    @api.constrains('company_id')
    def _check_company_follows_parent(self):
        for record in self:
            parent = record[self._kam_company_parent]
            if record.company_id != parent.company_id:
                raise ValidationError(self.env._(
                    "The company of %(record)s is the company of its %(parent)s: it cannot be set by hand.",
                    record=record.display_name,
                    parent=record._fields[self._kam_company_parent]._description_string(self.env)))
