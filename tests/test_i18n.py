import re
from pathlib import Path

import polib

from odoo.exceptions import AccessError

from .common import KamCommon

PO = Path(__file__).parents[1] / 'kam_key_account' / 'i18n' / 'zh_CN.po'
POT = PO.with_name('kam_key_account.pot')
PLACEHOLDER = re.compile(r'%\(\w+\)s|%s|%d')


class TestChineseTranslation(KamCommon):

    def test_po_is_complete_and_keeps_placeholders(self):
        po = polib.pofile(str(PO))
        pot_ids = {entry.msgid for entry in polib.pofile(str(POT))}
        self.assertEqual({e.msgid for e in po}, pot_ids, "zh_CN.po and the .pot list the same terms")
        untranslated = [e.msgid for e in po if not e.msgstr]
        self.assertEqual(untranslated, [])
        for entry in po:
            self.assertEqual(sorted(PLACEHOLDER.findall(entry.msgid)), sorted(PLACEHOLDER.findall(entry.msgstr)),
                             entry.msgid)

    def test_terms_and_errors_in_chinese(self):
        self.env['res.lang']._activate_lang('zh_CN')
        self.env['ir.module.module']._load_module_terms(['kam_key_account'], ['zh_CN'], overwrite=True)
        self.assertEqual(self.tier_strategic.with_context(lang='zh_CN').name, '战略大客户')
        self.assertEqual(self.env.ref('kam_key_account.group_kam_general_manager').with_context(lang='zh_CN').name,
                         '总经理')
        self.partner_manager.lang = 'zh_CN'
        with self.assertRaises(AccessError) as cm:
            self.account.with_user(self.partner_manager).with_context(lang='zh_CN').kam_tier_id = self.tier_strategic
        self.assertIn('只有大客户部经理', str(cm.exception))
