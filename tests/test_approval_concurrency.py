"""A6: two people approving the same step at the same moment yield one decision.

Two real transactions on committed data, as odoo/addons/base/tests/test_ir_sequence.py does.
"""
import uuid
from contextlib import contextmanager

from odoo import api
from odoo.exceptions import UserError
from odoo.modules.registry import Registry
from odoo.tests import common
from odoo.tests.common import BaseCase


@contextmanager
def environment(uid=common.ADMIN_USER_ID):
    """A new cursor on the test database, committed and closed after the block."""
    with Registry(common.get_db_name()).cursor() as cr:
        yield api.Environment(cr, uid, {})


class TestConcurrentApproval(BaseCase):

    def setUp(self):
        super().setUp()
        tag = uuid.uuid4().hex[:8]
        with environment() as env:
            def user(role, index=0):
                return env['res.users'].create({
                    'name': f'Concurrent {role} {tag}', 'login': f'kam_conc_{role}{index}_{tag}',
                    'group_ids': [(4, env.ref(f'kam_key_account.group_kam_{role}').id)]})
            requester, first, second = user('user'), user('supervisor', 1), user('supervisor', 2)
            partner = env['res.partner'].create({'name': f'Concurrent Prospect {tag}', 'is_company': True})
            screening = env['kam.screening'].with_user(requester).create({
                'partner_id': partner.id, 'annual_sales': 6_000_000, 'proposed_manager_id': requester.id})
            screening.risk_line_ids.write({'score': 3})
            screening.with_user(requester).action_request_approval()
            self.screening_id, self.first_id, self.second_id = screening.id, first.id, second.id
            self.user_ids = (requester | first | second).ids
            self.partner_id = partner.id
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with environment() as env:
            screening = env['kam.screening'].browse(self.screening_id)
            screening._do_reset_approval()
            screening.unlink()
            env['res.users'].browse(self.user_ids).action_archive()
            env['res.partner'].browse(self.partner_id).unlink()

    def test_a6_two_concurrent_approvals_make_one_decision(self):
        registry = Registry(common.get_db_name())
        with registry.cursor() as cr1, registry.cursor() as cr2:
            first = api.Environment(cr1, self.first_id, {})['kam.screening'].browse(self.screening_id)
            second = api.Environment(cr2, self.second_id, {})['kam.screening'].browse(self.screening_id)
            self.assertTrue(first.can_approve and second.can_approve, "both review the first step")
            first.action_approve()  # holds the row lock until cr1 commits
            with self.assertRaises(UserError) as caught:
                second.action_approve()
            self.assertIn('Someone else is deciding', str(caught.exception))
            cr2.rollback()
            cr1.commit()
            # Once the first decision is committed, the step is decided: a retry is refused.
            with self.assertRaises(UserError):
                second.action_approve()
            cr2.rollback()
        with environment() as env:
            screening = env['kam.screening'].browse(self.screening_id)
            first_step = screening.approval_review_ids.filtered(lambda r: r.sequence == 10)
            self.assertEqual(first_step.state, 'approved')
            self.assertEqual(len(first_step.decision_ids), 1)
            self.assertEqual(first_step.decision_ids.user_id.id, self.first_id)
            self.assertEqual(screening.approval_review_id.sequence, 20)
