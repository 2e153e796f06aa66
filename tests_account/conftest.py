"""The bridge's suite runs on its own database (with account and sale), beside the addon:
give its test classes the bridge's module name and Odoo's default tags, as tests/conftest.py
does for the core."""
import inspect

from odoo.tests.common import BaseCase


def pytest_pycollect_makeitem(collector, name, obj):
    if inspect.isclass(obj) and issubclass(obj, BaseCase) and 'test_tags' not in vars(obj):
        obj.test_tags = getattr(obj, 'test_tags', None) or {'standard', 'at_install'}
        obj.test_module = 'kam_key_account_account'
