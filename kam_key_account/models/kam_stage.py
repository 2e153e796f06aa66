from odoo import api, fields, models, tools
from odoo.exceptions import UserError

PROCESSES = [
    ('screening', 'Screening'),
    ('visit', 'Visit'),
    ('suggestion', 'Suggestion'),
    ('development', 'Development Plan'),
    ('service', 'Service Request'),
    ('suggestion_summary', 'Suggestion Summary'),
]


class KamStage(models.Model):
    """A kanban stage of one key-account process; one model serves all five.

    A gate stage can only be entered through the approval engine: no record is dragged
    or written into a gate, or any stage after the first gate, before its approval.
    Everyone reads stages; KAM Managers configure them. Changing `is_closed` recomputes the
    stored `is_open` of the stage's records (a screening's one-open-per-partner index).
    """
    _name = 'kam.stage'
    _description = 'Key-Account Process Stage'
    _order = 'process, sequence, id'

    name = fields.Char(required=True, translate=True)
    process = fields.Selection(PROCESSES, required=True, index=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean('Folded in Kanban')
    code = fields.Char(
        help="What the stage means to the process's code (e.g. 'done'), whatever its name.")
    is_gate = fields.Boolean(
        'Approval Gate',
        help="Only the approval engine moves records into this stage; until a record is "
             "approved, neither this stage nor any later one can be chosen by hand.")
    is_closed = fields.Boolean(
        'Closing Stage', help="Records in this stage are finished: confirmed, done, rejected or cancelled.")
    description = fields.Text(translate=True)

    def _kam_check_free_for(self, records):
        """Refuse a hand-made move of `records` into this stage when a gate guards it."""
        self.ensure_one()
        gate = self._first_gate_sequence(self.process)
        guarded = self.is_gate or (gate is not None and self.sequence >= gate)
        if guarded and (not records or any(r.approval_state != 'approved' for r in records)):
            raise UserError(self.env._(
                "%(stage)s can only be reached through approval: use Request Approval, and the "
                "reviewers' decisions move the record on.", stage=self.name))

    # Stages are configuration, read at every record's creation and move: where a process
    # starts and where its first gate is are known once per registry, until a stage changes.

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        if {'process', 'sequence', 'is_gate'} & vals.keys():
            self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    @api.model
    @tools.ormcache('process')
    def _first_stage_id(self, process):
        """The id of the first stage of `process`, where its records start (or False)."""
        return self.sudo().search([('process', '=', process)], order='sequence, id', limit=1).id

    @api.model
    @tools.ormcache('process')
    def _first_gate_sequence(self, process):
        gates = self.sudo().search([('process', '=', process), ('is_gate', '=', True)], order='sequence, id', limit=1)
        return gates.sequence if gates else None
