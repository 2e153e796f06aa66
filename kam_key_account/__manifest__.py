{
    'name': 'Key Account Management',
    'version': '19.0.1.0.0',
    'summary': 'Key-account tiers, dedicated managers and the key-account processes '
               '(screening, visits, suggestions, development plans, service requests)',
    'description': """
Key-account management (大客户营销) on top of CRM, Calendar and Discuss:
key-account tiers and a dedicated manager per account, the account profile
(operating figures, sales profile, decision makers) and the key-account processes
with kanban pipelines, chatter, activities and approval chains.
""",
    'author': 'kam_key_account developers',
    'website': 'https://github.com/kam-key-account/kam_key_account',
    'license': 'LGPL-3',
    'category': 'Sales/CRM',
    'depends': ['base', 'mail', 'contacts', 'sales_team', 'crm', 'calendar', 'utm', 'web'],
    'data': [
        'security/kam_groups.xml',
        'security/ir.model.access.csv',
        'data/kam_tier_data.xml',
        'data/kam_classification_data.xml',
        'data/kam_approval_data.xml',
        'data/kam_screening_data.xml',
        'data/kam_visit_data.xml',
        'wizard/kam_approval_wizard_views.xml',
        'views/kam_contact_note_views.xml',
        'views/kam_stage_views.xml',
        'views/kam_approval_views.xml',
        'views/kam_screening_views.xml',
        'views/kam_visit_views.xml',
        'views/res_partner_views.xml',
        'views/kam_tier_views.xml',
        'views/kam_classification_views.xml',
        'views/kam_account_figure_views.xml',
        'views/crm_lead_views.xml',
        'report/kam_screening_report.xml',
        'report/kam_visit_report.xml',
        'views/kam_menus.xml',
        'security/kam_rules.xml',
    ],
    'demo': [
        'demo/kam_demo.xml',
    ],
    'assets': {
        'web.assets_tests': [
            'kam_key_account/static/tests/tours/**/*',
        ],
    },
    'pre_init_hook': '_pre_init_kam_partner_columns',
    'application': True,
    'installable': True,
}
