"""The suite lives beside the addon, not inside it: give its test classes the module
name and default tags that Odoo gives test classes defined under odoo.addons.<module>."""
import inspect

from odoo.tests.common import BaseCase


def pytest_pycollect_makeitem(collector, name, obj):
    if inspect.isclass(obj) and issubclass(obj, BaseCase) and 'test_tags' not in vars(obj):
        obj.test_tags = getattr(obj, 'test_tags', None) or {'standard', 'at_install'}
        obj.test_module = 'kam_key_account'
