"""Populate a bench database to one of the sizes of `make bench` (issue 13).

    python bench/populate.py -c ODOO_CONF -d DB --size small|full partners|leads|records

`partners` and `leads` duplicate rows in SQL with Odoo's own populate (odoo/tools/populate.py),
which copies `res_id` as it is: it is used for those two models only. `records` creates ours
through the ORM in batches of 1,000: users, key accounts, process records of every model
inheriting kam.process.mixin, approval requests through the engine, activities through
`activity_schedule`. Each batch is committed, so a size is built once and kept as a template.
"""
# A command-line tool run on a bench database, not addon code: it commits each batch.
# pylint: disable=invalid-commit
import argparse
import logging
import math
import time
from datetime import timedelta
from itertools import cycle

from odoo import api
from odoo.modules.registry import Registry
from odoo.tools import config
from odoo.tools.populate import populate_models

SIZES = {
    # small: under 5 minutes on 2 cores; full: the sizes of issue 13 (about an hour).
    'small': {'partners': 5_000, 'leads': 2_000, 'key_accounts': 250, 'records': 1_000,
              'activities': 5_000, 'pending_for_manager': 200, 'requested': 500},
    'full': {'partners': 100_000, 'leads': 20_000, 'key_accounts': 5_000, 'records': 50_000,
             'activities': 200_000, 'pending_for_manager': 1_000, 'requested': 10_000},
}
BATCH = 1_000
# Bench users: login = password (the load test logs in with them).
BENCH_USERS = {
    'scale_user': ('Bench KAM User', 'kam_key_account.group_kam_user'),
    'scale_supervisor': ('Bench Supervisor', 'kam_key_account.group_kam_supervisor'),
    'scale_manager': ('Bench Manager', 'kam_key_account.group_kam_manager'),
    'scale_reviewer': ('Bench Reviewer', 'kam_key_account.group_kam_supervisor'),
    'scale_director': ('Bench Director', 'kam_key_account.group_kam_director'),
    'scale_crm': ('Bench Salesman', 'sales_team.group_sale_salesman'),
}

_logger = logging.getLogger('kam.bench.populate')


def process_models(env):
    """Every concrete model inheriting kam.process.mixin: new processes join by themselves."""
    names = env.registry.descendants(['kam.process.mixin'], '_inherit') - {'kam.process.mixin'}
    return sorted(name for name in names if not env[name]._abstract and not env[name]._transient)


def ensure_users(env):
    users = {}
    for login, (name, group) in BENCH_USERS.items():
        user = env['res.users'].with_context(active_test=False).search([('login', '=', login)])
        if not user:
            user = env['res.users'].with_context(no_reset_password=True).create({
                'name': name, 'login': login, 'password': login, 'email': f'{login}@bench.example.com',
                'group_ids': [(4, env.ref(group).id), (4, env.ref('base.group_user').id)],
            })
        users[login] = user
    return users


def record_values(env, model, partner, users, index):
    """Values of one process record: the known processes get realistic values, a process
    that lands later gets its partner, leader and every required field without a default."""
    if model == 'kam.screening':
        return {'partner_id': partner.id, 'annual_sales': 6_000_000, 'proposed_manager_id': users['scale_user'].id,
                'needs': '<p>Predictive maintenance</p>', 'technology_score': 4, 'production_score': 4,
                'after_sales_score': 3, 'no_competitor': True}
    if model == 'kam.visit':
        start = env.cr.now() + timedelta(days=1 + index % 60, hours=index % 8)
        return {'partner_id': partner.id, 'start': start, 'user_id': users['scale_user'].id}
    Model = env[model]
    defaults = Model.default_get(list(Model._fields))
    vals = {}
    for fname, field in Model._fields.items():
        if not field.required or fname in defaults or field.compute or field.related or fname in vals:
            continue
        if field.type == 'many2one':
            vals[fname] = partner.id if field.comodel_name == 'res.partner' else (
                users['scale_user'].id if field.comodel_name == 'res.users'
                else env[field.comodel_name].search([], limit=1).id)
        elif field.type in ('char', 'text', 'html'):
            vals[fname] = f'Bench {index}'
        elif field.type in ('integer', 'float', 'monetary'):
            vals[fname] = 1
        elif field.type == 'selection':
            vals[fname] = field._description_selection(env)[0][0]
        elif field.type in ('date', 'datetime'):
            vals[fname] = env.cr.now()
    if 'partner_id' in Model._fields:
        vals.setdefault('partner_id', partner.id)
    return vals


def batches(records, size=BATCH):
    for start in range(0, len(records), size):
        yield records[start:start + size]


def duplicate(env, model, target):
    """Odoo's SQL populate, with the factor that reaches `target` rows."""
    count = env[model].with_context(active_test=False).search_count([])
    if count >= target:
        _logger.info("%s: %d rows already", model, count)
        return
    factor = math.ceil(target / count) - 1
    populate_models({env[model]: factor}, ord('_'))
    env.flush_all()
    _logger.info("%s: %d rows -> %d", model, count, env[model].with_context(active_test=False).search_count([]))


def populate_records(env, size):
    cr = env.cr
    users = ensure_users(env)
    cr.commit()
    partners = env['res.partner'].search([('is_company', '=', True)], order='id')
    if len(partners) < size['key_accounts'] + size['records']:
        partners = env['res.partner'].search([], order='id')

    # Key accounts: partners confirmed with a tier and a manager (what S9 writes).
    tiers = env['kam.tier'].search([])
    key_accounts = partners[:size['key_accounts']]
    for batch in batches(key_accounts):
        for tier, chunk in zip(tiers, [batch[i::len(tiers)] for i in range(len(tiers))], strict=False):
            chunk.write({'kam_is_key_account': True, 'kam_tier_id': tier.id,
                         'kam_manager_id': users['scale_user'].id, 'kam_confirmed_date': cr.now().date()})
        cr.commit()
    _logger.info("%d key accounts", len(key_accounts))

    # Process records, spread evenly over the processes, on other partners than the accounts.
    models = process_models(env)
    per_model = size['records'] // len(models)
    prospects = partners[size['key_accounts']:]
    for model in models:
        # Screenings: at least as many as the reviews to request (the escalation cron's row).
        wanted_records = max(per_model, size['requested']) if model == 'kam.screening' else per_model
        # Imported as history: no thank-you mail to thousands of customers (a bulk import is
        # what the suggestions' acknowledgement guard holds back, as it would a mailing list).
        Model = env[model].with_user(users['scale_user']).with_context(
            tracking_disable=True, kam_mail_headers={'Precedence': 'bulk'})
        done = 0
        while done < wanted_records:
            count = min(BATCH, wanted_records - done)
            chunk = [prospects[(done + i) % len(prospects)] for i in range(count)]
            records = Model.create([record_values(env, model, p, users, done + i) for i, p in enumerate(chunk)])
            if model == 'kam.screening':
                records.sudo().risk_line_ids.write({'score': 4})
            done += count
            cr.commit()
        _logger.info("%s: %d records", model, wanted_records)

    # Pending reviews through the engine: the first ones wait for scale_manager alone (My
    # Approvals), the rest for scale_reviewer; all of them are what the escalation cron reads.
    # The next step has one reviewer: the intermediate step of the table notifies one person.
    # Review lines are snapshots of the chain taken at the request: configure it first.
    env.ref('kam_key_account.kam_approval_step_screening_manager').write(
        {'approver_kind': 'users', 'user_ids': [(6, 0, users['scale_director'].ids)]})
    step = env.ref('kam_key_account.kam_approval_step_screening_supervisor')
    screenings = env['kam.screening'].search([
        ('approval_state', '=', 'draft'), ('user_id', '=', users['scale_user'].id)], order='id', limit=size['requested'])
    for reviewer, chunk in (('scale_manager', screenings[:size['pending_for_manager']]),
                            ('scale_reviewer', screenings[size['pending_for_manager']:])):
        step.write({'approver_kind': 'users', 'user_ids': [(6, 0, users[reviewer].ids)]})
        for batch in batches(chunk):
            batch.with_user(users['scale_user']).action_request_approval()
            cr.commit()
    step.write({'approver_kind': 'users', 'user_ids': [(6, 0, users['scale_manager'].ids)]})
    cr.commit()
    _logger.info("%d approval requests (%d for scale_manager)", len(screenings), size['pending_for_manager'])

    # Activities through activity_schedule, on leads and partners, for several users; without
    # an assignment mail each (mail_activity_quick_update), as an import would create them.
    existing = env['mail.activity'].search_count([])
    wanted = max(size['activities'] - existing, 0)
    leads = env['crm.lead'].search([], order='id', limit=wanted // 2)
    contacts = env['res.partner'].search([], order='id', limit=max(wanted - len(leads), 0))
    targets = list(leads) + list(contacts)
    # Fewer records than activities: a record gets several (for several users), as in life.
    targets = (targets * math.ceil(wanted / max(len(targets), 1)))[:wanted]
    assignees = cycle([users['scale_crm'], users['scale_user'], users['scale_manager'], users['scale_supervisor']])
    for batch in batches(targets):
        by_user = {}
        for record in batch:
            by_user.setdefault(next(assignees), []).append(record)
        for user, records in by_user.items():
            for model in {r._name for r in records}:
                env[model].with_context(mail_activity_quick_update=True).browse(
                    [r.id for r in records if r._name == model]).activity_schedule(
                    'mail.mail_activity_data_todo', user_id=user.id, summary='Bench follow-up',
                    date_deadline=(cr.now() + timedelta(days=7)).date())
        cr.commit()
    _logger.info("%d activities", env['mail.activity'].search_count([]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--size', choices=sorted(SIZES), default='small')
    parser.add_argument('step', choices=['partners', 'leads', 'records'])
    args = parser.parse_args()

    config.parse_config(['-c', args.config, '-d', args.database, '--log-level=warn'], setup_logging=True)
    _logger.setLevel(logging.INFO)
    size = SIZES[args.size]
    started = time.time()
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        if args.step == 'partners':
            duplicate(env, 'res.partner', size['partners'])
        elif args.step == 'leads':
            duplicate(env, 'crm.lead', size['leads'])
        else:
            populate_records(env, size)
    _logger.info("populated %s (%s) in %.0f s", args.step, args.size, time.time() - started)


if __name__ == '__main__':
    main()
