"""The bridge ships its own Simplified Chinese: every term of its template is translated."""
import pathlib

import polib

I18N = pathlib.Path(__file__).resolve().parent.parent / 'kam_key_account_account' / 'i18n'


def test_zh_cn_translates_every_term():
    template = polib.pofile(str(I18N / 'kam_key_account_account.pot'))
    translated = {entry.msgid for entry in polib.pofile(str(I18N / 'zh_CN.po')) if entry.msgstr}
    missing = [entry.msgid for entry in template if entry.msgid not in translated]
    assert not missing, f"untranslated in zh_CN.po: {missing}"
