"""Attack 8: a decision lands on the step its author saw, or on none.

A General Manager opened Override on the first step of a screening; its reviewer approved
it meanwhile (a second earlier, or in a transaction the RPC layer then ran again after the
lock failed). Confirming used to override whatever step was current by then: the
manager's step, which the GM never saw, passed on a reason written for another one.
"""
from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import Form

from .common import KamScreeningCommon


class TestStaleStepAttack8(KamScreeningCommon):

    def setUp(self):
        super().setUp()
        self.screening.with_user(self.kam_user).action_request_approval()
        self.flush_tracking()
        self.first_step = self.screening.approval_review_id
        self.assertEqual(self.first_step.name, 'Supervisor Review')

    def _open_wizard(self, user, decision):
        """The header button of the form the user sees (its context, as the view gives it)."""
        action = self.screening.with_user(user).with_context(
            kam_approval_decision=decision, kam_approval_review_id=self.first_step.id,
        ).action_open_approval_wizard()
        with Form(self.env['kam.approval.wizard'].with_user(user).with_context(**action['context'])) as wizard:
            wizard.reason = "The supervisor is away and the customer is waiting"
        return wizard.record

    def test_attack8_override_of_a_step_decided_meanwhile_is_refused(self):
        wizard = self._open_wizard(self.kam_gm, 'override')
        self.screening.with_user(self.kam_supervisor).action_approve()
        self.flush_tracking()
        second_step = self.screening.approval_review_id
        self.assertEqual(second_step.name, 'Manager Approval')
        with self.assertRaisesText(UserError, 'Supervisor Review .* was decided meanwhile'):
            wizard.action_confirm()
        self.assertFalse(second_step.decision_ids, "the manager's step is not overridden unseen")
        self.assertEqual(second_step.state, 'pending')
        self.assertEqual(self.screening.approval_state, 'pending')

    def test_attack8_approval_of_a_step_decided_meanwhile_is_refused(self):
        # The manager also reviews the first step: they see it, the supervisor approves it.
        self.first_step.sudo().reviewer_ids |= self.kam_manager
        self.screening.with_user(self.kam_supervisor).action_approve()
        self.flush_tracking()
        second_step = self.screening.approval_review_id
        self.assertIn(self.kam_manager, second_step.reviewer_ids)
        with self.assertRaisesText(UserError, 'Supervisor Review .* was decided meanwhile'):
            self.screening.with_user(self.kam_manager).with_context(
                kam_approval_review_id=self.first_step.id).action_approve()
        self.assertFalse(second_step.decision_ids, "the manager's own step waits for them to see it")
        # From the reloaded form (its current step), the manager decides.
        self.screening.with_user(self.kam_manager).with_context(
            kam_approval_review_id=second_step.id).action_approve()
        self.assertEqual(second_step.state, 'approved')

    def test_attack8_rejection_of_the_step_seen_still_works(self):
        wizard = self._open_wizard(self.kam_supervisor, 'rejected')
        wizard.action_confirm()
        self.assertEqual(self.screening.approval_state, 'rejected')
        self.assertEqual(self.first_step.state, 'rejected')

    def test_attack8_the_form_buttons_send_the_step_they_show(self):
        arch = self.env['kam.screening'].with_user(self.kam_gm).get_views([(False, 'form')])['views']['form']['arch']
        for name in ('action_approve', 'action_open_approval_wizard'):
            for button in etree.fromstring(arch).xpath(f"//header/button[@name='{name}']"):
                self.assertIn("'kam_approval_review_id': approval_review_id", button.get('context') or '', name)

    def test_attack8_a_forged_step_refuses_the_decision_clearly(self):
        """The step sent is client input: another step, or no id at all, only refuses."""
        for forged in ('x', [self.first_step.id], self.first_step.id + 1000):
            with self.subTest(forged=forged), self.assertRaisesText(UserError, 'was decided meanwhile'):
                self.screening.with_user(self.kam_supervisor).with_context(
                    kam_approval_review_id=forged).action_approve()
        self.assertFalse(self.first_step.decision_ids)
