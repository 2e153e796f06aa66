"""The participant rules now follow the department chain (`manager_ids`) and, for service
requests, the account's service team. Record rules are noupdate, and an update never
rewrites a noupdate record: take their new name and domain from the data file itself."""
from lxml import etree

from odoo import SUPERUSER_ID, api
from odoo.tools.misc import file_path

RULES = (
    'kam_visit_problem_rule_participant',
    'kam_visit_rule_participant',
    'kam_service_request_rule_participant',
    'kam_service_event_rule_participant',
    'kam_service_task_rule_participant',
)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    tree = etree.parse(file_path('kam_key_account/security/kam_rules.xml'))
    for xmlid in RULES:
        rule = env.ref(f'kam_key_account.{xmlid}', raise_if_not_found=False)
        node = tree.find(f".//record[@id='{xmlid}']")
        if rule and node is not None:
            rule.write({
                'name': node.findtext("field[@name='name']"),
                'domain_force': node.findtext("field[@name='domain_force']"),
            })
