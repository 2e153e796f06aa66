{
    'name': 'Key Account Management - Invoicing',
    'version': '19.0.1.0.0',
    'summary': "Key-account sales figures from Odoo's own books: invoiced (or ordered) sales "
               "per month, fiscal year and product, the tier they qualify for, and the candidates",
    'author': 'kam_key_account developers',
    'website': 'https://github.com/kam-key-account/kam_key_account',
    'license': 'LGPL-3',
    'category': 'Sales/CRM',
    'depends': ['kam_key_account', 'account'],
    'data': [
        'security/ir.model.access.csv',
        'views/kam_sales_candidate_views.xml',
        'views/res_partner_views.xml',
        'views/res_config_settings_views.xml',
        'views/kam_menus.xml',
        'security/kam_account_rules.xml',
    ],
    'demo': [
        'demo/kam_account_demo.xml',
    ],
    'assets': {
        'web.assets_tests': [
            'kam_key_account_account/static/tests/tours/**/*',
        ],
    },
    'auto_install': True,
}
