from odoo import api, fields, models


class KamVisitProblem(models.Model):
    """A problem found on a visit (V8), raised to a department and followed to closure.

    The participant pattern of `kam.assigned.line`: the responsible (any employee, see the
    rules kam_visit_problem_rule_participant and kam_visit_rule_participant) reads the
    problem and its visit, and solves it from the problem or by marking its activity done;
    those who may edit the visit raise, edit, re-assign, carry over and delete its
    problems. A visit is summarised once its problems are solved or carried over; a
    carried-over problem stays open on the account.
    """
    _name = 'kam.visit.problem'
    _inherit = ['kam.assigned.line', 'kam.company.follow.mixin', 'mail.thread']
    _kam_company_parent = 'visit_id'
    _kam_line_parent = 'visit_id'
    _description = 'Visit Problem'
    _order = 'due_date, id'
    _check_company_auto = True

    visit_id = fields.Many2one('kam.visit', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='visit_id.company_id', store=True)
    partner_id = fields.Many2one(related='visit_id.partner_id', string='Account', store=True, index=True)
    state = fields.Selection(tracking=True, group_expand=True)
    responsible_id = fields.Many2one(tracking=True)
    resolution = fields.Text(tracking=True)

    @api.model_create_multi
    def create(self, vals_list):
        problems = super().create(vals_list)
        for visit, visit_problems in problems.grouped('visit_id').items():
            visit._notify_supervisors(self.env._(
                "Problems raised on the visit %(visit)s: %(problems)s",
                visit=visit.display_name, problems="; ".join(visit_problems.mapped('description'))))
        return problems

    def _kam_line_summary(self):
        return self.env._("Problem: %(problem)s", problem=self._kam_line_label())
