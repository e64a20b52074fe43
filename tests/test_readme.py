"""README.md's example tables and numbers are what scripts/readme_tables.py makes from
../shared/data with the tool itself (run `python scripts/readme_tables.py --write` after a
change that moves them)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "readme_tables.py"


@pytest.fixture(scope="module")
def readme_tables():
    spec = importlib.util.spec_from_file_location("readme_tables", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["readme_tables"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("readme_tables", None)


def _check(readme_tables, name: str, data: Path) -> None:
    readme = readme_tables.README.read_text(encoding="utf-8")
    expected = readme_tables.render([name], data)[name]
    assert readme_tables.current_block(readme, name) == expected, (
        f"README.md block '{name}' differs from the tool: python scripts/readme_tables.py --write --section {name}"
    )


def test_claim_block(readme_tables, tmp_path):
    _check(readme_tables, "claim", tmp_path)  # made from the claims registry alone


@pytest.mark.shared
@pytest.mark.slow
def test_two_runs_block(readme_tables, shared_data):
    _check(readme_tables, "two-runs", shared_data)


@pytest.mark.shared
@pytest.mark.slow
def test_grade_block(readme_tables, shared_data):
    _check(readme_tables, "grade", shared_data)  # grades 14,800 completions: minutes on a cold cache


def test_replace_block_keeps_the_rest(readme_tables):
    text = "a\n<!-- readme-tables:x -->\nold\n<!-- /readme-tables:x -->\nb\n"
    assert (
        readme_tables.replace_block(text, "x", "new")
        == "a\n<!-- readme-tables:x -->\nnew\n<!-- /readme-tables:x -->\nb\n"
    )
    with pytest.raises(KeyError):
        readme_tables.current_block(text, "y")
