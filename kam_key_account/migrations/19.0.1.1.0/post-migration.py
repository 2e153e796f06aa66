"""The screening stages and two risk indicators got codes: the process's transitions and
the proposed risk scores find them by code, not by name. Their records are noupdate: an
existing database gets the codes here, where it has none yet."""
from odoo import SUPERUSER_ID, api

CODES = {
    'kam.stage': {
        'kam_stage_screening_draft': 'draft',
        'kam_stage_screening_supervisor': 'supervisor',
        'kam_stage_screening_manager': 'manager',
        'kam_stage_screening_confirmed': 'confirmed',
        'kam_stage_screening_rejected': 'rejected',
    },
    'kam.risk.indicator': {
        'kam_risk_indicator_fit': 'fit',
        'kam_risk_indicator_competitors': 'competitors',
    },
}


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for model, codes in CODES.items():
        for xmlid, code in codes.items():
            record = env.ref(f'kam_key_account.{xmlid}', raise_if_not_found=False)
            if record and not record.code:
                record.code = code
