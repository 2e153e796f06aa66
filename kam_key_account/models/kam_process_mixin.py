from contextlib import contextmanager

from lxml import etree

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError

from .kam_approval_mixin import APPROVAL_EVENTS, ENGINE_MOVE, STAGE_KEY

# The value under STAGE_KEY of the process's own stage write, once `_kam_move_to` checked
# the move: compared by identity, a JSON-RPC client (which only sends JSON) cannot forge it.
CHECKED_MOVE = object()
# The cursor's cache key of the batches whose messages are being posted (_kam_batch_posts).
BATCH_POSTS = 'kam.batch.posts'


def act_as(records, user):
    """`records` as `user` works on them in the web client: with their rights and in their
    language, so what the action stores (activity summaries, chatter entries, notes written
    through `env._`, names read from translated fields) is written in that language. The
    demo plays each step this way (README, "Demo data").

    :param user: a res.users record or id
    """
    user = records.env['res.users'].browse(user) if isinstance(user, int) else user
    return records.with_user(user).with_context(lang=user.lang)


class KamProcessMixin(models.AbstractModel):
    """What every key-account process shares: its common fields (reference, partner,
    responsible, company, currency, stage: a process only relabels them), a reference from
    its sequence, kanban stages of its own process (`kam.stage`, all shown as columns),
    chatter, activities, the approval engine, a counter and stat button on the partner and
    a printed report.

    A process declares (a missing declaration fails at install, `_register_hook`; missing
    data when used, with a translated error, never silently):

    - `_kam_process`: its stages' `kam.stage.process`;
    - `_kam_sequence_code`: the code of the ir.sequence of its references;
    - `_kam_approval_subtypes`: {approval event: subtype xmlid}, one per event of
      `APPROVAL_EVENTS`;
    - `_kam_partner_count_field`: its counter on res.partner, computed by
      `res.partner._compute_kam_process_counts`; its stat button calls
      `action_kam_open_process` with the model in the context key `kam_process_model`;
    - `_kam_action`: the xmlid of its window action, opened for a partner by that button;
    - `_kam_report`: the xmlid of its printed report (`action_kam_print`).

    A process whose records gather several accounts (a suggestion summary) declares
    `_kam_per_account = False`: its `partner_id` is optional, and it has no counter nor
    stat button on the partner.

    ================== ======================================================================
    Who                What
    ================== ======================================================================
    record's writers   write the process's business fields, and the computed fields that are
                       declared `readonly=False` (a proposal the user may adjust); move a
                       record along the transitions of `_kam_transitions`, by an action, a
                       drag, the statusbar or a write of `stage_id`: every route runs the
                       same `_kam_move_to`, its checks and its side effects
    approval engine    moves records into the gate stages (and back to the first stage when
                       an approval is withdrawn); no hand-made route reaches a gate
    nobody             creates a record in another stage than the first of its process;
                       moves it along a transition the process does not declare (the record
                       stays where it was); writes, creates (values, `default_*` context
                       keys, personal defaults) or copies with a value a stored computed
                       field without inverse (what the reviewers read is what the process
                       computed) or an engine field of `_kam_engine_fields`; the process
                       writes those with sudo, through `_kam_engine_write`, after its own
                       checks
    ================== ======================================================================
    """
    _name = 'kam.process.mixin'
    _description = 'Key-Account Process'
    _inherit = ['kam.approval.mixin', 'mail.thread', 'mail.activity.mixin']
    _check_company_auto = True
    # The declarations every process makes (see the class's docstring).
    _kam_sequence_code = None
    _kam_approval_subtypes = {}
    _kam_partner_count_field = None
    _kam_action = None
    _kam_report = None
    # Whether each record is one account's (see the class's docstring).
    _kam_per_account = True
    # Fields only the process's own actions set (e.g. a confirmation date, a filed
    # document): declared per model, refused to every client like the stored computes.
    _kam_engine_fields = ()
    # The moves a person may make: {stage code: (stage codes it may move to)}. A move not
    # listed is refused whatever the route; a stage without a code is reached only by the
    # approval engine (a chain's stage). The gate stages are the engine's anyway.
    _kam_transitions = {}
    # The stages whose entry is an action of the process: {stage code: verb}. Entering one,
    # by any route (its button `action_<verb>` included), runs `_check_can_<verb>()` then
    # `_do_<verb>(stage)` on the batch; the latter writes the stage (`_kam_write_stage`)
    # with its side effects.
    _kam_stage_verbs = {}
    # Where the approval buttons go in the form's header: after the node this xpath finds
    # (e.g. the process's first action), else first in the header.
    _kam_approval_buttons_xpath = None

    def _default_stage_id(self):
        Stage = self.env['kam.stage']
        return Stage.browse(Stage._first_stage_id(self._kam_process))

    # The common fields: a process relabels them (string, help, domain), e.g.
    # `partner_id = fields.Many2one(string='Candidate')`.
    name = fields.Char(string='Reference', required=True, readonly=True, copy=False, default='New', index='trigram')
    partner_id = fields.Many2one(
        'res.partner', required=True, tracking=True, index=True, check_company=True,
        domain=[('is_company', '=', True)])
    user_id = fields.Many2one(
        'res.users', 'Responsible', default=lambda self: self.env.user, tracking=True, index=True,
        domain=[('share', '=', False)])
    company_id = fields.Many2one('res.company', required=True, default=lambda self: self.env.company, index=True)
    # The company's currency; a process whose amounts are in a chosen currency makes it a
    # field of its own: `fields.Many2one(related=False, store=True, readonly=False, ...)`.
    currency_id = fields.Many2one('res.currency', related='company_id.currency_id')
    stage_id = fields.Many2one(
        'kam.stage', default=lambda self: self._default_stage_id(), tracking=True, index=True, copy=False,
        domain=lambda self: [('process', '=', self._kam_process)], group_expand='_read_group_stage_ids',
        ondelete='restrict')
    stage_code = fields.Char(related='stage_id.code')
    color = fields.Integer()

    # ------------------------------------------------------------------------------------
    # The declarations
    # ------------------------------------------------------------------------------------

    def _register_hook(self):
        """A process's missing declaration fails at install (and at every start), loudly."""
        super()._register_hook()
        if self._abstract or not self._kam_process:
            return
        missing = [name for name in ('_kam_sequence_code', '_kam_action', '_kam_report') if not getattr(self, name)]
        missing += [f"_kam_approval_subtypes[{event!r}]" for event in APPROVAL_EVENTS
                    if not self._kam_approval_subtypes.get(event)]
        counter = self.env['res.partner']._fields.get(self._kam_partner_count_field or '')
        if self._kam_per_account and (not counter or counter.compute != '_compute_kam_process_counts'):
            missing.append("_kam_partner_count_field (a res.partner field computed by _compute_kam_process_counts)")
        if missing:
            raise TypeError(f"The process {self._name} does not declare {', '.join(missing)} (kam.process.mixin).")

    @api.model
    def _kam_set_references(self, vals_list):
        """Number the new records from the process's sequence: the one of each record's
        company, else a shared one (as `next_by_code`), found once for the batch."""
        to_number = [vals for vals in vals_list if vals.get('name', 'New') == 'New']
        if not to_number:
            return
        company_ids = {vals.get('company_id') or self.env.company.id for vals in to_number}
        sequences = self.env['ir.sequence'].search(
            [('code', '=', self._kam_sequence_code), ('company_id', 'in', [*company_ids, False])], order='company_id')
        for vals in to_number:
            company_id = vals.get('company_id') or self.env.company.id
            sequence = sequences.filtered(lambda s, company_id=company_id: s.company_id.id in (company_id, False))[:1]
            if not sequence:
                raise UserError(self.env._(
                    "%(model)s has no sequence %(code)s to number its references: ask an administrator to restore it.",
                    model=self.env['ir.model']._get(self._name).name, code=self._kam_sequence_code))
            vals['name'] = sequence._next()

    def _approval_subtype(self, kind):
        """The subtype the process declares for this approval event, never a guess.

        Resolved through ir.model.data's cache, without a query: the engine asks once per
        record and transition (a subtype deleted loses its xmlid with it)."""
        res_model, res_id = self.env['ir.model.data']._xmlid_to_res_model_res_id(
            self._kam_approval_subtypes.get(kind) or '_', raise_if_not_found=False)
        if res_model != 'mail.message.subtype':
            raise UserError(self.env._(
                "%(model)s has no message subtype for the approval event %(event)s: ask an administrator "
                "to update the Key Accounts module.",
                model=self.env['ir.model']._get(self._name).name, event=kind))
        return self.env[res_model].browse(res_id)

    def _kam_as(self, user):
        """These records as `user` acts on them, in their language (`act_as`); for demo data
        files: ``obj(ref('x'))._kam_as(ref('kam_user_li')).action_request_approval()``."""
        return act_as(self, user)

    def _creation_message(self):
        # mail's _() falls back to the creator's language when the context names none (an
        # install, the mail gateway, an RPC call without context): the document name it is
        # put with follows it, rather than "Key-Account Screening 创建".
        if self.env.lang or not self.env.user.lang:
            return super()._creation_message()
        return super(KamProcessMixin, self.with_context(lang=self.env.user.lang))._creation_message()

    def action_kam_print(self):
        """Print the process's report (`_kam_report`), once per record. A process that files
        its approved document (kam.filing.mixin) gives an approved record's filed copy
        instead, filed by this print when the job has not run yet: also when a client
        passes the record's id twice."""
        records = self.browse(dict.fromkeys(self.ids))
        if isinstance(records, self.pool['kam.filing.mixin']):
            filed = records._kam_filing_print()
            if filed:
                return filed
        return self.env.ref(self._kam_report).report_action(records)

    @api.model
    def _kam_partner_action(self, partner):
        """The process's records for `partner` (its stat button on the partner)."""
        action = self.env['ir.actions.act_window']._for_xml_id(self._kam_action)
        action.update(
            domain=[('partner_id', '=', partner.id)],
            context={'default_partner_id': partner.id},
        )
        return action

    def _mail_get_operation_for_mail_message_operation(self, message_operation):
        """A participant (an employee without a Key Accounts role, reading the record only
        for the lines assigned to them) does not read its chatter: internal notes such as
        rejection reasons and assessments stay inside Key Accounts. Reading the messages of
        a process with assigned lines needs the right to write it, as Odoo does for private
        calendar events; a participant still reads what they are notified of, and discusses
        their line on the line itself."""
        result = super()._mail_get_operation_for_mail_message_operation(message_operation)
        if (message_operation == 'read' and not self.env.su and self._kam_has_participants()
                and not self.env.user.has_group('kam_key_account.group_kam_user')):
            result.update(dict.fromkeys(self, 'write'))
        return result

    @contextmanager
    def _kam_batch_posts(self, author=None):
        """A block posting one message on each of these records (a batch's tracking
        messages, the escalation's notes) posts them as mail does, one record at a time, but
        prepares them as mail's composer does in mass mode: the reply-to addresses, alias
        domains and companies are computed once for the batch, at its first message
        (`_kam_batch_post_values`); and their notification mails are queued for mail's queue,
        woken once, as Odoo's server actions do (`mail_notify_force_send`), instead of being
        sent one record after the other at the end of the request. A single record's mails
        still leave at once; a block that posts nothing costs nothing more.

        :param author: the res.partner the block posts as (default: tracking's author)
        :yield: the records to post on
        """
        if len(self) < 2:
            yield self
            return
        # Kept on the cursor, not in the context: no caller can hand message_post values.
        batch = self.env.cr.cache.setdefault(BATCH_POSTS, {})[self._name] = {
            'records': self, 'ids': set(self._ids), 'author': author, 'values': None}
        try:
            yield self.with_context(mail_notify_force_send=False)
        finally:
            self.env.cr.cache[BATCH_POSTS].pop(self._name, None)
        if batch['values'] is not None:  # messages were posted: their mails are queued
            self.env.ref('mail.ir_cron_mail_scheduler_action')._trigger()

    def _message_track(self, fields_iter, initial_values_dict):
        """A change tracked on several records at once (a batch approval, a mass edit):
        their messages are posted as a batch (`_kam_batch_posts`)."""
        with self._kam_batch_posts() as records:
            return super(KamProcessMixin, records)._message_track(fields_iter, initial_values_dict)

    def _kam_batch_post_values(self, author=None):
        """What `message_post` computes for each record's message, one record at a time:
        its reply-to (for `author`, else the current user, as mail's default author), alias
        domain and company. A message posted by another author (a tracking author set with
        `_track_set_author`) does not use them: mail computes its own."""
        author_id, email_from = self._message_compute_author(author.id if author else None)
        reply_to = self._notify_get_reply_to_batch(
            defaults=dict.fromkeys(self.ids, email_from), author_ids=dict.fromkeys(self.ids, author_id))
        domains = self.sudo()._mail_get_alias_domains(default_company=self.env.company)
        companies = self._mail_get_companies(default=self.env.company)
        return {record.id: {
            'author_id': author_id, 'reply_to': reply_to[record.id],
            'record_alias_domain_id': domains[record.id].id, 'record_company_id': companies[record.id].id,
        } for record in self}

    def message_post(self, **kwargs):
        batch = self.env.cr.cache.get(BATCH_POSTS, {}).get(self._name)
        values = None
        if batch and self.id in batch['ids']:
            if batch['values'] is None:
                batch['values'] = batch['records']._kam_batch_post_values(batch['author'])
            values = batch['values'].get(self.id)
        if values and (kwargs.get('author_id') or values['author_id']) == values['author_id']:
            # A message of a batch (`_kam_batch_posts`): what mail would compute.
            kwargs = {**{key: value for key, value in values.items() if key != 'author_id'}, **kwargs}
        return super().message_post(**kwargs)

    @api.model
    @tools.ormcache()
    def _kam_has_participants(self):
        """Whether the process has lines assigned to people outside Key Accounts (its
        fields, known once per registry and model)."""
        Line = self.env.registry['kam.assigned.line']
        return any(field.type == 'one2many' and issubclass(self.env.registry[field.comodel_name], Line)
                   for field in self._fields.values())

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        return stages.search([('process', '=', self._kam_process)])

    @api.depends('name', 'partner_id.name')
    def _compute_display_name(self):
        for record in self:
            record.display_name = " - ".join(filter(None, [record.name, record.partner_id.name]))

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            # copy(default=...) ends here too: its defaults are in vals.
            self._check_engine_fields_free(set().union(*vals_list), defaults=True)
            self._check_created_in_first_stage(vals_list)
        self._kam_set_references(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._check_engine_fields_free(vals.keys())
        move = self.env.context.get(STAGE_KEY)
        if 'stage_id' in vals and move is not CHECKED_MOVE and move is not ENGINE_MOVE:
            # A drag, a statusbar click or an RPC write: the other values first (a form may
            # save the summary with the move to Summarised), then the one checked move.
            vals = dict(vals)
            stage = self.env['kam.stage'].browse(vals.pop('stage_id'))
            if vals:
                super().write(vals)
            self._kam_move_to(stage)
            return True
        return super().write(vals)

    @api.model
    def _kam_protected_fields(self):
        """The engine fields, and the stored computes a client could otherwise overwrite:
        written, a stored compute keeps the client's value until its dependencies change
        (a risk level, an open flag carrying a unique index, a budget flag gating an
        approval). Computes declared `readonly=False` are proposals the user may adjust."""
        return set(self._kam_engine_fields) | {
            name for name, field in self._fields.items()
            if field.compute and field.store and field.readonly and not field.inverse}

    @api.model
    def _check_engine_fields_free(self, fnames, defaults=False):
        """Refuse a client's value for a protected field: in the values, and on create in
        the `default_*` context keys or the user's own defaults (ir.default), which
        `default_get` would apply to a missing field, computed or not."""
        protected = self._kam_protected_fields()
        forced = protected.intersection(fnames)
        if defaults:
            user_defaults = self.env['ir.default']._get_model_defaults(self._name)
            forced |= {name for name in protected if f'default_{name}' in self.env.context or name in user_defaults}
        if forced:
            raise AccessError(self.env._(
                "%(fields)s of %(model)s are set by the process itself, not by hand.",
                fields=", ".join(sorted(self._fields[name]._description_string(self.env) for name in forced)),
                model=self.env['ir.model']._get(self._name).name))

    def _kam_engine_write(self, vals):
        """The process's own write of its engine fields, once its checks passed."""
        return self.sudo().write(vals)

    def _check_created_in_first_stage(self, vals_list):
        """A record starts where its process starts: any later stage is reached by moves."""
        stage_id = self.default_get(['stage_id']).get('stage_id')
        given = {vals.get('stage_id', stage_id) for vals in vals_list} - {None, False}
        later = self.env['kam.stage'].browse(given - {self._default_stage_id().id})[:1]
        if later:
            # Another process's stage, a gate: the clearer refusals first.
            self._check_stage_process(later)
            later._kam_check_free_for(self.browse())
            raise UserError(self.env._(
                "A new %(model)s starts in the first stage of its process: move it on from there.",
                model=self.env['ir.model']._get(self._name).name))

    def _check_stage_process(self, stage):
        if self._kam_process and stage.process != self._kam_process:
            raise UserError(self.env._(
                "%(stage)s is a stage of another process.", stage=stage.display_name))

    def _approval_withdrawn_by(self, vals):
        """A checked move back before the first gate withdraws the approval too."""
        withdrawn = super()._approval_withdrawn_by(vals)
        if vals.get('stage_id'):
            stage = self.env['kam.stage'].browse(vals['stage_id'])
            gate = stage._first_gate_sequence(self._kam_process)
            if gate is not None and stage.sequence < gate:
                withdrawn |= self.filtered(lambda r: r.approval_state in ('pending', 'approved'))
        return withdrawn

    def _do_reset_approval(self):
        """A record left in a gate stage, or past the first one, goes back to the first
        stage of its process: no record stays where only an approval leads (see kam.stage)."""
        result = super()._do_reset_approval()
        gate = self.env['kam.stage']._first_gate_sequence(self._kam_process)
        behind_gate = self.filtered(
            lambda r: gate is not None and (r.stage_id.is_gate or r.stage_id.sequence >= gate))
        if behind_gate:
            behind_gate._approval_write({'stage_id': self._default_stage_id().id})
        return result

    def _stage_by_code(self, code):
        return self.env['kam.stage'].search([('process', '=', self._kam_process), ('code', '=', code)], limit=1)

    # ------------------------------------------------------------------------------------
    # Stage moves: one path, whatever the route
    # ------------------------------------------------------------------------------------

    def _kam_move_to(self, stage):
        """Move these records to `stage` (a kam.stage or its code): THE way into a stage
        for actions, drags, statusbar clicks and RPC writes. Checks the move for the whole
        batch (a forbidden one raises and leaves every record where it was), then runs the
        stage's action (`_kam_stage_verbs`): `_check_can_<verb>()`, then `_do_<verb>(stage)`
        where entering the stage does more than writing it (without one, the stage is
        written). Records already in `stage` are left alone."""
        if isinstance(stage, str):
            code = stage
            stage = self._stage_by_code(code)  # the batch's one stage search
            if not stage:
                raise UserError(self.env._(
                    "The process has no stage %(code)s: ask a Key Accounts Manager to restore it.", code=code))
        records = self.browse(dict.fromkeys(self.ids)).filtered(lambda r: r.stage_id != stage)
        if not records:
            return True
        records._check_can_move_to(stage)
        verb = self._kam_stage_verbs.get(stage.code)
        if verb:
            getattr(records, f'_check_can_{verb}')()
        do = getattr(records, f'_do_{verb}', None) if verb else None
        if do:
            do(stage)
        else:
            records._kam_write_stage(stage)
        return True

    def _check_can_move_to(self, stage):
        if not stage:
            raise UserError(self.env._("A record of a process is always in one of its stages."))
        self._check_stage_process(stage)
        # A gate (a manager may make any stage one) is the engine's, whatever the table says:
        # refused first, with the gate's own message.
        stage._kam_check_free_for(self)
        for record in self:
            if stage.code and stage.code in self._kam_transitions.get(record.stage_id.code, ()):
                continue
            raise UserError(self.env._(
                "%(record)s cannot go from %(current)s to %(target)s: %(hint)s",
                record=record.display_name, current=record.stage_id.name, target=stage.name,
                hint=record._kam_move_hint()))

    def _kam_move_hint(self):
        """What the user can do instead of a refused move."""
        allowed = self._kam_transitions.get(self.stage_id.code, ())
        if not allowed:
            return self.env._("it is finished here, or only an approval moves it on.")
        names = self.env['kam.stage'].search(
            [('process', '=', self._kam_process), ('code', 'in', list(allowed))]).mapped('name')
        return self.env._("from here it can only go to %(stages)s.", stages=", ".join(names))

    def _kam_write_stage(self, stage):
        """The stage write of a move `_kam_move_to` checked (the approval engine's own
        checks still run: gate, withdrawal when moved before the first gate)."""
        return self.with_context(**{STAGE_KEY: CHECKED_MOVE}).write({'stage_id': stage.id})

    # ------------------------------------------------------------------------------------
    # The approval UI, defined once (views/kam_approval_templates.xml)
    # ------------------------------------------------------------------------------------

    @api.model
    def _kam_approval_view_params(self):
        """The approval UI's parameters a process may change: `request_label`, its own
        translated wording of the request button, and `request_invisible`, an extra
        condition (a view expression) hiding it, e.g. when its records need no approval."""
        return {'request_label': False, 'request_invisible': False}

    @api.model
    def _get_view(self, view_id=None, view_type='form', **options):
        """Inject the approval buttons, banner, history button and page into the process's
        form, and its filters into its search view, as OCA's base_tier_validation does.
        Before the post-processing, so Odoo validates, translates (per language: it is
        part of the view cache's key), restricts by groups and caches them with the rest
        of the view. A node the arch already holds is not injected again."""
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type == 'form' and arch.tag == 'form':
            self._kam_inject_approval_form(arch)
        elif view_type == 'search' and arch.tag == 'search':
            self._kam_inject_approval_search(arch)
        return arch, view

    @api.model
    def _kam_approval_snippet(self, template, **params):
        """The nodes of one approval template, rendered in the user's language."""
        return list(etree.fromstring(self.env['ir.qweb']._render(f'kam_key_account.{template}', params)))

    @api.model
    def _kam_inject_approval_form(self, arch):
        header = arch.find('header')
        if header is None:
            header = etree.Element('header')
            arch.insert(0, header)
        if not header.xpath("button[@name='action_approve']"):
            params = self._kam_approval_view_params()
            buttons = self._kam_approval_snippet('kam_approval_form_buttons', **params)
            anchor = arch.xpath(self._kam_approval_buttons_xpath) if self._kam_approval_buttons_xpath else []
            if anchor:
                for node in reversed(buttons):
                    anchor[0].addnext(node)
            else:
                header[0:0] = buttons
        sheet = arch.find('sheet')
        if sheet is None:
            return
        if not arch.xpath("//div[@name='kam_approval_banner']"):
            for node in self._kam_approval_snippet('kam_approval_form_banner'):
                sheet.addprevious(node)
        if not arch.xpath("//button[@name='action_open_approval_history']"):
            box = sheet.find("div[@name='button_box']")
            if box is None:
                box = etree.Element('div', {'class': 'oe_button_box', 'name': 'button_box'})
                sheet.insert(0, box)
            box.extend(self._kam_approval_snippet('kam_approval_form_history_button'))
        if not arch.xpath("//page[@name='kam_approval']"):
            notebook = sheet.find('notebook')
            if notebook is None:
                notebook = etree.SubElement(sheet, 'notebook')
            notebook.extend(self._kam_approval_snippet('kam_approval_form_page'))

    @api.model
    def _kam_inject_approval_search(self, arch):
        if arch.xpath("//filter[@name='to_approve']"):
            return
        filters = self._kam_approval_snippet('kam_approval_search_filters')
        group = arch.find('group')
        if group is not None:
            for node in filters:
                group.addprevious(node)
        else:
            arch.extend(filters)
