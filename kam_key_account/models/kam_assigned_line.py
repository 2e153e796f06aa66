from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

# A line still to be solved: it keeps its activity. Carried over, it stays open on the
# account (the visit may be summarised without it).
OPEN_STATES = ('open', 'in_progress', 'carried_over')
LINE_STATES = [
    ('open', 'Open'),
    ('in_progress', 'In Progress'),
    ('done', 'Solved'),
    ('carried_over', 'Carried Over'),
]


class KamAssignedLine(models.AbstractModel):
    """A piece of a process assigned to someone outside it: a visit problem (V8), an
    opinion line of a suggestion (G7), a task of a service request (R1, R5). The
    participant pattern, the same for every process:

    ================== ================================================================
    Who                What
    ================== ================================================================
    the responsible    any internal user, no Key Accounts role needed: reads the line and
    (participant)      its parent record read-only, without the fields grouped
                       `group_kam_user` (budget, gifts, internal assessment); starts,
                       solves (with a resolution) or reopens the line, from the line or by
                       marking its activity done (the feedback is the resolution); writes
                       nothing else, and sees no other record of the process
    department manager reads the lines of their department and their parents; overdue
                       lines are escalated to them once
    parent's writers   raise, edit, re-assign (the activity moves), carry over, solve and
                       delete the lines
    nobody             writes the activity link, who solved and when, the escalation date
    ================== ================================================================

    Access is given by explicit assignment, never by following: each concrete model
    declares `_kam_line_parent` (the Many2one to its parent) and the module adds, for
    `base.group_user`, an access right and two rules (see security/kam_rules.xml, "participant"):
    the lines where `responsible_id` is the user or the user manages their department or one of
    its parents (`department_id.manager_ids`), and on the
    parent, read-only, the records having such a line. One activity per open line, created
    with `activity_schedule` on the parent and closed through the line's own `activity_id`
    (activity_feedback would close the other lines' activities of the same type and user).
    """
    _name = 'kam.assigned.line'
    _description = 'Key-Account Assigned Line'
    # The Many2one to the record the line belongs to (its activity lives there).
    _kam_line_parent = None
    # What the responsible writes on their own line; anything else is a write on the parent.
    _kam_line_participant_fields = frozenset({'state', 'resolution'})
    # Set by the line's own code only.
    _kam_line_protected_fields = frozenset({'activity_id', 'solved_by_id', 'solved_date', 'escalated_date'})

    description = fields.Text(required=True)
    department_id = fields.Many2one('kam.department', check_company=True, index=True)
    responsible_id = fields.Many2one(
        'res.users', compute='_compute_responsible_id', store=True, readonly=False, index=True,
        domain=[('share', '=', False)], help="The department's responsible, unless someone else is named.")
    department_manager_id = fields.Many2one(related='department_id.manager_id', string='Department Manager')
    due_date = fields.Date(required=True, default=lambda self: fields.Date.context_today(self) + timedelta(days=7))
    state = fields.Selection(LINE_STATES, required=True, default='open', index=True)
    resolution = fields.Text(help="How it was solved: required to solve it. Marking the activity done fills it "
                                  "with the feedback.")
    solved_by_id = fields.Many2one('res.users', readonly=True, copy=False)
    solved_date = fields.Datetime('Solved On', readonly=True, copy=False)
    is_overdue = fields.Boolean('Overdue', compute='_compute_is_overdue', search='_search_is_overdue')
    escalated_date = fields.Datetime('Escalated On', readonly=True, copy=False)
    can_edit = fields.Boolean(
        compute='_compute_can_edit', help="Whether the user may edit the parent, and so every field of the line.")
    activity_id = fields.Many2one('mail.activity', readonly=True, ondelete='set null', copy=False, index='btree_not_null')

    @api.depends('department_id')
    def _compute_responsible_id(self):
        for line in self:
            line.responsible_id = line.department_id.responsible_id or line.responsible_id \
                or line[self._kam_line_parent].user_id or self.env.user

    @api.depends_context('uid')
    def _compute_can_edit(self):
        writable = self[self._kam_line_parent].filtered('id')._filtered_access('write')
        for line in self:
            parent = line[self._kam_line_parent]
            line.can_edit = not parent.id or parent in writable

    @api.depends('due_date', 'state')
    @api.depends_context('tz')
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for line in self:
            line.is_overdue = line.state in OPEN_STATES and line.due_date < today

    def _search_is_overdue(self, operator, value):
        if operator != 'in':
            return NotImplemented
        overdue = [('state', 'in', OPEN_STATES), ('due_date', '<', fields.Date.context_today(self))]
        return overdue if True in value else ['!', *overdue]

    @api.constrains('responsible_id')
    def _check_responsible(self):
        for line in self:
            if not line.responsible_id:
                raise ValidationError(self.env._("Every %(line)s needs someone responsible for it.",
                                                 line=self._kam_line_kind()))
            if line.responsible_id.share:
                raise ValidationError(self.env._(
                    "%(user)s is not an internal user: only internal users are responsible for a %(line)s.",
                    user=line.responsible_id.name, line=self._kam_line_kind()))
            company = line[self._kam_line_parent].company_id
            if company and company not in line.responsible_id.sudo().company_ids:
                raise ValidationError(self.env._(
                    "%(user)s does not work for %(company)s: they cannot be responsible for a %(line)s of it.",
                    user=line.responsible_id.name, company=company.name, line=self._kam_line_kind()))

    @api.constrains('state', 'resolution')
    def _check_resolution(self):
        for line in self:
            if line.state == 'done' and not (line.resolution or '').strip():
                raise ValidationError(self.env._(
                    "Write how “%(line)s” was solved: a %(kind)s is solved with its resolution.",
                    line=line._kam_line_label(), kind=self._kam_line_kind()))

    # ------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------

    def _kam_line_parent_copies(self):
        """The stored related fields copied from the parent (its account, its company):
        they follow the parent and are never written on the line."""
        return {name for name, field in self._fields.items() if field.related and field.store and not field.inverse}

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and self._kam_line_protected_fields & self._kam_line_forced_fields(vals_list):
            raise AccessError(self._kam_line_protected_error())
        copies = self._kam_line_parent_copies()
        # A value or a default_* key of the context would pin them: they come from the parent.
        vals_list = [{key: value for key, value in vals.items() if key not in copies} for vals in vals_list]
        # Dropping keys needs a whole new context: with_context(key=False) would set them to False.
        self = self.with_context({  # noqa: PLW0642  # pylint: disable=context-overridden
            key: value for key, value in self.env.context.items()
            if not (key.startswith('default_') and key.removeprefix('default_') in copies)})
        for vals in vals_list:
            if vals.get('state') == 'done':
                vals.update(self._kam_line_solved_vals())
        lines = super().create(vals_list)
        lines[self._kam_line_parent]._check_lines_writable()
        lines._kam_sync_activities()
        return lines

    def write(self, vals):
        if not self.env.su:
            if (self._kam_line_protected_fields | self._kam_line_parent_copies()) & vals.keys():
                raise AccessError(self._kam_line_protected_error())
            if vals.keys() - self._kam_line_participant_fields or vals.get('state') == 'carried_over':
                # More than working on one's own line: a write on the parent.
                self[self._kam_line_parent]._check_lines_writable()
            if vals.get(self._kam_line_parent):
                self[self._kam_line_parent].browse(vals[self._kam_line_parent])._check_lines_writable()
        solved = unsolved = self.browse()
        if 'state' in vals:
            solved = self.filtered(lambda line: line.state != 'done') if vals['state'] == 'done' else solved
            unsolved = self.filtered(lambda line: line.state == 'done') if vals['state'] != 'done' else unsolved
        result = super().write(vals)
        # Who solved and when: those solved now, not those solved before.
        if solved:
            solved.sudo().write(self._kam_line_solved_vals())
        if unsolved:
            unsolved.sudo().write({'solved_by_id': False, 'solved_date': False})
        if {'state', 'responsible_id', 'due_date', 'description', 'department_id', self._kam_line_parent} & vals.keys():
            self._kam_sync_activities()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_parent_not_writable(self):
        self[self._kam_line_parent]._check_lines_writable()

    def unlink(self):
        activities = self.activity_id.filtered('active')
        result = super().unlink()
        # The parent's writers delete the line (checked above): its reminder goes with it.
        activities.sudo().unlink()
        return result

    # ------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------

    def action_start(self):
        self.filtered(lambda line: line.state == 'open').write({'state': 'in_progress'})

    def action_solve(self):
        """Solved with the resolution written on the line (checked by _check_resolution)."""
        self.write({'state': 'done'})

    def action_reopen(self):
        self.filtered(lambda line: line.state == 'done').write({'state': 'open'})

    def action_carry_over(self):
        """Left open on the account: the visit may be summarised, the line stays to be solved."""
        self.filtered(lambda line: line.state in ('open', 'in_progress')).write({'state': 'carried_over'})

    def action_open_parent(self):
        self.ensure_one()
        parent = self[self._kam_line_parent]
        return {
            'type': 'ir.actions.act_window',
            'res_model': parent._name,
            'res_id': parent.id,
            'view_mode': 'form',
            'views': [(False, 'form')],
        }

    # ------------------------------------------------------------------------------------
    # Activities and escalation
    # ------------------------------------------------------------------------------------

    def _kam_check_feedback(self, feedback):
        if not (feedback or '').strip():
            raise UserError(self.env._(
                "Write how “%(line)s” was solved in the feedback: it becomes the resolution of the %(kind)s.",
                line=self[:1]._kam_line_label(), kind=self._kam_line_kind()))

    def _kam_solve_from_activity(self, feedback):
        """The lines' activity was marked done (mail.activity._action_done): its feedback is
        the resolution."""
        self._kam_check_feedback(feedback)
        self.write({'state': 'done', 'resolution': feedback.strip()})

    def _kam_sync_activities(self):
        """One live activity per open line, for its responsible and due date; a solved
        line's activity is marked done with the resolution. With sudo, once the write of
        the line was allowed: a participant reopens or solves their line without the right
        to write its parent (sudo keeps the user, who stays the author). Each line once: an
        RPC write on [id, id] creates one activity."""
        lines = self.browse(dict.fromkeys(self.ids)).sudo()
        # A line moved to another parent: its reminder moves along (the responsible may not
        # read the former parent any more).
        moved = lines.filtered(lambda line: line.activity_id.active and (
            line.activity_id.res_model, line.activity_id.res_id) != (line[self._kam_line_parent]._name,
                                                                     line[self._kam_line_parent].id))
        if moved:
            moved.activity_id.unlink()
        for line in lines.filtered(lambda line: line.state == 'done' and line.activity_id.active):
            line.activity_id.action_feedback(feedback=line.resolution)
        for line in lines.filtered(lambda line: line.state in OPEN_STATES and line.activity_id.active):
            vals = line._kam_line_activity_vals()
            line.activity_id.write({**vals, 'user_id': vals['user_id'].id})
        for line in lines.filtered(lambda line: line.state in OPEN_STATES and not line.activity_id.active):
            vals = line._kam_line_activity_vals()
            # The skip key is client input: it does not leave an open line without its activity.
            parent = line[self._kam_line_parent].with_context(mail_activity_automation_skip=False)
            line.activity_id = parent.activity_schedule(
                line._kam_line_activity_type(), date_deadline=vals['date_deadline'], summary=vals['summary'],
                note=vals['note'], user_id=vals['user_id'].id)

    def _compute_display_name(self):
        for line in self:
            line.display_name = line._kam_line_label()

    @api.model
    def _cron_escalate_overdue(self):
        """The daily cron of each concrete line model."""
        return self._kam_escalate_overdue()

    def _kam_escalate_overdue(self):
        """Overdue open lines are reported once to their department's manager (or the
        manager of a parent department): the escalation date marks them, so running it
        again reports nothing twice."""
        lines = self.search([('is_overdue', '=', True), ('escalated_date', '=', False)])
        managers = {line: line.department_id._kam_escalation_manager() - line.responsible_id for line in lines}
        lines = lines.filtered(lambda line: managers[line])
        for parent, parent_lines in lines.grouped(self._kam_line_parent).items():
            parent.message_post(
                body=self.env._(
                    "Overdue, escalated to the department's manager: %(lines)s",
                    lines="; ".join(line._kam_line_label() for line in parent_lines)),
                partner_ids=self.env['res.users'].union(*(managers[line] for line in parent_lines)).partner_id.ids,
                subtype_xmlid='mail.mt_note')
        lines.sudo().write({'escalated_date': fields.Datetime.now()})
        return lines

    # ------------------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------------------

    def _kam_line_label(self):
        self.ensure_one()
        description = self.description or ''
        return description if len(description) <= 80 else description[:79] + '…'

    def _kam_line_kind(self):
        """The model's name in the user's language ("Visit Problem", "拜访问题")."""
        return self.env['ir.model']._get(self._name).name

    def _kam_line_activity_type(self):
        return 'mail.mail_activity_data_todo'

    def _kam_line_activity_vals(self):
        self.ensure_one()
        return {
            'user_id': self.responsible_id,
            'date_deadline': self.due_date,
            'summary': self._kam_line_summary(),
            'note': self.description,
        }

    def _kam_line_summary(self):
        return self.env._("%(kind)s: %(line)s", kind=self._kam_line_kind(), line=self._kam_line_label())

    def _kam_line_solved_vals(self):
        return {'solved_by_id': self.env.user.id, 'solved_date': fields.Datetime.now()}

    @api.model
    def _kam_line_forced_fields(self, vals_list):
        """The fields a create sets from the client: its values, and the `default_*` context
        keys and the user's own defaults (ir.default) that `default_get` applies to a
        missing field (an activity id there would be rewritten or marked done with sudo)."""
        forced = set().union(*vals_list)
        forced |= {key.removeprefix('default_') for key in self.env.context if key.startswith('default_')}
        return forced | set(self.env['ir.default']._get_model_defaults(self._name))

    def _kam_line_protected_error(self):
        return self.env._("The activity, the solver and the escalation of a %(kind)s are set by the %(kind)s itself.",
                          kind=self._kam_line_kind())
