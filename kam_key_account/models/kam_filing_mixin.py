import logging
import time
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.safe_eval import safe_eval

_logger = logging.getLogger(__name__)

FILING_STATES = [('pending', 'To File'), ('filed', 'Filed'), ('failed', 'Filing Failed')]
FILING_FIELDS = ('filing_state', 'filing_attempts', 'filing_next_date', 'filing_error')
FILING_CRON = 'kam_key_account.ir_cron_kam_file_documents'
FILING_ACTIVITY_TYPE = 'kam_key_account.mail_activity_type_kam_filing_failed'
FILING_MAX_ATTEMPTS = 5
FILING_BATCH_SIZE = 10


def filing_backoff(attempts):
    """Wait before the next try after `attempts` failed ones: 5, 15, 45, 135 minutes."""
    return timedelta(minutes=5 * 3 ** (attempts - 1))


class KamFilingMixin(models.AbstractModel):
    """Files an approved document as a PDF attachment after commit, in a queued job.

    Rendering a PDF with wkhtmltopdf takes over a second a record: an approval only
    queues the filing (`_kam_filing_queue`, usually from `_on_approval_approved`) and the
    cron `ir_cron_kam_file_documents` renders the report, attaches the PDF and links it in
    the consumer's `_kam_filing_field`. A failed try is retried `FILING_MAX_ATTEMPTS`
    times with a growing wait (`filing_backoff`), then the record is "Filing Failed" and
    the Key Accounts Managers of its company get an activity.

    A consumer declares the report (`_kam_filing_report`, an xmlid) and the attachment
    field (`_kam_filing_field`, a Many2one to ir.attachment it lists in its
    `_kam_engine_fields`), calls `_kam_filing_queue()` when its document is final, and
    shows `filing_state` on its form and list with the `action_retry_filing` button.

    ================== ================================================================
    Who                What
    ================== ================================================================
    the filing job     renders, attaches and links the PDF of records To File (one row
                       lock each, so two runs, or a run and a print, never file twice)
    KAM Manager        retries a failed filing (Retry Filing)
    anyone who prints  a final document not filed yet files it (the rendering is the
                       filing), then gets the filed copy
    nobody             writes the filing state, attempts, next try, error or the filed
                       attachment: the job does, with sudo
    ================== ================================================================

    Only a PDF is filed: the test mode's HTML rendering counts as a failed try. A fresh
    rendering is filed every time, never an attachment found by name (a requester could
    have uploaded one), and only the record's own previous filing is ever deleted.
    """
    _name = 'kam.filing.mixin'
    _description = 'Key-Account Filed Document'
    _inherit = ['mail.thread', 'mail.activity.mixin']
    # The report filed (xmlid of an ir.actions.report of this model) and the field that
    # links the filed attachment: set by each consumer.
    _kam_filing_report = None
    _kam_filing_field = None

    filing_state = fields.Selection(
        FILING_STATES, 'Filing', readonly=True, copy=False, index=True,
        help="Whether the approved document's PDF is filed: To File (queued), Filed, or Filing Failed "
             "(a Key Accounts Manager can retry).")
    filing_attempts = fields.Integer(readonly=True, copy=False)
    filing_next_date = fields.Datetime('Next Filing Try', readonly=True, copy=False)
    filing_error = fields.Text(readonly=True, copy=False)

    # ------------------------------------------------------------------------------------
    # CRUD: the filing fields are the job's
    # ------------------------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            self._check_filing_fields_free(set().union(*vals_list), defaults=True)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._check_filing_fields_free(vals.keys())
        return super().write(vals)

    @api.model
    def _check_filing_fields_free(self, fnames, defaults=False):
        protected = set(FILING_FIELDS) | ({self._kam_filing_field} if self._kam_filing_field else set())
        forced = protected.intersection(fnames)
        if defaults:
            forced |= {name for name in protected if f'default_{name}' in self.env.context}
        if forced:
            raise AccessError(self.env._(
                "%(fields)s of %(model)s are set by the filing job, not by hand.",
                fields=", ".join(sorted(self._fields[name]._description_string(self.env) for name in forced)),
                model=self.env['ir.model']._get(self._name).name))

    # ------------------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------------------

    def action_retry_filing(self):
        """A Key Accounts Manager queues a failed (or late) filing again, at once."""
        if not self.env.user.has_group('kam_key_account.group_kam_manager'):
            raise AccessError(self.env._("Only a Key Accounts Manager can retry a filing."))
        records = self.browse(dict.fromkeys(self.ids))
        records.check_access('write')
        not_final = records - records._kam_filing_due()
        if not_final:
            raise UserError(self.env._(
                "%(record)s is not approved: there is nothing to file.", record=not_final[0].display_name))
        records = records.filtered(lambda r: r.filing_state != 'filed')
        records.sudo().with_context(mail_activity_automation_skip=False).activity_unlink([FILING_ACTIVITY_TYPE])
        records._kam_filing_queue()
        return True

    # ------------------------------------------------------------------------------------
    # Hooks for consumers
    # ------------------------------------------------------------------------------------

    def _kam_filing_due(self):
        """The records whose document is final, so still to be filed once queued: by
        default the approved ones. A record withdrawn before its job ran is not filed."""
        if 'approval_state' in self._fields:
            return self.filtered(lambda r: r.approval_state == 'approved')
        return self

    def _kam_filing_filename(self):
        """The filed attachment's name: the report's print name, as a download gets it."""
        self.ensure_one()
        report = self.env.ref(self._kam_filing_report)
        name = report.print_report_name and safe_eval(report.print_report_name, {'object': self, 'time': time})
        return f"{name or self.display_name}.pdf"

    def _kam_filing_lang(self):
        """The language of the filed copy: its responsible's, else the company's."""
        self.ensure_one()
        user = self['user_id'] if 'user_id' in self._fields else self.env['res.users']
        company = self['company_id'] if 'company_id' in self._fields else self.env.company
        return user.lang or company.partner_id.lang or self.env.lang

    # ------------------------------------------------------------------------------------
    # The queue and the job
    # ------------------------------------------------------------------------------------

    def _kam_filing_queue(self):
        """Queue the filing of these records: it runs after commit, in the filing job."""
        if not self:
            return
        now = fields.Datetime.now()
        self.sudo().write({'filing_state': 'pending', 'filing_attempts': 0, 'filing_next_date': now,
                           'filing_error': False})
        self.env.ref(FILING_CRON).sudo()._trigger(now)

    @api.model
    def _kam_filing_models(self):
        return [name for name in self.env.registry.descendants([self._name], '_inherit')
                if not self.env[name]._abstract]

    @api.model
    def _cron_kam_file_documents(self):
        """The filing job: files the due records of every consumer, a batch at a time,
        each batch committed. Rows are locked with SKIP LOCKED: a row another run or a
        print is filing right now is left to it."""
        for model_name in self._kam_filing_models():
            Model = self.env[model_name].sudo()
            held_elsewhere = []
            while True:
                due = Model.search([('filing_state', '=', 'pending'), ('id', 'not in', held_elsewhere),
                                    ('filing_next_date', '<=', fields.Datetime.now())],
                                   order='filing_next_date, id', limit=FILING_BATCH_SIZE)
                if not due:
                    break
                locked = due.try_lock_for_update()
                held_elsewhere += (due - locked).ids
                if not locked:
                    continue
                locked._kam_file_documents()
                if self.env['ir.cron']._commit_progress(len(locked)) <= 0:
                    self.env.ref(FILING_CRON)._trigger()  # out of time: go on in the next run
                    return

    def _kam_file_documents(self):
        """File these records' PDFs now; the caller holds their row locks. Records filed
        meanwhile (the job ran twice) or not due any more are left alone."""
        self.invalidate_recordset(FILING_FIELDS)  # as committed by whoever held the lock before
        records = self.sudo().filtered(lambda r: r.filing_state != 'filed' or not r[self._kam_filing_field])
        withdrawn = records - records._kam_filing_due()
        for record in withdrawn:  # withdrawn before the job ran: its last filing stands
            record.write({'filing_state': 'filed' if record[self._kam_filing_field] else False,
                          'filing_next_date': False})
        failed = []
        for record in records - withdrawn:
            try:
                with self.env.cr.savepoint():
                    content, content_type = record._kam_filing_render()
            except Exception as error:  # noqa: BLE001 pylint: disable=broad-exception-caught
                # Anything wkhtmltopdf or the report raises fails this try only: the job
                # goes on with the next record and this one is retried later.
                _logger.warning("Filing of %s %s failed: %s", record._name, record.display_name, error)
                failed.append((record, str(error)))
                continue
            if content_type != 'pdf':  # pytest-odoo's test mode renders HTML: no filed PDF
                failed.append((record, self.env._(
                    "The report engine returned %(type)s, not a PDF.", type=content_type)))
                continue
            record._kam_filing_attach(content)
        if failed:
            self.browse()._kam_filing_failed(failed)

    def _kam_filing_render(self):
        self.ensure_one()
        report = self.env.ref(self._kam_filing_report).sudo()
        # report_pdf_no_attachment: render afresh, never reload an attachment found by name.
        return report.with_context(report_pdf_no_attachment=True, lang=self._kam_filing_lang())._render_qweb_pdf(
            report.report_name, res_ids=self.ids)

    def _kam_filing_attach(self, content):
        """Attach `content`, link it and drop the record's own previous filing (a
        document approved again files its new version)."""
        self.ensure_one()
        previous = self[self._kam_filing_field]
        filed = self.env['ir.attachment'].sudo().create({
            'name': self._kam_filing_filename(), 'raw': content, 'mimetype': 'application/pdf',
            'res_model': self._name, 'res_id': self.id,
        })
        self.sudo().write({self._kam_filing_field: filed.id, 'filing_state': 'filed', 'filing_attempts': 0,
                           'filing_next_date': False, 'filing_error': False})
        if previous.res_model == self._name and previous.res_id == self.id:
            previous.sudo().unlink()  # only our own filing, never another record's attachment
        self.sudo().with_context(mail_activity_automation_skip=False).activity_feedback(
            [FILING_ACTIVITY_TYPE], feedback=self.env._("Filed."))

    def _kam_filing_failed(self, failures):
        """Count a failed try of each (record, error): retried after a backoff, or, after
        the last try, Filing Failed and an activity for each Key Accounts Manager."""
        now = fields.Datetime.now()
        outcomes = defaultdict(list)  # (attempts, next try or False, error): record ids
        for record, error in failures:
            attempts = record.filing_attempts + 1
            next_try = now + filing_backoff(attempts) if attempts < FILING_MAX_ATTEMPTS else False
            outcomes[attempts, next_try, error].append(record.id)
        given_up = self.browse()
        for (attempts, next_try, error), ids in outcomes.items():  # one write per outcome
            records = self.browse(ids)
            records.sudo().write({'filing_state': 'pending' if next_try else 'failed', 'filing_attempts': attempts,
                                  'filing_next_date': next_try, 'filing_error': error})
            given_up |= records if not next_try else self.browse()
        retry_at = sorted({next_try for _attempts, next_try, _error in outcomes if next_try})
        if retry_at:
            self.env.ref(FILING_CRON).sudo()._trigger(retry_at)
        if given_up:
            given_up._kam_filing_notify_managers()

    def _kam_filing_notify_managers(self):
        """One activity per record and Key Accounts Manager of its company, scheduled
        per manager for all of its records at once."""
        group = self.env.ref('kam_key_account.group_kam_manager')
        managers = group.user_ids or group.all_user_ids  # the managers, else those above them
        # No assignment mail per activity (mail_activity_quick_update): one batch of reminders.
        records = self.sudo().with_context(mail_activity_automation_skip=False, mail_activity_quick_update=True)
        for manager in managers.filtered(lambda u: not u.share and u.active):
            mine = records.filtered(lambda r: 'company_id' not in r._fields or r.company_id in manager.company_ids)
            if mine:
                mine.activity_schedule(
                    FILING_ACTIVITY_TYPE, user_id=manager.id,
                    note=self.env._("Its PDF could not be filed: see the filing error, then Retry Filing."))

    def _kam_filing_print(self):
        """Print an approved record: file it first when it is not filed yet (the rendering
        is the filing, so the first print files it), then download the filed copy.
        Returns the download action, or None when there is no filed copy to give."""
        if len(self) != 1 or not self._kam_filing_due():
            return None
        record = self.sudo()
        # Not filed: queued, failed, or approved before filing was queued (a link without
        # a state is a filing from before the job existed: it stands).
        if record.filing_state in ('pending', 'failed') or not record[self._kam_filing_field]:
            locked = record.try_lock_for_update()
            if not locked:
                raise UserError(self.env._(
                    "%(record)s is being filed right now: print it again in a moment.",
                    record=self.display_name))
            locked._kam_file_documents()
        filed = record[self._kam_filing_field]
        if not filed or record.filing_state in ('pending', 'failed'):
            return None
        return {
            'type': 'ir.actions.act_url',
            'url': f'/web/content/{filed.id}?download=true',
            'target': 'download',
        }
