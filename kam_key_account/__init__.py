from odoo.tools.sql import column_exists, create_column

from . import controllers, models, wizard


def _pre_init_kam_partner_columns(env):
    """Create the key-account columns of res_partner before the ORM sees the fields.

    On a database with many partners the ORM would otherwise fill each new stored
    column for every partner. NULL reads and searches as False for a boolean, so a
    column created here needs no pass over the table at all.
    """
    if not column_exists(env.cr, 'res_partner', 'kam_is_key_account'):
        create_column(env.cr, 'res_partner', 'kam_is_key_account', 'boolean')
