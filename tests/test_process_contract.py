"""Screening and visits keep the process contract (tests/common.py, ProcessContract)."""
from datetime import timedelta

from .common import KamScreeningCommon, ProcessContract
from .test_visit import KamVisitCommon


class TestScreeningContract(ProcessContract, KamScreeningCommon):

    def _contract_new_record(self, **values):
        return self._new_screening(name='Contract Prospect', **values)


class TestVisitContract(ProcessContract, KamVisitCommon):

    def _contract_new_record(self, **values):
        # Actual times: the constraints of Done and Summarised accept the visit there.
        return self._visit(actual_start=self.start, actual_stop=self.start + timedelta(hours=1), **values)

    def _contract_approval_values(self):
        return {'budget_amount': 2 * self.company.kam_visit_budget_threshold}
