"""Grading profiles from other installed packages (entry-point group `rlvr_audit.profiles`).

The good plug-in is a real package, built and installed with pip into a temporary
directory; the broken ones are a hand-written dist-info (what pip would leave behind),
since only the registry's handling of them is under test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from rlvr_audit.core.errors import AuditError
from rlvr_audit.grading import registry
from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.engine.pool import _as_profiles, grade_many, shutdown_pool

BUILTINS = list(registry.DEFAULT_PROFILES)

SHOUT_MODULE = """
from rlvr_audit.grading.base import Extraction, Profile


class ShoutProfile(Profile):
    name = "shout"
    harness = "a test plug-in"
    description = "the last line, upper-cased, equals the gold upper-cased"

    def extract(self, completion):
        lines = completion.strip().splitlines()
        return Extraction(lines[-1].upper() if lines else None, bool(lines))

    def judge(self, extracted, gold):
        return extracted == gold.upper()


SHOUT = ShoutProfile()
"""

SHOUT_PYPROJECT = """
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "rlvr-shout"
version = "0.1"

[project.entry-points."rlvr_audit.profiles"]
shout = "rlvr_shout:SHOUT"

[tool.setuptools]
py-modules = ["rlvr_shout"]
"""


@pytest.fixture(scope="module")
def shout_site(tmp_path_factory) -> Path:
    """A site directory holding the installed `rlvr-shout` package."""
    root = tmp_path_factory.mktemp("plugin")
    package, site = root / "rlvr-shout", root / "site"
    package.mkdir()
    (package / "pyproject.toml").write_text(SHOUT_PYPROJECT, encoding="utf-8")
    (package / "rlvr_shout.py").write_text(SHOUT_MODULE, encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    pip += ["--no-deps", "--no-build-isolation", "--no-index", "--target", str(site), str(package)]
    proc = subprocess.run(pip, capture_output=True, text=True, timeout=300, cwd=root)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return site


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory) -> Path:
    """A site directory with a package `rlvr-broken` whose plug-ins are all wrong."""
    site = tmp_path_factory.mktemp("broken-site")
    (site / "rlvr_broken.py").write_text(
        SHOUT_MODULE + "\nNOT_A_PROFILE = 42\nMISNAMED = ShoutProfile()\n", encoding="utf-8"
    )
    info = site / "rlvr_broken-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: rlvr-broken\nVersion: 0.1\n", encoding="utf-8")
    entry_points = """
        [rlvr_audit.profiles]
        hendrycks = rlvr_broken:SHOUT
        not-a-profile = rlvr_broken:NOT_A_PROFILE
        a-class = rlvr_broken:ShoutProfile
        missing = rlvr_broken_nowhere:SHOUT
        misnamed = rlvr_broken:MISNAMED
    """
    (info / "entry_points.txt").write_text(textwrap.dedent(entry_points), encoding="utf-8")
    return site


def _use_site(site: Path, monkeypatch) -> None:
    """Put `site` on this process's path and on its workers' path, and forget what the
    registry and the warm pool knew."""
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])))
    _forget()


def _forget() -> None:
    registry._plugins.cache_clear()
    registry.get_profile.cache_clear()
    shutdown_pool()  # warm workers started before this test cannot see the new site


@pytest.fixture
def with_shout(shout_site, monkeypatch):
    _use_site(shout_site, monkeypatch)
    yield
    _forget()


@pytest.fixture
def with_broken(broken_site, monkeypatch):
    _use_site(broken_site, monkeypatch)
    yield
    _forget()


REQUESTS = [GradeRequest("work\nyes", "YES"), GradeRequest("work\nno", "yes"), GradeRequest("", "yes")]
EXPECTED = ["correct", "incorrect", "no_answer"]


def test_plugins_are_listed_after_the_builtins(with_shout):
    assert registry.profile_names() == BUILTINS + ["shout"]
    assert registry.resolve_profiles("all")[-1] == "shout"
    assert registry.resolve_profiles("shout,dapo") == ["shout", "dapo"]
    assert [p.name for p in registry.list_profiles()][-1] == "shout"


def test_plugin_grades_directly_and_in_the_pool(with_shout):
    profile = registry.get_profile("shout")
    assert [profile.grade_local(r).status for r in REQUESTS] == EXPECTED
    assert _as_profiles(["shout"])[1] == {"shout": "shout"}  # workers load it by name
    for workers in (0, 2):
        batch = grade_many(REQUESTS, ["shout", "dapo"], workers=workers, timeout=30.0, progress=False)
        assert [row["shout"].status for row in batch.grades] == EXPECTED, workers
        assert batch.stats.errors == 0, [row["shout"].detail for row in batch.grades]


def test_list_profiles_shows_plugins(with_shout, capsys):
    import json

    from rlvr_audit.cli.app import main

    assert main(["list", "profiles", "--json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["shout"]["harness"] == "a test plug-in"
    assert list(rows)[: len(BUILTINS)] == BUILTINS


def test_plugin_cannot_take_a_builtin_name(with_broken):
    with pytest.warns(registry.ProfilePluginWarning, match="'rlvr-broken' is ignored: a built-in"):
        names = registry.profile_names()
    assert names.count("hendrycks") == 1
    assert type(registry.get_profile("hendrycks")).__module__.startswith("rlvr_audit.")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("not-a-profile", "is a int, not a rlvr_audit Profile"),
        ("a-class", "is the class ShoutProfile, not an instance"),
        ("missing", "cannot be loaded .ModuleNotFoundError"),
        ("misnamed", "is named 'shout'"),
    ],
)
def test_broken_plugin_is_an_audit_error_naming_its_package(with_broken, name, message):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", registry.ProfilePluginWarning)
        with pytest.raises(AuditError, match=message) as info:
            registry.get_profile(name)
        assert "'rlvr-broken'" in str(info.value) and info.value.fix
        with pytest.raises(AuditError, match="rlvr-broken"):
            grade_many(REQUESTS, [name], workers=0, progress=False)
        assert registry.get_profile("dapo").name == "dapo"  # built-ins are unaffected


def test_unknown_profile_error_lists_plugins(with_shout):
    with pytest.raises(AuditError, match="shout"):
        registry.get_profile("nope")
