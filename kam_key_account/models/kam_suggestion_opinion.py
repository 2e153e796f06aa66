from odoo import fields, models
from odoo.exceptions import UserError


class KamSuggestionOpinion(models.Model):
    """A department's implementation opinion (落实意见) on a suggestion summary (G7).

    The participant pattern of `kam.assigned.line`: the department's responsible (any
    employee, see the rules kam_suggestion_opinion_rule_participant and
    kam_suggestion_summary_rule_participant) reads the line, its summary and the summary's
    suggestions, and gives the opinion on the line or by marking its activity done (the
    feedback is the opinion). The summary goes to the director once every department
    answered; from then on the opinions are frozen.
    """
    _name = 'kam.suggestion.opinion'
    _inherit = ['kam.assigned.line', 'kam.company.follow.mixin', 'mail.thread']
    _kam_company_parent = 'summary_id'
    _kam_line_parent = 'summary_id'
    _description = 'Suggestion Summary Opinion'
    _order = 'summary_id, id'
    _check_company_auto = True

    summary_id = fields.Many2one('kam.suggestion.summary', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='summary_id.company_id', store=True)
    department_id = fields.Many2one(required=True)
    state = fields.Selection(tracking=True)
    responsible_id = fields.Many2one(tracking=True)
    resolution = fields.Text(
        'Implementation Opinion', tracking=True,
        help="The department's opinion on carrying out the suggestions (落实意见): required to give it. Marking "
             "the activity done fills it with the feedback.")

    _one_per_department = models.Constraint(
        'unique(summary_id, department_id)', "A department gives one opinion per suggestion summary.")

    def write(self, vals):
        if not self.env.su and vals.keys() & {'state', 'resolution', 'department_id', 'responsible_id'}:
            frozen = self.filtered(lambda o: o.summary_id.stage_code != 'departments')
            if frozen:
                raise UserError(self.env._(
                    "The opinions of %(summary)s are given while it is with the departments: they are frozen now.",
                    summary=frozen[0].summary_id.display_name))
        return super().write(vals)

    def _compute_display_name(self):
        for opinion in self:
            opinion.display_name = f"{opinion.summary_id.name or ''} - {opinion.department_id.name or ''}"

    def _kam_line_summary(self):
        return self.env._("Opinion on %(summary)s", summary=self.summary_id.display_name)

    def _kam_line_label(self):
        self.ensure_one()
        return self.env._("Opinion of %(department)s", department=self.department_id.name or '')
