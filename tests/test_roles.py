from datetime import timedelta
from itertools import pairwise
from pathlib import Path

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from .common import GROUP, KamCommon, KamScreeningCommon

ROLES = ['user', 'supervisor', 'manager', 'director', 'general_manager']


class TestRoles(KamCommon):

    def test_roles_form_an_implied_chain(self):
        groups = [self.env.ref(GROUP % role) for role in ROLES]
        self.assertEqual(len({g.privilege_id for g in groups}), 1, "one Key Accounts privilege")
        self.assertEqual(groups[0].privilege_id.name, 'Key Accounts')
        for lower, higher in pairwise(groups):
            self.assertIn(lower, higher.implied_ids)
            self.assertIn(lower, higher.all_implied_ids)
        self.assertIn(groups[0], groups[-1].all_implied_ids, "GM implies every lower role")

    def test_each_role_holds_exactly_the_roles_below_it(self):
        users = [self.kam_user, self.kam_supervisor, self.kam_manager, self.kam_director, self.kam_gm]
        for rank, user in enumerate(users):
            for other_rank, role in enumerate(ROLES):
                self.assertEqual(user.has_group(GROUP % role), other_rank <= rank,
                                 f"{user.login} / {role}")

    def test_kam_user_is_a_salesperson(self):
        self.assertTrue(self.kam_user.has_group('sales_team.group_sale_salesman'))
        lead = self.env['crm.lead'].with_user(self.kam_user).create({
            'name': 'Lead by a KAM user', 'partner_id': self.account.id})
        self.assertEqual(lead.user_id, self.kam_user)

    def test_admin_is_general_manager(self):
        self.assertTrue(self.env.ref('base.user_admin').has_group(GROUP % 'general_manager'))

    def test_partner_manager_has_no_kam_role(self):
        self.assertFalse(self.partner_manager.has_group(GROUP % 'user'))


class _Undo(Exception):
    """Raised to roll a successful trial call back."""


README = Path(__file__).resolve().parent.parent / 'README.md'


def roles_table():
    """The README's roles table as {role: {column: cell}}."""
    lines = README.read_text(encoding='utf-8').splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith('<!-- roles-table'))
    rows = []
    for line in lines[start + 1:]:
        if not line.startswith('|'):
            break
        rows.append([cell.strip() for cell in line.strip('|').split('|')])
    header, body = rows[0], rows[2:]
    return {row[0]: dict(zip(header[1:], row[1:])) for row in body}


class TestRolesTable(KamScreeningCommon):
    """Every cell of the README's "Who sees what" table, against the real rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal = new_test_user(cls.env, login='kam_t_roles_portal', groups='base.group_portal')
        cls.users = {
            'Portal user': cls.portal, 'Employee without a KAM role': cls.employee,
            'KAM User': cls.kam_user, 'Supervisor': cls.kam_supervisor, 'Manager': cls.kam_manager,
            'Director': cls.kam_director, 'General Manager': cls.kam_gm,
        }
        # What kam_user owns (on the account they manage) and what they do not (kam_user_2's).
        Note, Figure = cls.env['kam.contact.note'], cls.env['kam.account.figure']
        cls.own = {
            'notes': Note.create({'contact_id': cls.contact.id, 'character': 'Calm'}),
            'figures': Figure.create({'partner_id': cls.account.id, 'fiscal_year': 2024}),
        }
        cls.other = {
            'notes': Note.create({'contact_id': cls.contact_2.id, 'character': 'Busy'}),
            'figures': Figure.create({'partner_id': cls.account_2.id, 'fiscal_year': 2024}),
        }
        cls.own['screenings'] = cls.screening
        cls.other['screenings'] = cls._new_screening(user=cls.kam_user_2, name='Other Prospect Co')
        for key, user in (('own', cls.kam_user), ('other', cls.kam_user_2)):
            getattr(cls, key)['screenings'].with_user(user).action_request_approval()
        Review = cls.env['kam.approval.review']
        cls.own['approvals'] = Review.search([('res_id', '=', cls.own['screenings'].id), ('res_model', '=', 'kam.screening')])
        cls.other['approvals'] = Review.search([('res_id', '=', cls.other['screenings'].id), ('res_model', '=', 'kam.screening')])
        start = fields.Datetime.now().replace(microsecond=0) + timedelta(days=5)
        for key, user, account, contact in (('own', cls.kam_user, cls.account, cls.contact),
                                            ('other', cls.kam_user_2, cls.account_2, cls.contact_2)):
            getattr(cls, key)['visits'] = cls.env['kam.visit'].with_user(user).create({
                'partner_id': account.id, 'contact_id': contact.id, 'purpose': 'Roles table',
                'start': start, 'stop': start + timedelta(hours=1), 'location': 'HQ'})
        # A problem of kam_user_2's visit raised to the plain employee: they take part in it.
        department = cls.env['kam.department'].create({'name': 'Roles Dept', 'responsible_id': cls.employee.id})
        cls.env['kam.visit.problem'].with_user(cls.kam_user_2).create({
            'visit_id': cls.other['visits'].id, 'description': 'Roles table problem', 'department_id': department.id})
        cls.assigned = {'visits': cls.other['visits']}
        cls.flush_tracking(cls)

    def _can(self, method, *args):
        """Whether the call passes; rolled back either way so nothing stays."""
        try:
            with self.env.cr.savepoint():
                method(*args)
                self.env.flush_all()
                raise _Undo  # noqa: TRY301 - the savepoint rolls the trial call back
        except AccessError:
            return False
        except _Undo:
            return True
        finally:
            self.env.invalidate_all()

    def _records_cell(self, user, kind, write_in_own=True):
        """'—', 'own', 'read all, write own' or 'all' as the user really has it."""
        own, other = self.own[kind], self.other[kind]
        Model = self.env[own._name].with_user(user)
        if not Model.has_access('read'):
            return '—'
        seen = Model.search([('id', 'in', (own | other).ids)])
        if kind in self.assigned and seen == self.assigned[kind] != own:
            # A participant: what is assigned to them, read-only.
            self.assertFalse(self._can(seen.with_user(user).check_access, 'write'))
            return 'assigned, read'
        if seen == own:
            return 'own'
        self.assertEqual(seen, own | other, f"{user.login} sees {kind}")
        if kind in ('approvals', 'screenings'):
            return 'all'
        writes_other = self._can(other.with_user(user).check_access, 'write')
        return 'all' if writes_other else 'read all, write own'

    def _cells(self, user):
        Partner = self.env['res.partner'].with_user(user)
        offered = Partner.fields_get(attributes=['type'])
        cells = {}
        if 'kam_tier_id' not in offered:
            cells['Tier, manager'] = '—'
        else:
            self.account.with_user(user).read(['kam_tier_id', 'kam_manager_id', 'kam_product_category_ids'])
            cells['Tier, manager'] = 'write' if self._can(
                self.account.with_user(user).write, {'kam_tier_id': self.tier_strategic.id}) else 'read'
        if 'kam_attitude' not in offered:
            cells['Assessments'] = '—'
        else:
            self.assertTrue(self._can(self.contact.with_user(user).write, {'kam_attitude': 'neutral'}))
            self.assertTrue(self._can(self.account.with_user(user).write, {'kam_habits': 'Roles'}))
            cells['Assessments'] = 'write'
        cells['Personal notes'] = self._records_cell(user, 'notes')
        cells['Operating figures'] = self._records_cell(user, 'figures')
        cells['Screenings'] = self._records_cell(user, 'screenings')
        cells['Visits'] = self._records_cell(user, 'visits')
        approvals = self._records_cell(user, 'approvals')
        if approvals == 'all' and self.env['kam.approval.chain'].with_user(user).has_access('write'):
            approvals = 'all, configure'
        cells['Approvals'] = approvals
        exports = self._can(self.contact.with_user(user).action_kam_export_personal_data)
        erases = self._can(self.contact.with_user(user).action_kam_erase_personal_data)
        self.assertEqual(exports, erases)
        cells["Export / erase a person's data"] = 'yes' if exports else '—'
        return cells

    def test_readme_roles_table_matches_the_rights(self):
        table = roles_table()
        self.assertEqual(set(table), set(self.users), "one row per role")
        for role, user in self.users.items():
            cells = self._cells(user)
            self.assertEqual(set(table[role]), set(cells), "one column per right")
            for column, expected in table[role].items():
                with self.subTest(role=role, column=column):
                    self.assertEqual(cells[column], expected)
