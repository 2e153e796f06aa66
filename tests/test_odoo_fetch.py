"""`make run` and `make test` get Odoo themselves when it is nowhere to be found.

The driver (tools/kam.sh) is run against a local bare repository holding a tiny fake tree
with an Odoo 19.0 `release.py`: enough for the detection and clone logic, no network.
"""
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
RELEASE_19 = "version_info = (19, 0, 0, 'final', 0, '')\n"


def git(cwd, *args):
    return subprocess.run(['git', '-C', str(cwd), *args], check=True, capture_output=True, text=True).stdout.strip()


def fake_odoo_repository(path, release=RELEASE_19):
    """A bare repository whose branch 19.0 holds odoo/release.py."""
    work = path / 'work'
    (work / 'odoo').mkdir(parents=True)
    (work / 'odoo' / 'release.py').write_text(release)
    git(work, 'init', '-q', '-b', '19.0')
    git(work, 'add', '-A')
    git(work, '-c', 'user.name=kam', '-c', 'user.email=kam@example.com', 'commit', '-qm', 'fake odoo')
    bare = path / 'odoo.git'
    subprocess.run(['git', 'clone', '-q', '--bare', str(work), str(bare)], check=True)
    return bare, git(work, 'rev-parse', 'HEAD')


def locate_odoo(state, **env):
    """`tools/kam.sh odoo` on a machine without Odoo: no ODOO_SRC, nothing importable, no /opt/odoo."""
    environ = {key: value for key, value in os.environ.items()
               if key not in ('ODOO_SRC', 'PYTHONPATH', 'ODOO_REPO', 'ODOO_REF')}
    environ.update(KAM_STATE_DIR=str(state), KAM_SYSTEM_ODOO=str(state / 'no-system-odoo'), **env)
    return subprocess.run(['bash', str(ROOT / 'tools' / 'kam.sh'), 'odoo'], env=environ,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def repository(tmp_path):
    return fake_odoo_repository(tmp_path)


def test_clones_odoo_once_and_reuses_the_clone(tmp_path, repository):
    bare, _commit = repository
    state = tmp_path / 'state'
    first = locate_odoo(state, ODOO_REPO=f'file://{bare}')
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == str(state / 'odoo')
    assert (state / 'odoo' / 'odoo' / 'release.py').read_text() == RELEASE_19
    assert 'cloning' in first.stderr and 'about 1 GB' in first.stderr
    assert not (state / 'odoo.partial').exists()

    second = locate_odoo(state, ODOO_REPO=f'file://{bare}')
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == str(state / 'odoo')
    assert 'cloning' not in second.stderr, "a second run reuses the clone"


def test_odoo_ref_pins_a_commit(tmp_path, repository):
    bare, commit = repository
    state = tmp_path / 'state'
    result = locate_odoo(state, ODOO_REPO=str(bare), ODOO_REF=commit)
    assert result.returncode == 0, result.stderr
    assert git(state / 'odoo', 'rev-parse', 'HEAD') == commit


def test_failed_fetch_stops_with_the_manual_ways_and_leaves_nothing(tmp_path):
    state = tmp_path / 'state'
    result = locate_odoo(state, ODOO_REPO=str(tmp_path / 'missing.git'))
    assert result.returncode != 0
    for way in ('export ODOO_SRC=', "make the 'odoo' package importable", '/opt/odoo', 'ODOO_REPO'):
        assert way in result.stderr
    assert not (state / 'odoo').exists()
    assert not (state / 'odoo.partial').exists()


def test_a_tree_that_is_not_odoo_19_is_not_kept(tmp_path):
    bare, _commit = fake_odoo_repository(tmp_path, release="version_info = (18, 0, 0, 'final', 0, '')\n")
    state = tmp_path / 'state'
    result = locate_odoo(state, ODOO_REPO=str(bare))
    assert result.returncode != 0
    assert not (state / 'odoo').exists() and not (state / 'odoo.partial').exists()


def test_a_half_clone_is_never_trusted(tmp_path, repository):
    bare, _commit = repository
    state = tmp_path / 'state'
    # What an interrupted run leaves: a tree without the stamp of a finished clone.
    for leftover in ('odoo', 'odoo.partial'):
        (state / leftover / 'odoo').mkdir(parents=True)
        (state / leftover / 'odoo' / 'release.py').write_text(RELEASE_19)
    result = locate_odoo(state, ODOO_REPO=str(bare))
    assert result.returncode == 0, result.stderr
    assert 'cloning' in result.stderr
    assert (state / 'odoo' / '.git').is_dir()
    assert not (state / 'odoo.partial').exists()
