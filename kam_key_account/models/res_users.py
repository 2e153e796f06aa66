from odoo import models


class ResUsers(models.Model):
    _inherit = 'res.users'

    def write(self, vals):
        result = super().write(vals)
        if 'active' in vals and not vals['active']:
            self._kam_approval_reviewers_lost()
        return result

    def _kam_approval_reviewers_lost(self):
        """Archiving a user deletes their activities: the steps they reviewed must still be
        decided by someone, so those left without enough reviewers escalate at once."""
        Review = self.env['kam.approval.review'].sudo()
        # The users are archived now: look for them among the reviewers all the same.
        reviews = Review.with_context(active_test=False).search(
            [('state', '=', 'pending'), ('reviewer_ids', 'in', self.ids)]).with_context(active_test=True)
        for review in reviews.filtered(lambda r: r.mode == 'all'):
            # "All of them" now means all of those who are left.
            undecided = (review.with_context(active_test=False).reviewer_ids & self) - review.decision_ids.user_id
            review.required_count = max(review.required_count - len(undecided), 1)
        for model, model_reviews in reviews.grouped('res_model').items():
            records = self.env[model].sudo().browse(model_reviews.mapped('res_id')).exists()
            for review in model_reviews.filtered(lambda r: r.approval_count >= r._required_approvals()):
                records.browse(review.res_id)._approval_advance(
                    review, [self.env._("A reviewer was archived: the approvals already given suffice.")])
            lacking = model_reviews.filtered(lambda r: r.state == 'pending' and len(
                Review._eligible_users(records.browse(r.res_id), r.reviewer_ids)) < r._required_approvals())
            if lacking:
                records.browse(lacking.mapped('res_id'))._approval_escalate(
                    lacking, self.env._("A reviewer was archived."))
