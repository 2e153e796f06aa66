{
    'name': 'KAM Bench: OCA tier validation baseline',
    'version': '19.0.1.0.0',
    'summary': 'Bench-only: a mail.thread + tier.validation model with two one-reviewer tiers, '
               'the OCA baseline of `make bench` (never shipped, never a dependency)',
    'author': 'kam_key_account developers',
    'website': 'https://github.com/kam-key-account/kam_key_account',
    # Bench tooling only: it links OCA base_tier_validation (AGPL-3) and is never packaged.
    'license': 'AGPL-3',
    'category': 'Hidden',
    'depends': ['mail', 'base_tier_validation'],
    'data': [
        'security/ir.model.access.csv',
        'data/kam_bench_tier_data.xml',
    ],
    'installable': True,
}
