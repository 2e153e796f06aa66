"""`make dist` builds a wheel that installs the addon where Odoo looks for it."""
import os
import pathlib
import subprocess
import venv

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_wheels_install_the_addons(tmp_path):
    dist = tmp_path / 'dist'
    build = subprocess.run(['bash', str(ROOT / 'tools' / 'kam.sh'), 'dist', str(dist)],
                           capture_output=True, text=True, timeout=600, check=False)
    assert build.returncode == 0, build.stderr
    wheels = list(dist.glob('odoo_addon_kam_key_account-19.0.*-py3-none-any.whl'))
    bridge_wheels = list(dist.glob('odoo_addon_kam_key_account_account-19.0.*-py3-none-any.whl'))
    assert len(wheels) == 1 and len(bridge_wheels) == 1, build.stderr

    target = tmp_path / 'venv'
    venv.create(target, with_pip=True)
    python = target / 'bin' / 'python'
    environ = {key: value for key, value in os.environ.items() if key != 'PYTHONPATH'}
    subprocess.run([str(python), '-m', 'pip', 'install', '-q', '--no-deps', '--disable-pip-version-check',
                    str(wheels[0]), str(bridge_wheels[0])], check=True, env=environ, timeout=300)
    site = subprocess.run([str(python), '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
                          capture_output=True, text=True, check=True, env=environ).stdout.strip()
    addon = pathlib.Path(site) / 'odoo' / 'addons' / 'kam_key_account'
    assert (addon / '__manifest__.py').is_file()
    assert (addon / 'README.rst').is_file()
    assert (addon / 'static' / 'description' / 'icon.png').is_file()
    bridge = addon.parent / 'kam_key_account_account'
    assert (bridge / '__manifest__.py').is_file()
    assert (bridge / 'README.rst').is_file()
    assert (bridge / 'i18n' / 'zh_CN.po').is_file()
