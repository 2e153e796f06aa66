from odoo import api, fields, models
from odoo.exceptions import ValidationError

RISK_LEVELS = [('low', 'Low'), ('medium', 'Medium'), ('high', 'High')]


class KamRiskBand(models.Model):
    """Maps a weighted score to a risk level: the first band (highest minimum first)
    whose minimum the score reaches. Defaults: ≥ 3.5 low, ≥ 2.5 medium, else high."""
    _name = 'kam.risk.band'
    _description = 'Risk Level Band'
    _order = 'min_score desc, id'

    name = fields.Char(required=True, translate=True)
    level = fields.Selection(RISK_LEVELS, required=True)
    min_score = fields.Float('Minimum Score', digits=(6, 2), required=True)

    _level_uniq = models.Constraint('unique(level)', 'Each risk level has one band.')

    @api.constrains('min_score')
    def _check_min_score(self):
        for band in self:
            if not 0 <= band.min_score <= 5:
                raise ValidationError(self.env._("A band's minimum score lies between 0 and 5."))

    @api.model
    def _level_for_score(self, score):
        """The risk level of a weighted score, from the bands (one query)."""
        return self._level_picker()(score)

    @api.model
    def _level_picker(self):
        """A function from a weighted score to its risk level, the bands read once for a
        whole batch. Each level has one band, so there are at most len(RISK_LEVELS)."""
        bands = self.search([], limit=len(RISK_LEVELS))  # highest minimum first (_order)

        def level_for(score):
            return next((band.level for band in bands if score >= band.min_score), 'high')
        return level_for
