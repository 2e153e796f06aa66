"""`make load`: Odoo in prefork mode under JSON-RPC clients racing on shared records (issue 13).

    python bench/load.py -c BENCH_CONF -d DB --odoo-bin ODOO_BIN --python PYTHON --pg-log LOG
                         [--seconds 30] [--clients 8] [--workers 4]

1. Prepares DB (a copy of the bench template): two real reviewers on the screening's first
   step, 40 screenings requested, half of them overdue (the escalation cron's work).
2. Starts Odoo with --workers and --max-cron-threads=2 on its own --http-port/--gevent-port.
3. Runs the clients on 127.0.0.1 for --seconds: reviewers approving and rejecting the same
   screenings, a requester creating and requesting new ones, readers loading the screening
   kanban and My Approvals, and an administrator running the escalation cron by hand while
   the cron threads run it too.
4. Stops the server, reports throughput, p50/p95 latency and errors per operation, and checks:
   no server error, no duplicate decision, no step passed without its approvals, no lost
   record, no step escalated twice, no deadlock in the PostgreSQL log.
Exit code 1 when a check fails.
"""
# A command-line tool, not addon code: it commits its preparation and prints its report.
# pylint: disable=invalid-commit,print-used
import argparse
import http.cookiejar
import itertools
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

from bench.populate import record_values
from odoo import api
from odoo.modules.registry import Registry
from odoo.tools import config

ROOT = Path(__file__).resolve().parent.parent
BUSINESS_ERRORS = ('odoo.exceptions.UserError', 'odoo.exceptions.AccessError',
                   'odoo.exceptions.ValidationError', 'odoo.exceptions.MissingError')
SCREENINGS = 40
KANBAN_SPEC = {'name': {}, 'partner_id': {'fields': {'display_name': {}}}, 'stage_id': {'fields': {'display_name': {}}},
               'approval_state': {}, 'activity_state': {}, 'activity_ids': {'fields': {}}, 'user_id': {'fields': {'display_name': {}}}}


# --------------------------------------------------------------------------------------------
# preparation and checks: in-process ORM on the database, before and after the server runs
# --------------------------------------------------------------------------------------------

def odoo_env(args):
    config.parse_config(['-c', args.config, '-d', args.database, '--log-level=warn'], setup_logging=True)
    return Registry(args.database)


def prepare(args):
    registry = odoo_env(args)
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        users = {login: env['res.users'].search([('login', '=', login)]) for login in (
            'scale_user', 'scale_manager', 'scale_reviewer', 'scale_director', 'scale_supervisor', 'scale_crm')}
        env.ref('kam_key_account.kam_approval_step_screening_supervisor').write({
            'approver_kind': 'users', 'mode': 'any',
            'user_ids': [(6, 0, (users['scale_manager'] | users['scale_reviewer']).ids)]})
        env.ref('kam_key_account.kam_approval_step_screening_manager').write({
            'approver_kind': 'users', 'mode': 'any',
            'user_ids': [(6, 0, (users['scale_director'] | users['scale_supervisor']).ids)]})
        # Partners without a screening: one open screening per partner.
        screened = env['kam.screening'].search([]).partner_id
        free = env['res.partner'].search([('is_company', '=', True), ('id', 'not in', screened.ids)],
                                         order='id desc', limit=SCREENINGS + 2_000)
        partners = free[:SCREENINGS]
        screenings = env['kam.screening'].with_user(users['scale_user']).create([
            record_values(env, 'kam.screening', partner, users, i) for i, partner in enumerate(partners)])
        screenings.sudo().risk_line_ids.write({'score': 4})
        screenings.with_user(users['scale_user']).action_request_approval()
        # Half of them overdue: the cron threads and the administrator escalate them while
        # the reviewers decide.
        overdue = screenings[::2].sudo().approval_review_id
        overdue.write({'deadline': cr.now().date() - timedelta(days=1)})
        cron = env.ref('kam_key_account.ir_cron_kam_approval_escalate')
        cron.write({'active': True, 'interval_number': 1, 'interval_type': 'minutes', 'nextcall': cr.now()})
        admin = env.ref('base.user_admin')
        admin.password = 'admin'
        for login, user in users.items():
            user.password = login
        cr.commit()
        return {
            'screening_ids': screenings.ids,
            'cron_id': cron.id,
            'record_count': env['kam.screening'].with_context(active_test=False).search_count([]),
            'activity_type_id': env.ref('kam_key_account.mail_activity_type_kam_approval').id,
            'free_partner_ids': free[SCREENINGS:].ids,
        }


def check(args, prepared, started_at):
    registry = odoo_env(args)
    failures = []
    with registry.cursor() as cr:
        env = api.Environment(cr, api.SUPERUSER_ID, {})
        # No duplicate decisions: one per user and step, and no more approvals than the step needs.
        cr.execute("""SELECT review_id, user_id FROM kam_approval_decision
                      GROUP BY review_id, user_id HAVING count(*) > 1""")
        if rows := cr.fetchall():
            failures.append(f"duplicate decisions by the same user on a step: {rows[:5]}")
        # Every step decided since the start: no step passed without its approvals, and no
        # decision beyond what closed it (a second reviewer's decision landing on a closed or
        # escalated-away step).
        reviews = env['kam.approval.review'].search([
            ('res_model', '=', 'kam.screening'), ('decision_ids.create_date', '>=', started_at)])
        for review in reviews:
            approvals = review.decision_ids.filtered(lambda d: d.decision == 'approved')
            needed = review._required_approvals()
            if review.state == 'approved' and len(approvals) < needed:
                failures.append(f"{review.name} (id {review.id}) passed with {len(approvals)} of {needed} approvals")
            if len(review.decision_ids) > needed:
                failures.append(f"{review.name} (id {review.id}): {len(review.decision_ids)} decisions "
                                f"where {needed} closed the step")
        # No lost record.
        count = env['kam.screening'].with_context(active_test=False).search_count([])
        missing = set(prepared['screening_ids']) - set(env['kam.screening'].browse(prepared['screening_ids']).exists().ids)
        if count < prepared['record_count'] or missing:
            failures.append(f"lost screenings: {prepared['record_count']} before, {count} after, missing {sorted(missing)[:10]}")
        # No step escalated twice: one "overdue" message per escalated step of the record.
        screenings = env['kam.screening'].browse(prepared['screening_ids'])
        messages = env['mail.message']._read_group([
            ('model', '=', 'kam.screening'), ('res_id', 'in', screenings.ids),
            ('body', 'ilike', 'overdue'), ('date', '>=', started_at)], ['res_id'], ['__count'])
        escalated_steps = dict(env['kam.approval.review']._read_group([
            ('res_model', '=', 'kam.screening'), ('res_id', 'in', screenings.ids), ('escalated', '=', True)],
            ['res_id'], ['__count']))
        escalated = sum(escalated_steps.values())
        twice = {res_id: count for res_id, count in messages if count > escalated_steps.get(res_id, 0)}
        if twice:
            failures.append(f"screenings with more escalation messages than escalated steps: {twice}")
        summary = {
            'decided': env['kam.approval.decision'].search_count([('create_date', '>=', started_at)]),
            'escalated_steps': escalated,
            'approved_screenings': env['kam.screening'].search_count([
                ('id', 'in', screenings.ids), ('approval_state', '=', 'approved')]),
            'rejected_screenings': env['kam.screening'].search_count([
                ('id', 'in', screenings.ids), ('approval_state', '=', 'rejected')]),
        }
    return failures, summary


# --------------------------------------------------------------------------------------------
# the JSON-RPC clients
# --------------------------------------------------------------------------------------------

class Client:
    def __init__(self, base, db, login, stats):
        self.base, self.db, self.login, self.stats = base, db, login, stats
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.ids = itertools.count()
        self.uid = self.post('/web/session/authenticate', {'db': db, 'login': login, 'password': login}, op=None)['uid']

    def post(self, path, params, op):
        body = json.dumps({'jsonrpc': '2.0', 'method': 'call', 'id': next(self.ids), 'params': params}).encode()
        request = urllib.request.Request(self.base + path, body, {'Content-Type': 'application/json'})
        start = time.perf_counter()
        try:
            with self.opener.open(request, timeout=60) as response:
                payload = json.load(response)
        except urllib.error.HTTPError as error:
            self.stats.record(op, time.perf_counter() - start, 'server', f"HTTP {error.code} {path}")
            return None
        except OSError as error:
            self.stats.record(op, time.perf_counter() - start, 'server', f"{type(error).__name__} {error}")
            return None
        elapsed = time.perf_counter() - start
        if 'error' in payload:
            name = payload['error'].get('data', {}).get('name', '')
            kind = 'business' if name in BUSINESS_ERRORS else 'server'
            self.stats.record(op, elapsed, kind, f"{name}: {payload['error'].get('data', {}).get('message', '')[:200]}")
            return None
        self.stats.record(op, elapsed, 'ok')
        return payload['result']

    def call(self, model, method, args, kwargs=None, op=None):
        return self.post(f'/web/dataset/call_kw/{model}/{method}',
                         {'model': model, 'method': method, 'args': args, 'kwargs': kwargs or {}}, op or method)


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.calls = defaultdict(list)
        self.errors = defaultdict(list)

    def record(self, op, elapsed, kind, detail=''):
        if op is None:
            if kind != 'ok':
                self.errors['server'].append(f"login: {detail}")
            return
        with self.lock:
            self.calls[op].append(elapsed)
            if kind != 'ok':
                self.errors[kind].append(f"{op}: {detail}")


def reviewer_loop(client, prepared, deadline, rng):
    type_id = prepared['activity_type_id']
    while time.time() < deadline:
        client.call('kam.screening', 'web_read_group', [[], ['stage_id'], ['__count']],
                    {'auto_unfold': True, 'unfold_read_specification': KANBAN_SPEC}, op='kanban')
        activities = client.call('mail.activity', 'web_search_read', [
            [('activity_type_id', '=', type_id), ('user_id', '=', client.uid), ('res_model', '=', 'kam.screening')],
            {'res_id': {}, 'res_name': {}, 'date_deadline': {}, 'summary': {}}], {'limit': 80}, op='approval list')
        records = (activities or {}).get('records', [])
        # The shared screenings first: both reviewers race on them.
        ids = [r['res_id'] for r in records if r['res_id'] in prepared['screening_ids']] or [r['res_id'] for r in records]
        if not ids:
            time.sleep(0.05)
            continue
        target = rng.choice(ids[:10])
        if rng.random() < 0.15:
            wizard = client.call('kam.approval.wizard', 'create', [{
                'res_model': 'kam.screening', 'res_ids': str([target]), 'decision': 'rejected',
                'reason': f'Load test: rejected by {client.login}'}], op='reject')
            if wizard:
                client.call('kam.approval.wizard', 'action_confirm', [wizard], op='reject')
        else:
            client.call('kam.screening', 'action_approve', [[target]], op='approve')


def requester_loop(client, prepared, deadline, rng):
    partners = iter(prepared['free_partner_ids'])
    while time.time() < deadline:
        screening = client.call('kam.screening', 'create', [{
            'partner_id': next(partners), 'annual_sales': 6_000_000, 'proposed_manager_id': client.uid,
            'needs': '<p>Load test</p>', 'technology_score': 4, 'production_score': 4,
            'after_sales_score': 3, 'no_competitor': True}], op='create')
        if not screening:
            continue
        lines = client.call('kam.screening', 'read', [screening, ['risk_line_ids']], op='read')
        if lines:
            client.call('kam.screening.risk.line', 'write', [lines[0]['risk_line_ids'], {'score': 4}], op='score')
        client.call('kam.screening', 'action_request_approval', [screening], op='request')


def escalator_loop(client, prepared, deadline, rng):
    while time.time() < deadline:
        client.call('ir.cron', 'method_direct_trigger', [[prepared['cron_id']]], op='escalation cron (by hand)')
        time.sleep(rng.uniform(0.2, 0.6))


def reader_loop(client, prepared, deadline, rng):
    while time.time() < deadline:
        client.call('kam.screening', 'web_read_group', [[], ['stage_id'], ['__count']],
                    {'auto_unfold': True, 'unfold_read_specification': KANBAN_SPEC}, op='kanban')


# --------------------------------------------------------------------------------------------

TRANSIENT = ('could not serialize access', 'SerializationFailure', 'LockNotAvailable', 'lock not available')


def server_log_errors(lines):
    """(errors, retried) of an Odoo log. A serialization failure is logged by odoo.sql_db,
    then the HTTP layer retries the request (what the client saw is counted apart) and a
    cron job that hit one runs again at its next turn: those are counted, not failures.
    Any other ERROR or CRITICAL entry is an error."""
    entries, current = [], None
    for line in lines:
        if line[:4].isdigit() and line[4:5] == '-':  # a new log entry starts with its date
            current = [line]
            entries.append(current)
        elif current is not None:
            current.append(line)
    errors, retried = [], 0
    for entry in entries:
        if ' ERROR ' not in entry[0] and ' CRITICAL ' not in entry[0]:
            continue
        if any(marker in line for line in entry for marker in TRANSIENT):
            retried += 1
        else:
            errors.append(entry[0])
    return errors, retried


def wait_for_server(base, proc, timeout=120):
    start = time.time()
    while time.time() - start < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"the Odoo server stopped (exit code {proc.returncode}): see its log")
        try:
            with urllib.request.urlopen(base + '/web/health', timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    message = "the Odoo server did not answer within 2 minutes"
    raise SystemExit(message)


def percentile(values, share):
    values = sorted(values)
    return values[min(len(values) - 1, round(share * (len(values) - 1)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('-c', '--config', required=True)
    parser.add_argument('-d', '--database', required=True)
    parser.add_argument('--odoo-bin', required=True)
    parser.add_argument('--python', default=sys.executable)
    parser.add_argument('--pg-log', default='')
    parser.add_argument('--seconds', type=int, default=int(os.environ.get('LOAD_SECONDS', '30')))
    parser.add_argument('--clients', type=int, default=8)
    parser.add_argument('--workers', type=int, default=4)
    parser.add_argument('--http-port', type=int, default=int(os.environ.get('KAM_LOAD_HTTP_PORT', '8079')))
    parser.add_argument('--gevent-port', type=int, default=int(os.environ.get('KAM_LOAD_GEVENT_PORT', '8080')))
    args = parser.parse_args()

    started_at = time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(time.time() - 1))
    prepared = prepare(args)
    load_before = os.getloadavg()[0]
    pg_log = Path(args.pg_log) if args.pg_log else None
    pg_offset = pg_log.stat().st_size if pg_log and pg_log.exists() else 0

    log_path = ROOT / '.local' / 'load-server.log'
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open('w') as log:
        server = subprocess.Popen([
            args.python, args.odoo_bin, '-c', args.config, '-d', args.database, f'--db-filter=^{args.database}$',
            f'--workers={args.workers}', '--max-cron-threads=2', f'--http-port={args.http_port}',
            f'--gevent-port={args.gevent_port}', '--http-interface=127.0.0.1', '--log-level=warn',
            '--limit-time-real=120', '--limit-time-cpu=60',
        ], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f'http://127.0.0.1:{args.http_port}'
    stats = Stats()
    try:
        wait_for_server(base, server)
        roles = [('scale_manager', reviewer_loop), ('scale_reviewer', reviewer_loop),
                 ('scale_director', reviewer_loop), ('scale_supervisor', reviewer_loop),
                 ('scale_user', requester_loop), ('admin', escalator_loop),
                 ('scale_manager', reader_loop), ('scale_reviewer', reviewer_loop)]
        roles = list(itertools.islice(itertools.cycle(roles), args.clients))
        clients = [(Client(base, args.database, login, stats), loop) for login, loop in roles]
        deadline = time.time() + args.seconds
        started = time.time()
        threads = [threading.Thread(target=loop, args=(client, prepared, deadline, random.Random(index)), daemon=True)
                   for index, (client, loop) in enumerate(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(args.seconds + 120)
        elapsed = time.time() - started
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()

    total = sum(len(v) for v in stats.calls.values())
    print(f"\nmake load: {args.workers} workers, 2 cron threads, {args.clients} JSON-RPC clients for {elapsed:.0f} s "  # noqa: T201
          f"on {prepared['record_count']} screenings ({SCREENINGS} requested for two racing reviewers); "
          f"{os.cpu_count()} cores, load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"throughput: {total / elapsed:.0f} calls/s ({total} calls)\n")  # noqa: T201
    print("| Operation | Calls | p50 ms | p95 ms |")  # noqa: T201
    print("|---|---:|---:|---:|")  # noqa: T201
    for op, values in sorted(stats.calls.items(), key=lambda item: -len(item[1])):
        print(f"| {op} | {len(values)} | {statistics.median(values) * 1000:.0f} | "  # noqa: T201
              f"{percentile(values, 0.95) * 1000:.0f} |")
    business = stats.errors['business']
    print(f"\nbusiness refusals (expected: a step already decided by the other reviewer): {len(business)}")  # noqa: T201
    for message in sorted(set(business))[:8]:
        print(f"    {message}")  # noqa: T201

    failures, summary = check(args, prepared, started_at)
    print(f"outcome: {summary}")  # noqa: T201
    if stats.errors['server']:
        failures.append(f"{len(stats.errors['server'])} server errors: {sorted(set(stats.errors['server']))[:5]}")
    errors, retried = server_log_errors(log_path.read_text(errors='replace').splitlines())
    print(f"concurrent updates retried by Odoo (requests and cron jobs run again): {retried}")  # noqa: T201
    if errors:
        failures.append(f"{len(errors)} errors in the Odoo log ({log_path}): {errors[:3]}")
    if pg_log and pg_log.exists():
        with pg_log.open(errors='replace') as handle:
            handle.seek(pg_offset)
            deadlocks = [line for line in handle if 'deadlock detected' in line]
        if deadlocks:
            failures.append(f"{len(deadlocks)} deadlocks in the PostgreSQL log ({pg_log}; the cluster may be shared)")
    else:
        print(f"(PostgreSQL log {pg_log} not found: deadlocks not checked)")  # noqa: T201
    for failure in failures:
        print(f"FAILED: {failure}")  # noqa: T201
    print("make load: " + ("FAILED" if failures else "all checks passed"))  # noqa: T201
    sys.exit(1 if failures else 0)


if __name__ == '__main__':
    main()
