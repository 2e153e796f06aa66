from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError


class KamVisitProblem(models.Model):
    """A problem found on a visit (V8), raised to a department and followed to closure:
    each open problem is an activity of its responsible on the visit.

    Those who may edit the visit raise, edit and delete its problems; the responsible (any
    employee, see the rule kam_visit_problem_rule_responsible) marks theirs solved or open
    again, and changes nothing else. The activity link is the model's own.
    """
    _name = 'kam.visit.problem'
    _inherit = ['kam.company.follow.mixin']
    _kam_company_parent = 'visit_id'
    _description = 'Visit Problem'
    _order = 'visit_id, state desc, due_date, id'
    _check_company_auto = True

    visit_id = fields.Many2one('kam.visit', required=True, ondelete='cascade', index=True)
    company_id = fields.Many2one(related='visit_id.company_id', store=True)
    description = fields.Text(required=True)
    department_id = fields.Many2one('kam.department', check_company=True)
    responsible_id = fields.Many2one(
        'res.users', compute='_compute_responsible_id', store=True, readonly=False,
        domain=[('share', '=', False)], help="The department's responsible, unless someone else is named.")
    due_date = fields.Date(required=True, default=lambda self: fields.Date.context_today(self) + timedelta(days=7))
    state = fields.Selection([('open', 'Open'), ('done', 'Solved')], required=True, default='open')
    activity_id = fields.Many2one('mail.activity', readonly=True, ondelete='set null', copy=False)

    @api.depends('department_id')
    def _compute_responsible_id(self):
        for problem in self:
            problem.responsible_id = problem.department_id.responsible_id or problem.responsible_id \
                or problem.visit_id.user_id or self.env.user

    @api.constrains('responsible_id')
    def _check_responsible(self):
        if any(not problem.responsible_id for problem in self):
            raise ValidationError(self.env._("Every problem needs someone responsible for solving it."))

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any('activity_id' in vals for vals in vals_list):
            raise AccessError(self._activity_link_error())
        problems = super().create(vals_list)
        problems.visit_id._check_lines_writable()
        problems._sync_activities()
        for visit, visit_problems in problems.grouped('visit_id').items():
            visit._notify_supervisors(self.env._(
                "Problems raised on the visit %(visit)s: %(problems)s",
                visit=visit.display_name, problems="; ".join(visit_problems.mapped('description'))))
        return problems

    def write(self, vals):
        if not self.env.su:
            if 'activity_id' in vals:
                raise AccessError(self._activity_link_error())
            if vals.keys() - {'state'}:  # more than solving: a write on the visit
                self.visit_id._check_lines_writable()
            if vals.get('visit_id'):
                self.env['kam.visit'].browse(vals['visit_id'])._check_lines_writable()
        result = super().write(vals)
        if {'state', 'responsible_id', 'due_date', 'description'} & vals.keys():
            self._sync_activities()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_visit_not_writable(self):
        self.visit_id._check_lines_writable()

    def action_solve(self):
        self.write({'state': 'done'})

    def _activity_link_error(self):
        return self.env._("The activity of a problem is set by the problem itself.")

    def _sync_activities(self):
        """One activity per open problem, for its responsible; solving it marks it done.
        Each problem once: a write on [id, id] would otherwise leave the first new activity
        behind, open and unlinked."""
        problems = self.browse(dict.fromkeys(self.ids))
        solved = problems.filtered(lambda p: p.state == 'done' and p.activity_id)
        solved.activity_id.action_feedback(feedback=self.env._("Solved"))
        todo = self.env.ref('mail.mail_activity_data_todo')
        model_id = self.env['ir.model']._get_id('kam.visit')
        open_problems = problems.filtered(lambda p: p.state == 'open')
        open_problems.activity_id.unlink()
        activities = self.env['mail.activity'].create([{
            'res_model_id': model_id,
            'res_id': problem.visit_id.id,
            'activity_type_id': todo.id,
            'user_id': problem.responsible_id.id,
            'date_deadline': problem.due_date,
            'summary': self.env._("Problem: %(problem)s", problem=(problem.description or '')[:80]),
            'note': problem.description,
        } for problem in open_problems])
        for problem, activity in zip(open_problems, activities):
            # The link is this model's own: no client writes it (see write).
            problem.sudo().activity_id = activity
