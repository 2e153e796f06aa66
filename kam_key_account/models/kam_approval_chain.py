
from odoo import api, fields, models
from odoo.exceptions import ValidationError


class KamApprovalChain(models.Model):
    """The sign-offs a kind of record needs, per company: ordered steps.

    Configuration, not code: KAM Managers edit chains; running requests keep the
    reviewers, steps and stages they were given when approval was requested. A chain of
    a company (and its steps) is seen in that company only; a chain without company in all.
    """
    _name = 'kam.approval.chain'
    _description = 'Approval Chain'
    _order = 'model, company_id, sequence, id'

    name = fields.Char(required=True, translate=True)
    model = fields.Selection(selection='_selection_model', required=True, index=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        'res.company', index=True, help="Leave empty for a chain every company uses.")
    step_ids = fields.One2many('kam.approval.step', 'chain_id', 'Steps', copy=True)
    request_stage_id = fields.Many2one(
        'kam.stage', 'Stage on Request', help="Where a record goes when its approval is requested.")
    reject_stage_id = fields.Many2one('kam.stage', 'Stage on Rejection')
    step_count = fields.Integer(compute='_compute_step_count')

    @api.model
    def _selection_model(self):
        registry = self.env.registry
        consumers, todo = set(), ['kam.approval.mixin']
        while todo:  # every model inheriting the engine, through other mixins too
            children = set(registry[todo.pop()]._inherit_children) - consumers
            consumers |= children
            todo += children
        concrete = sorted(model for model in consumers if not self.env[model]._abstract)
        # ir.model's name is translated, a model's _description is not (one query for all).
        names = dict(self.env['ir.model'].sudo().search_fetch(
            [('model', 'in', concrete)], ['model', 'name']).mapped(lambda m: (m.model, m.name)))
        return [(model, names.get(model) or self.env[model]._description) for model in concrete]

    @api.depends('step_ids')
    def _compute_step_count(self):
        for chain in self:
            chain.step_count = len(chain.step_ids)

    @api.constrains('request_stage_id', 'reject_stage_id', 'step_ids', 'model')
    def _check_stages_of_the_process(self):
        for chain in self:
            process = getattr(self.env[chain.model], '_kam_process', None)
            stages = chain.request_stage_id | chain.reject_stage_id | chain.step_ids.stage_id
            if process and any(stage.process != process for stage in stages):
                raise ValidationError(self.env._(
                    "The stages of the chain %(chain)s must belong to its process.", chain=chain.display_name))
