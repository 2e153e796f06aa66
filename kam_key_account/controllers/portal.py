from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers import portal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class KamSuggestionPortal(portal.CustomerPortal):
    """G1, web: "My suggestions" of a key account's contacts (a portal user reads what the
    record rules give them: their account's suggestions; see readme/USAGE.rst)."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if 'kam_suggestion_count' in counters:
            Suggestion = request.env['kam.suggestion']
            values['kam_suggestion_count'] = Suggestion.search_count(
                self._kam_suggestion_domain()) if Suggestion.has_access('read') else 0
        return values

    def _kam_suggestion_domain(self):
        """The suggestions of the user's own account (the record rules decide the rest:
        an employee's list is their own company's, usually empty)."""
        return [('partner_id', '=', request.env.user.commercial_partner_id.id)]

    def _kam_suggestion_sortings(self):
        env = request.env
        return {
            'date': {'label': env._("Newest"), 'order': 'received_date desc, id desc'},
            'name': {'label': env._("Reference"), 'order': 'name desc, id desc'},
            'stage': {'label': env._("Status"), 'order': 'stage_id, id desc'},
        }

    @http.route(['/my/suggestions', '/my/suggestions/page/<int:page>'], type='http', auth='user', website=True)
    def portal_my_kam_suggestions(self, page=1, sortby=None, **kw):
        Suggestion = request.env['kam.suggestion']
        sortings = self._kam_suggestion_sortings()
        if sortby not in sortings:
            sortby = 'date'
        values = self._prepare_portal_layout_values()
        domain = self._kam_suggestion_domain()
        can_read = Suggestion.has_access('read')
        count = Suggestion.search_count(domain) if can_read else 0
        pager = portal_pager(url='/my/suggestions', url_args={'sortby': sortby}, total=count, page=page,
                             step=self._items_per_page)
        suggestions = Suggestion.search(
            domain, order=sortings[sortby]['order'], limit=self._items_per_page,
            offset=pager['offset']) if can_read else Suggestion
        request.session['my_kam_suggestions_history'] = suggestions.ids[:100]
        values.update({
            # sudo: the ids are the user's (rules), the page shows their public fields only.
            'suggestions': suggestions.sudo(),
            'page_name': 'kam_suggestion',
            'pager': pager,
            'default_url': '/my/suggestions',
            'searchbar_sortings': sortings,
            'sortby': sortby,
            'can_submit': bool(Suggestion._kam_portal_account(request.env.user.partner_id)),
        })
        return request.render('kam_key_account.portal_my_kam_suggestions', values)

    @http.route(['/my/suggestions/<int:suggestion_id>'], type='http', auth='public', website=True)
    def portal_my_kam_suggestion(self, suggestion_id, access_token=None, **kw):
        try:
            suggestion_sudo = self._document_check_access('kam.suggestion', suggestion_id, access_token=access_token)
        except (AccessError, MissingError):
            if request.env.user._is_public() and not access_token:
                return request.redirect(f'/web/login?redirect=/my/suggestions/{suggestion_id}')
            return request.not_found()
        values = {
            'suggestion': suggestion_sudo,
            'page_name': 'kam_suggestion',
            'submitted': kw.get('submitted'),
        }
        values = self._get_page_view_values(
            suggestion_sudo, access_token, values, 'my_kam_suggestions_history', False, **kw)
        # The chatter reads and posts through the record's token, whoever opens it: the
        # public messages only (internal notes and subtypes never), as its customer.
        values['token'] = suggestion_sudo._portal_ensure_token()
        return request.render('kam_key_account.portal_my_kam_suggestion', values)

    @http.route(['/my/suggestions/new'], type='http', auth='user', website=True, methods=['GET', 'POST'])
    def portal_my_kam_suggestion_new(self, content=None, category_id=None, **kw):
        Suggestion = request.env['kam.suggestion']
        account = Suggestion._kam_portal_account(request.env.user.partner_id)
        company = account.company_id or request.env.user.company_id
        values = self._prepare_portal_layout_values()
        values.update({
            'page_name': 'kam_suggestion_new',
            'account': account,
            'categories': Suggestion._kam_portal_categories(company) if account else [],
            'content': content or '',
            'category_id': category_id or '',
            'error': False,
        })
        if request.httprequest.method == 'POST':
            try:
                with request.env.cr.savepoint():
                    suggestion = Suggestion._kam_portal_submit(content, category_id=category_id)
            except UserError as error:
                # Nothing is lost: the form comes back with what was typed and why.
                values['error'] = error.args[0]
            else:
                return request.redirect(f'{suggestion.access_url}?submitted=1')
        return request.render('kam_key_account.portal_my_kam_suggestion_new', values)
