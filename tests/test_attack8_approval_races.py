"""Attack 8: what changes how a step counts, committed while a reviewer decides, on committed
data in real transactions (the pattern of test_approval_concurrency.py).

The decision's lock used to cover the record's row only. Archiving a reviewer of an "all"
step lowers the approvals the step needs on the review line alone (res.users
`_kam_approval_reviewers_lost`), so an approval whose transaction did not see the archiving
(or which the archiving did not see) counted against the old number: both committed, and
the step stayed waiting for approvals it already had, with nobody left to give them.
"""
from odoo import api
from odoo.modules.registry import Registry
from odoo.service.model import retrying
from odoo.tests import common

from .test_approval_concurrency import (
    ConcurrentApprovalCase,
    environment,
    no_retry_wait,
)


class TestApprovalRacesAttack8(ConcurrentApprovalCase):

    def setUp(self):
        super().setUp()
        with environment() as env:
            review = env['kam.screening'].browse(self.screening_id).approval_review_id.sudo()
            # Both supervisors must approve; the first step's other reviewers (users of the
            # database holding the role) are left out.
            review.write({'mode': 'all', 'required_count': 2,
                          'reviewer_ids': [(6, 0, [self.first_id, self.second_id])]})

    def _assert_first_step_passed(self):
        with environment() as env:
            screening = env['kam.screening'].browse(self.screening_id)
            first_step = screening.approval_review_ids.filtered(lambda r: r.sequence == 10)
            self.assertEqual(first_step.decision_ids.user_id.ids, [self.first_id])
            self.assertEqual(first_step.required_count, 1, "the archived reviewer no longer counts")
            self.assertEqual(first_step.state, 'approved',
                             "one approval of the one reviewer left: the step passed, it does not wait for nobody")
            self.assertEqual(screening.approval_review_id.sequence, 20)

    def test_attack8_reviewer_archived_before_an_approval_is_locked(self):
        """The archiving commits after the approval's transaction began, before its lock."""
        registry = Registry(common.get_db_name())
        with registry.cursor() as cr1, registry.cursor() as cr2:
            env2 = api.Environment(cr2, self.first_id, {})
            # The reviewer's transaction has read the step (two approvals needed).
            self.assertTrue(env2['kam.screening'].browse(self.screening_id).can_approve)
            api.Environment(cr1, common.ADMIN_USER_ID, {})['res.users'].browse(self.second_id).action_archive()
            cr1.commit()
            with no_retry_wait():
                retrying(lambda: env2['kam.screening'].browse(self.screening_id).action_approve(), env2)
        self._assert_first_step_passed()

    def test_attack8_reviewer_archived_while_an_approval_commits(self):
        """The approval commits after the archiving's transaction began."""
        registry = Registry(common.get_db_name())
        with registry.cursor() as cr1, registry.cursor() as cr2:
            env1 = api.Environment(cr1, common.ADMIN_USER_ID, {})
            env1['kam.screening'].browse(self.screening_id).approval_review_id.sudo().fetch(['required_count'])
            env2 = api.Environment(cr2, self.first_id, {})
            env2['kam.screening'].browse(self.screening_id).action_approve()
            cr2.commit()
            with no_retry_wait():
                retrying(lambda: env1['res.users'].browse(self.second_id).action_archive(), env1)
        self._assert_first_step_passed()
