"""Our costs beside Odoo's own and OCA tier validation's, on the populated database (make bench).

Every row runs our operation and the one it resembles on the same data in the same run, after
`env.flush_all()` and `env.invalidate_all()`, counting `cr.sql_log_count` and wall time, and
prints both with their ratio. Goals are ratios: a missed goal is printed as MISSED (wall time
depends on the machine and its load, so nothing here fails a build: tests/ holds the budgets).
"""
import logging
import os
import platform
import time
import tracemalloc
import unittest
from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

from lxml import etree

from odoo.tests import TransactionCase

from .populate import BENCH_USERS, process_models, record_values
from odoo.addons.kam_key_account.models import kam_approval_review

TODO = 'mail.mail_activity_data_todo'
_logger = logging.getLogger(__name__)


class Figure:
    __slots__ = ('extra', 'queries', 'seconds')

    def __init__(self, queries, seconds, extra=''):
        self.queries, self.seconds, self.extra = queries, seconds, extra


class BenchSideBySide(TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {login: cls.env['res.users'].search([('login', '=', login)]) for login in BENCH_USERS}
        if not all(cls.users.values()):
            message = "not a populated bench database: run `make bench`"
            raise unittest.SkipTest(message)
        cls.size = cls.env['ir.config_parameter'].get_param('kam_bench.size', '?')
        cls.rows = []
        # The same reader on both sides of the kanban and form rows: a KAM Manager who also
        # sees every lead (a salesman sees only their own pipeline).
        cls.users['scale_manager'].group_ids = [(4, cls.env.ref('sales_team.group_sale_salesman_all_leads').id)]
        cls.has_tv = 'tier.validation' in cls.env and 'kam.bench.tier.request' in cls.env

    # ------------------------------------------------------------------------------------
    # measuring and printing
    # ------------------------------------------------------------------------------------

    def measure(self, func):
        self.env.flush_all()
        self.env.invalidate_all()
        queries, start = self.cr.sql_log_count, time.perf_counter()
        extra = func()
        self.env.flush_all()
        self.env.cr.precommit.run()
        return Figure(self.cr.sql_log_count - queries, time.perf_counter() - start,
                      extra if isinstance(extra, str) else '')

    def row(self, ours_label, ours, theirs_label, theirs, goal=None, note=''):
        """goal: the highest accepted ratio of queries (ours / theirs), or None."""
        ratio = ours.queries / theirs.queries if theirs and theirs.queries else None
        time_ratio = ours.seconds / theirs.seconds if theirs and theirs.seconds else None
        verdict = ''
        if goal is not None and ratio is not None:
            verdict = f"goal <= {goal:.1f}x: " + ("met" if ratio <= goal else "MISSED")
        self.rows.append((ours_label, ours, theirs_label, theirs, ratio, time_ratio, verdict, note))

    @classmethod
    def tearDownClass(cls):
        if getattr(cls, 'rows', None):
            cls._print_table()
        super().tearDownClass()

    @classmethod
    def _print_table(cls):
        def fig(figure):
            return (f"{figure.queries}", f"{figure.seconds * 1000:.0f}") if figure else ("", "")

        lines = [
            f"Side-by-side, size {cls.size}, {cls._machine()}",
            "",
            "| Our operation | Queries | ms | Compared with | Queries | ms | Queries ratio | Time ratio | Goal |",
            "|---|---:|---:|---|---:|---:|---:|---:|---|",
        ]
        for ours_label, ours, theirs_label, theirs, ratio, time_ratio, verdict, note in cls.rows:
            verdict = "; ".join(filter(None, [verdict, note, ours.extra, theirs.extra if theirs else '']))
            lines.append("| {} | {} | {} | {} | {} | {} | {} | {} | {} |".format(
                ours_label, *fig(ours), theirs_label or "—", *fig(theirs),
                f"{ratio:.2f}x" if ratio is not None else "", f"{time_ratio:.2f}x" if time_ratio is not None else "",
                verdict))
        text = "\n".join(lines)
        print("\n\n" + text + "\n")  # noqa: T201  # pylint: disable=print-used
        out = Path(__file__).resolve().parent.parent / '.local' / f'bench-{cls.size}.md'
        if out.parent.is_dir():
            out.write_text(text + "\n")

    @staticmethod
    def _machine():
        model = next((line.split(':', 1)[1].strip() for line in Path('/proc/cpuinfo').read_text(encoding='utf-8').splitlines()
                      if line.startswith('model name')), platform.processor()) if Path('/proc/cpuinfo').exists() \
            else platform.processor()
        load = os.getloadavg()[0] if hasattr(os, 'getloadavg') else 0
        return f"{os.cpu_count()} cores ({model}), load average {load:.1f} at start, {platform.python_version()}"

    # ------------------------------------------------------------------------------------
    # read specifications as the web client builds them from a view
    # ------------------------------------------------------------------------------------

    def view_spec(self, model, view_type, view_id=False, user=None):
        """The fields of a view as `user` gets it, with the web client's read specification."""
        views = self.env[model].with_user(user or self.env.user).get_views([(view_id, view_type)])
        arch = etree.fromstring(views['views'][view_type]['arch'])
        fields = self.env[model]._fields
        spec = {}
        for node in arch.iter('field'):
            # Fields of the record itself, not those of embedded x2many views.
            if any(parent.tag in ('list', 'kanban', 'form') and parent is not arch
                   for parent in node.iterancestors()):
                continue
            name = node.get('name')
            field = fields.get(name)
            if field is None or name in spec:
                continue
            if field.type in ('many2one', 'one2many', 'many2many'):
                spec[name] = {'fields': {'display_name': {}}}
            else:
                spec[name] = {}
        return spec, arch

    # ------------------------------------------------------------------------------------
    # the table
    # ------------------------------------------------------------------------------------

    def test_side_by_side(self):
        failed = []
        for name in ('kanban', 'create', 'approval_step', 'my_approvals', 'partner_form', 'escalation', 'install'):
            try:
                with self.env.cr.savepoint():
                    getattr(self, f'_row_{name}')()
            except Exception as error:  # noqa: BLE001  # one row failing still prints the others
                _logger.exception("bench row %s failed", name)
                failed.append(f"{name}: {error}")
                self.rows.append((f"{name}: FAILED ({error})", Figure(0, 0), None, None, None, None, '', ''))
        self.assertFalse(failed, "rows of the bench failed (above)")

    def kanban(self, model, domain, user, limit=80):
        spec, arch = self.view_spec(model, 'kanban', user=user)
        groupby = arch.get('default_group_by') or 'stage_id'
        Model = self.env[model].with_user(user)
        return lambda: Model.web_read_group(
            domain, [groupby], ['__count'], auto_unfold=True, unfold_read_specification=spec,
            unfold_read_default_limit=limit) and None

    def _row_kanban(self):
        user = self.users['scale_manager']
        crm_domain = [('type', '=', 'opportunity')]
        self.measure(self.kanban('crm.lead', crm_domain, user))  # warm the caches
        crm = self.measure(self.kanban('crm.lead', crm_domain, user))
        for model in process_models(self.env):
            self.measure(self.kanban(model, [], user))
            ours = self.measure(self.kanban(model, [], user))
            fewer = self.measure(self.kanban(model, [], user, limit=20))
            cards = self.env[model].search_count([])
            constant = "constant in cards" if fewer.queries == ours.queries else \
                f"NOT constant in cards ({fewer.queries} queries at 20 cards a column)"
            self.row(f"Kanban {model} ({cards} records, 80 cards a column)", ours,
                     "crm.lead pipeline", crm, goal=1.0, note=constant)

    def _row_create(self):
        user = self.users['scale_user']
        busy = self.env['kam.screening'].search([]).partner_id | self.env['kam.visit'].search([]).partner_id
        partners = self.env['res.partner'].search([('is_company', '=', True), ('id', 'not in', busy.ids)],
                                                  order='id desc', limit=20)
        Lead = self.env['crm.lead'].with_user(user)

        def lead(partner):
            return lambda: Lead.create({'name': 'Bench opportunity', 'partner_id': partner.id, 'type': 'opportunity'}) and None

        self.measure(lead(partners[0]))
        crm = self.measure(lead(partners[1]))
        for index, model in enumerate(process_models(self.env)):
            Model = self.env[model].with_user(user)

            def create(partner, model=model, Model=Model):
                return lambda: Model.create(record_values(self.env, model, partner, self.users, 0)) and None

            self.measure(create(partners[2 + 2 * index]))
            ours = self.measure(create(partners[3 + 2 * index]))
            self.row(f"Create a {model}", ours, "Create a crm.lead", crm, goal=1.0)

    def _row_approval_step(self):
        manager = self.users['scale_manager']
        pending = self.env['kam.screening'].search([
            ('approval_state', '=', 'pending'),
            ('approval_review_id.reviewer_ids', 'in', manager.ids)], limit=2)
        self.assertEqual(len(pending), 2, "the populated database has screenings pending for scale_manager")
        self.measure(lambda: pending[0].with_user(manager).action_approve())
        ours = self.measure(lambda: pending[1].with_user(manager).action_approve())
        self.assertEqual(pending[1].approval_review_id.reviewer_ids, self.users['scale_director'],
                         "the intermediate step passed to the next one, with one reviewer")
        baselines = []
        if self.has_tv:
            baselines.append(("OCA base_tier_validation validate_tier (intermediate tier)", self._tv_step(), 0.8))
        baselines.append(("activity_feedback + activity_schedule (crm.lead)", self._activity_step(), None))
        for label, theirs, goal in baselines:
            self.row("Intermediate approval step, one reviewer notified", ours, label, theirs, goal=goal)
        if not self.has_tv:
            self.rows.append(("(OCA base_tier_validation not installed: no TV row)", Figure(0, 0), None, None,
                              None, None, '', ''))

    def _tv_step(self):
        Request = self.env['kam.bench.tier.request']
        requester = self.users['scale_user']
        # Definitions are evaluated by descending sequence: tier 1 (sequence 20) is reviewed first.
        reviewer = self.env.ref('kam_bench_tier.user_tier_reviewer_1')
        partner = self.env['res.partner'].search([], limit=1)
        requests = Request.with_user(requester).create([
            {'name': f'Bench request {i}', 'partner_id': partner.id, 'amount': 1000} for i in range(2)])
        requests[0].with_user(requester).request_validation()
        request = self.measure(lambda: requests[1].with_user(requester).request_validation() and None)
        self.measure(lambda: requests[0].with_user(reviewer).validate_tier())
        step = self.measure(lambda: requests[1].with_user(reviewer).validate_tier())
        self.assertEqual(requests[1].review_ids.mapped('status').count('approved'), 1)
        step.extra = f"TV request {request.queries} queries"
        return step

    def _activity_step(self):
        user, next_user = self.users['scale_crm'], self.users['scale_manager']
        leads = self.env['crm.lead'].search([], limit=2)
        leads.user_id = user  # the salesman's own pipeline
        for lead in leads:
            lead.activity_schedule(TODO, user_id=user.id)

        def step(lead):
            lead = lead.with_user(user)

            def run():
                lead.activity_feedback([TODO], user_id=user.id, feedback='Approved')
                lead.activity_schedule(TODO, user_id=next_user.id)
            return run

        self.measure(step(leads[0]))
        return self.measure(step(leads[1]))

    def _row_my_approvals(self):
        manager = self.users['scale_manager']
        view = self.env.ref('kam_key_account.mail_activity_view_list_kam_approvals')
        ours_spec, _arch = self.view_spec('mail.activity', 'list', view.id, user=manager)
        domain = [('activity_type_id', '=', self.env.ref('kam_key_account.mail_activity_type_kam_approval').id),
                  ('user_id', '=', manager.id)]
        mail_view = self.env.ref('mail.mail_activity_view_tree_open_target')
        mail_spec, _arch = self.view_spec('mail.activity', 'list', mail_view.id, user=manager)
        Activity = self.env['mail.activity'].with_user(manager)

        def read(domain, spec):
            return lambda: f"{Activity.web_search_read(domain, spec, limit=80)['length']} rows"

        self.measure(read(domain, ours_spec))
        ours = self.measure(read(domain, ours_spec))
        self.measure(read([('user_id', '=', manager.id)], mail_spec))
        theirs = self.measure(read([('user_id', '=', manager.id)], mail_spec))
        self.row(f"My Approvals ({ours.extra})", ours, f"mail's activity list, same user ({theirs.extra})", theirs)
        ours.extra = theirs.extra = ''

    def _row_partner_form(self):
        user = self.users['scale_manager']
        partner = self.env['res.partner'].search([('kam_is_key_account', '=', True)], limit=1)
        with_spec, _arch = self.view_spec('res.partner', 'form', user=user)
        ours = self.read_form(partner, with_spec, user)
        kam_views = self.env['ir.ui.view'].search([
            ('model', '=', 'res.partner'), ('inherit_id', '!=', False),
            ('id', 'in', self.env['ir.model.data'].search([
                ('module', '=', 'kam_key_account'), ('model', '=', 'ir.ui.view')]).mapped('res_id'))])
        kam_views.active = False
        without_spec, _arch = self.view_spec('res.partner', 'form', user=user)
        theirs = self.read_form(partner, without_spec, user)
        kam_views.active = True
        self.row(f"Partner form with the KAM fields and stat buttons ({len(with_spec)} fields)", ours,
                 f"The same form without them ({len(without_spec)} fields)", theirs, goal=1.2)

    def read_form(self, partner, spec, user):
        record = partner.with_user(user)
        self.measure(lambda: record.web_read(spec) and None)
        return self.measure(lambda: record.web_read(spec) and None)

    def _row_escalation(self):
        Review = self.env['kam.approval.review']
        yesterday = self.env.cr.now().date() - timedelta(days=1)
        pending = Review.search([('state', '=', 'pending'), ('escalated', '=', False), ('stalled', '=', False)])
        pending.write({'deadline': yesterday})
        batch = kam_approval_review.ESCALATION_BATCH
        per_batch = []
        tracemalloc.start()
        with patch.object(type(self.env['ir.cron']), '_commit_progress', autospec=True, return_value=3600.0):
            while True:
                tracemalloc.reset_peak()
                result = {}
                figure = self.measure(lambda: result.update(done=Review._escalate_overdue_batch(batch)))
                done, remaining = result['done']
                figure.extra = tracemalloc.get_traced_memory()[1]
                per_batch.append((done, figure))
                if not done or not remaining:
                    break
        tracemalloc.stop()
        escalated = sum(done for done, _fig in per_batch)
        total = Figure(sum(f.queries for _d, f in per_batch), sum(f.seconds for _d, f in per_batch))
        peak = max(f.extra for _d, f in per_batch) / 2**20
        full = [f for d, f in per_batch if d == batch] or [per_batch[0][1]]
        total.extra = (f"{len(per_batch)} batches of {batch}: {full[0].queries} queries, "
                       f"{full[0].seconds:.2f} s, peak {peak:.1f} MiB of Python memory per batch")
        self.row(f"Escalation cron over {escalated} overdue reviews", total, None, None)

    def _row_install(self):
        get = self.env['ir.config_parameter'].sudo().get_param
        ours, crm = get('kam_bench.install_seconds'), get('kam_bench.crm_install_seconds')
        if not (ours and crm):
            return
        partners = self.env['res.partner'].with_context(active_test=False).search_count([])
        self.rows.append((f"Install kam_key_account on {partners} partners", Figure(0, float(ours)),
                          "Install crm on the same partners", Figure(0, float(crm)), None,
                          float(ours) / float(crm),
                          "goal <= 1.2x: " + ("met" if float(ours) <= 1.2 * float(crm) else "MISSED"),
                          "queries not counted (separate processes)"))
