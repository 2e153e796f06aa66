"""Chinese everywhere at runtime: a zh_CN user who opens each of our menus reads no English
label of ours, whether it comes from a view, a field, a selection or a runtime computation."""
import re
from pathlib import Path

import polib
from lxml import etree

from odoo.tests import new_test_user

from .common import KamCommon

PO = Path(__file__).parents[1] / 'kam_key_account' / 'i18n' / 'zh_CN.po'
TEXT_ATTRIBUTES = ('string', 'placeholder', 'help', 'title', 'confirm', 'aria-label', 'sum')
CJK = re.compile(r'[\u4e00-\u9fff]')


class TestChineseAtRuntime(KamCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        modules = cls.env['ir.module.module'].search([('state', '=', 'installed')]).mapped('name')
        cls.env['res.lang']._activate_lang('zh_CN')
        cls.env['ir.module.module']._load_module_terms(modules, ['zh_CN'], overwrite=True)
        cls.chinese_gm = new_test_user(
            cls.env, login='kam_t_zh_gm', groups='kam_key_account.group_kam_general_manager',
            name='王总', lang='zh_CN', tz='Asia/Shanghai')
        # Our English terms: a label is ours when its English text is one of our msgids
        # (those Chinese writes the same way, such as "ID", excepted).
        cls.ours = {entry.msgid for entry in polib.pofile(str(PO))
                    if re.search(r'[A-Za-z]', entry.msgid) and entry.msgstr != entry.msgid}

    def _english_left(self, texts):
        return sorted({text for text in texts if text in self.ours and not CJK.search(text)})

    @staticmethod
    def _arch_texts(arch):
        texts = []
        for node in etree.fromstring(arch).iter():
            texts += [node.get(attribute) for attribute in TEXT_ATTRIBUTES if node.get(attribute)]
            texts += [text.strip() for text in (node.text, node.tail) if text and text.strip()]
        return texts

    def _our_menus(self):
        data = self.env['ir.model.data'].search([('module', '=', 'kam_key_account'), ('model', '=', 'ir.ui.menu')])
        return self.env['ir.ui.menu'].browse(data.mapped('res_id')).with_user(self.chinese_gm).with_context(
            lang='zh_CN')

    def test_menus_actions_and_views_read_in_chinese(self):
        env = self.env(user=self.chinese_gm, context={'lang': 'zh_CN'})
        menus = self._our_menus()
        self.assertGreater(len(menus), 10)
        findings = {}
        for menu in menus:
            texts = [menu.name]
            action = menu.action
            if action and action._name == 'ir.actions.act_window':
                # The web client loads actions with the server's rights (/web/action/load).
                action = env['ir.actions.act_window'].sudo().browse(action.id)
                texts += [action.name, *(self._arch_texts(f'<div>{action.help}</div>') if action.help else [])]
                model = env[action.res_model]
                modes = [mode for mode in action.view_mode.split(',') if mode != 'activity'] + ['search']
                views = model.get_views([(False, mode) for mode in modes], {'toolbar': True})
                for view in views['views'].values():
                    texts += self._arch_texts(view['arch'])
                    for item in view.get('toolbar', {}).get('print', []) + view.get('toolbar', {}).get('action', []):
                        texts.append(item.get('name'))
                for model_name in views['models']:
                    fields = env[model_name]._fields
                    for name, description in env[model_name].fields_get(
                            attributes=['string', 'help', 'selection']).items():
                        if fields[name]._module != 'kam_key_account':
                            continue  # another module's field and its translation
                        texts += [description.get('string'), description.get('help')]
                        texts += [label for _value, label in description.get('selection') or []]
            left = self._english_left(filter(None, texts))
            if left:
                findings[menu.complete_name] = left
        self.maxDiff = None
        self.assertEqual(findings, {}, "English labels of ours shown to a zh_CN user, per menu")

    def test_activity_states_read_in_chinese_on_our_models(self):
        # mail's .po names only the models mail knows: ours get the mixin's labels.
        for model in ('kam.visit', 'kam.screening', 'kam.service.request'):
            with self.subTest(model=model):
                labels = dict(self.env[model].with_context(lang='zh_CN').fields_get(
                    ['activity_state'], ['selection'])['activity_state']['selection'])
                expected = dict(self.env['mail.activity.mixin'].with_context(lang='zh_CN').fields_get(
                    ['activity_state'], ['selection'])['activity_state']['selection'])
                self.assertEqual(labels['overdue'], expected['overdue'])
                self.assertTrue(CJK.search(labels['overdue']), labels)
                self.assertTrue(CJK.search(labels['planned']), labels)

    def test_approval_chain_models_read_in_chinese(self):
        # The chain's model selection names each process by its translated ir.model name
        # (a model's _description is always English), for the list, the form and the filters.
        chain = self.env['kam.approval.chain'].with_user(self.chinese_gm).with_context(lang='zh_CN')
        labels = dict(chain.fields_get(['model'], ['selection'])['model']['selection'])
        self.assertIn('kam.screening', labels)
        names = {model.model: model.name for model in self.env['ir.model'].with_context(lang='zh_CN').search(
            [('model', 'in', list(labels))])}
        self.assertEqual(labels, names)
        self.assertEqual(self._english_left(labels.values()), [])
        self.assertTrue(all(CJK.search(label) for label in labels.values()), labels)
