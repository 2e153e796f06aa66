from odoo import api, fields, models
from odoo.exceptions import UserError

CONTROL_STATES = [
    ('draft', 'Draft'),
    ('controlled', 'Controlled'),
    ('obsolete', 'Obsolete'),
]
# The header and footer of a controlled document (受控文件) that only the process sets:
# the approval engine's hooks (prepared, reviewed, approved) and New Revision.
CONTROL_FIELDS = (
    'document_number', 'control_state', 'revision', 'revision_date', 'previous_revision_id',
    'prepared_by_id', 'prepared_date', 'reviewed_by_id', 'reviewed_date', 'approved_by_id', 'approved_date',
)
# What a client may still write on a controlled or obsolete version: its place in the
# process and the things that are not part of the document (chatter, activities, colour).
UNCONTROLLED_PREFIXES = ('message_', 'activity_', 'website_message_')


def revision_mark(revision):
    """A, B, ..., Z, AA, AB, ...: the revision mark (修改标记) of a revision number."""
    mark = ''
    revision += 1
    while revision:
        revision, rest = divmod(revision - 1, 26)
        mark = chr(ord('A') + rest) + mark
    return mark


class KamControlledDocumentMixin(models.AbstractModel):
    """A key-account process whose record is a controlled document of the manual (受控文件):
    development plans and service requests.

    The header: number (编号), control status (受控状态: draft, controlled, obsolete), the
    executing, supervising and verifying departments (执行/监督/考证部门). The footer:
    prepared, reviewed and approved by and date (编制/审核/批准), revision mark, number of
    revisions and revision date (修改标记/修改处数/修改日期). `kam_controlled_header` and
    `kam_controlled_footer` (report/kam_controlled_document_templates.xml) print them in the
    report's body.

    ================== ======================================================================
    Who                What
    ================== ======================================================================
    approval engine    fills prepared (the requester), reviewed (the deciders of the steps
                       before the last) and approved (the last step's decider) with their
                       dates; the final approval makes the version Controlled
    record's writers   edit a Draft version; start a New Revision of a Controlled one: a
                       Draft copy with the same number and the next revision, while the
                       Controlled one becomes Obsolete (its filed PDF stays with it)
    nobody             edits a Controlled or Obsolete version in place (only its stage moves
                       and what `_kam_uncontrolled_fields` names), writes the header and
                       footer fields above, or starts two revisions of one version
    ================== ======================================================================
    """
    _name = 'kam.controlled.document.mixin'
    _description = 'Key-Account Controlled Document'
    _inherit = ['kam.process.mixin']
    # Fields of a consumer that stay writable once the version is controlled: what happens
    # after the document was approved (its execution), not what was approved.
    _kam_uncontrolled_fields = ()

    document_number = fields.Char(
        readonly=True, copy=False, index=True,
        help="编号: the number the document keeps through its revisions.")
    control_state = fields.Selection(
        CONTROL_STATES, 'Control Status', required=True, default='draft', readonly=True, copy=False,
        index=True, tracking=True,
        help="受控状态: Draft until approved, then Controlled (read-only: start a new revision to "
             "change it); a version replaced by a newer revision is Obsolete.")
    executing_department_id = fields.Many2one(
        'kam.department', check_company=True, help="执行部门")
    supervising_department_id = fields.Many2one(
        'kam.department', check_company=True, help="监督部门")
    verifying_department_id = fields.Many2one(
        'kam.department', check_company=True, help="考证部门")
    prepared_by_id = fields.Many2one('res.users', readonly=True, copy=False)
    prepared_date = fields.Date('Prepared On', readonly=True, copy=False)
    reviewed_by_id = fields.Many2one('res.users', readonly=True, copy=False)
    reviewed_date = fields.Date('Reviewed On', readonly=True, copy=False)
    approved_by_id = fields.Many2one('res.users', readonly=True, copy=False)
    approved_date = fields.Date('Approved On', readonly=True, copy=False)
    revision = fields.Integer(
        'Number of Revisions', readonly=True, copy=False, default=0,
        help="修改处数: 0 for the first version, one more for each new revision.")
    revision_mark = fields.Char(compute='_compute_revision_mark', help="修改标记: A for the first version, then B, C, ...")
    revision_date = fields.Date(readonly=True, copy=False, help="修改日期: when this revision was started.")
    # A consumer declares `previous_revision_id`, a readonly, non-copied Many2one to its own
    # model (a Many2one cannot point at this abstract model).

    @api.depends('revision')
    def _compute_revision_mark(self):
        for document in self:
            document.revision_mark = revision_mark(document.revision)

    # ------------------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------------------

    @api.model
    def _kam_protected_fields(self):
        return super()._kam_protected_fields() | set(CONTROL_FIELDS)

    @api.model_create_multi
    def create(self, vals_list):
        documents = super().create(vals_list)
        for document in documents.filtered(lambda d: not d.document_number):
            # The first version's number is its reference; revisions keep it.
            document.sudo().document_number = document.name
        return documents

    def write(self, vals):
        if not self.env.su:
            self._check_controlled_write(vals)
        return super().write(vals)

    def _check_controlled_write(self, vals):
        """A controlled (approved) or obsolete version is not edited in place."""
        changed = [name for name in vals if not name.startswith(UNCONTROLLED_PREFIXES)]
        if not changed:
            return
        # A controlled version still moves on through its process; an obsolete one is history.
        allowed = {'stage_id', 'color', *self._kam_uncontrolled_fields}
        frozen = [name for name in changed if name not in allowed]
        locked = self.filtered(lambda d: d.control_state == 'obsolete' or (frozen and d.control_state == 'controlled'))[:1]
        if locked:
            raise UserError(self.env._(
                "%(document)s is a %(state)s version of a controlled document: it is not edited in place. "
                "Start a new revision (New Revision) and change that one.",
                document=locked.display_name,
                state=dict(self._fields['control_state']._description_selection(self.env))[locked.control_state]))

    # ------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------

    def action_new_revision(self):
        """New Revision: a draft copy with the same number and the next revision; the
        approved version it replaces becomes obsolete (and keeps its filed PDF)."""
        documents = self.browse(dict.fromkeys(self.ids))
        documents._check_can_new_revision()
        revisions = documents._do_new_revision()
        if len(revisions) == 1:
            return {
                'type': 'ir.actions.act_window', 'res_model': self._name, 'res_id': revisions.id,
                'view_mode': 'form', 'target': 'current',
            }
        return True

    def _check_can_new_revision(self):
        self.check_access('write')
        for document in self:
            if document.control_state != 'controlled':
                raise UserError(self.env._(
                    "Only a controlled (approved) version gets a new revision: %(document)s is not one.",
                    document=document.display_name))
        # The database sees revisions of other users too; one revision per version.
        taken = self.sudo().search_count([('previous_revision_id', 'in', self.ids)], limit=1)
        if taken:
            raise UserError(self.env._("A new revision of this version was already started."))

    def _do_new_revision(self):
        today = fields.Date.context_today(self)
        revisions = self.browse()
        for document in self:
            revision = document.copy(document._prepare_revision_default())
            revision.sudo().write({
                'document_number': document.document_number,
                'revision': document.revision + 1,
                'revision_date': today,
                'previous_revision_id': document.id,
            })
            revisions |= revision
        self.sudo().write({'control_state': 'obsolete'})
        for document, revision in zip(self, revisions):
            document.message_post(body=self.env._(
                "Replaced by the revision %(revision)s (%(mark)s).", revision=revision.name, mark=revision.revision_mark))
            revision.message_post(body=self.env._(
                "Revision %(mark)s of %(number)s, started from %(previous)s.",
                mark=revision.revision_mark, number=revision.document_number, previous=document.name))
        return revisions

    def _prepare_revision_default(self):
        """The values of the new revision's copy besides the copied content."""
        return {}

    # ------------------------------------------------------------------------------------
    # Approval engine hooks: the footer
    # ------------------------------------------------------------------------------------

    def _do_request_approval(self):
        result = super()._do_request_approval()
        today = fields.Date.context_today(self)
        self.sudo().write({
            'prepared_by_id': self.env.uid, 'prepared_date': today,
            'reviewed_by_id': False, 'reviewed_date': False, 'approved_by_id': False, 'approved_date': False,
        })
        return result

    def _approval_step_passed(self, review, notes, ladder, open_reviews=None):
        """A step passed: its decider reviewed the document, or approved it on the last step."""
        vals, next_review = super()._approval_step_passed(review, notes, ladder, open_reviews)
        decision = review.sudo().decision_ids.filtered(lambda d: d.decision == 'approved').sorted('id')[-1:]
        user = decision.user_id or self.env.user
        day = fields.Date.context_today(self, decision.date) if decision else fields.Date.context_today(self)
        if next_review:
            self.sudo().write({'reviewed_by_id': user.id, 'reviewed_date': day})
        else:
            self.sudo().write({'approved_by_id': user.id, 'approved_date': day})
        return vals, next_review

    def _on_approval_approved(self):
        """The approved version is the controlled one."""
        result = super()._on_approval_approved()
        self.sudo().write({'control_state': 'controlled'})
        return result

    def _do_reset_approval(self):
        result = super()._do_reset_approval()
        self.sudo().filtered(lambda d: d.control_state == 'draft').write({
            'reviewed_by_id': False, 'reviewed_date': False, 'approved_by_id': False, 'approved_date': False,
        })
        return result
