"""Chinese printouts: the risk analysis prints its Chinese text as text, in a CJK font.

An HttpCase: wkhtmltopdf fetches Odoo's CSS from the running server. Needs Debian's
wkhtmltopdf, fonts-noto-cjk and poppler-utils (pdftotext, pdffonts), which .ci/run installs;
without the fonts the Chinese glyphs print as boxes and no CJK font is embedded.
"""
import subprocess
import tempfile
import unicodedata

from odoo.tests import HttpCase


class TestChinesePrintout(HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env['res.lang']._activate_lang('zh_CN')
        cls.env['ir.module.module']._load_module_terms(['kam_key_account'], ['zh_CN'], overwrite=True)
        partner = cls.env['res.partner'].create({'name': '华东精密机械有限公司', 'is_company': True})
        cls.screening = cls.env['kam.screening'].create({
            'partner_id': partner.id, 'annual_sales': 6_000_000,
            'proposed_manager_id': cls.env.ref('base.user_admin').id,
        })

    def _pdf_tool(self, tool, pdf):
        with tempfile.NamedTemporaryFile(suffix='.pdf') as file:
            file.write(pdf)
            file.flush()
            args = [tool, '-enc', 'UTF-8', file.name, '-'] if tool == 'pdftotext' else [tool, file.name]
            return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout

    def test_risk_analysis_prints_chinese_as_text(self):
        report = self.env.ref('kam_key_account.action_report_kam_screening_risk')
        pdf, kind = report.with_context(lang='zh_CN', force_report_rendering=True)._render_qweb_pdf(
            report.report_name, res_ids=self.screening.ids)
        self.assertEqual(kind, 'pdf')
        self.assertTrue(pdf.startswith(b'%PDF'))
        # Noto CJK maps a few glyphs to their radicals (风 → ⻛, 人 → ⼈): NFKC folds some back;
        # the strings checked here have none of those.
        text = unicodedata.normalize('NFKC', self._pdf_tool('pdftotext', pdf))
        self.assertIn('拟定等级', text, "a translated label (Proposed Tier), as text")
        self.assertIn('华东精密机械有限公司', text, "the customer's Chinese name, as text")
        fonts = self._pdf_tool('pdffonts', pdf)
        self.assertRegex(fonts, r'(?i)cjk|wenquanyi|droid ?sans ?fallback|source ?han',
                         "a CJK font is embedded, not boxes")
