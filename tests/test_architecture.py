"""The package layout is the architecture: imports flow one way, from the command line
down to the core, and the grading/analysis/comparison layers never pull in a model stack.

The check reads every import statement of rlvr_audit/ (module level and inside functions,
since a lazy import is still a dependency) without importing anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "rlvr_audit"

# Lower layers first. A module may import its own package and any lower layer; packages of
# one rank are peers and do not import each other.
LAYERS: dict[str, int] = {
    "core": 0,
    "io": 1,
    "benchmarks": 2,
    "templates": 2,
    "store": 3,
    "generation": 4,
    "grading": 4,
    "analysis": 5,
    "comparison": 6,
    "report": 7,
    "workflows": 8,
    "training": 9,
    "cli": 10,
}
# Data packages: anyone may read them, they import nothing.
DATA = {"claims", "prompts"}
# The package root and api.py are the public facade; nothing inside the layers may import them.
FACADE = ("__init__", "__main__", "api")
HEAVY = {"torch", "vllm", "transformers", "trl", "accelerate", "deepspeed"}
LIGHT_LAYERS = {"grading", "analysis", "comparison"}


def _package_of(module: str) -> str | None:
    """'rlvr_audit.grading.engine.pool' -> 'grading'; 'rlvr_audit' -> '__init__'."""
    parts = module.split(".")
    if parts[0] != "rlvr_audit":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path, root: Path) -> list[tuple[int, str, list[str]]]:
    """(line, absolute module, imported names) for every import in one file."""
    rel = path.relative_to(root.parent).with_suffix("")
    here = list(rel.parts)
    if here[-1] == "__init__":
        here = here[:-1]
    else:
        here = here[:-1]  # the package the module sits in
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            out.append((node.lineno, module, [a.name for a in node.names]))
    return out


def find_violations(root: Path) -> list[str]:
    """Every upward, sideways or heavy import under `root` (a tree laid out like rlvr_audit/)."""
    problems = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        source = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        if source in FACADE:
            continue
        for line, module, names in _imports(path, root):
            where = f"{rel}:{line}"
            top = module.split(".")[0]
            if source in LIGHT_LAYERS and top in HEAVY:
                problems.append(f"{where}: {source} imports {module} (grading, analysis and comparison stay light)")
            target = _package_of(module)
            if target is None or target == source:
                continue
            if target == "__init__":
                # `from rlvr_audit import x` reaches the facade, or a subpackage by name
                targets = [n if n in LAYERS or n in DATA else "__init__" for n in names]
            else:
                targets = [target]
            for tgt in targets:
                if tgt == source or tgt in DATA:
                    continue
                if source in DATA:
                    problems.append(f"{where}: data package {source} imports {module}")
                elif tgt not in LAYERS:
                    problems.append(f"{where}: {source} imports the package facade or unknown package ({module})")
                elif source not in LAYERS:
                    problems.append(f"{where}: {source} is not a known layer; add it to LAYERS")
                elif LAYERS[tgt] >= LAYERS[source]:
                    kind = "a peer" if LAYERS[tgt] == LAYERS[source] else "an upper layer"
                    problems.append(f"{where}: {source} (rank {LAYERS[source]}) imports {kind}, {module}")
    return problems


def test_imports_flow_downward_and_light_layers_stay_light():
    assert find_violations(PACKAGE_ROOT) == []


def test_every_package_has_a_layer():
    packages = {p.name for p in PACKAGE_ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in PACKAGE_ROOT.glob("*.py")} - set(FACADE)
    assert (packages | modules) - DATA - set(LAYERS) == set()


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "rlvr_audit"
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"store/run.py": "from rlvr_audit.core.types import Problem\n"}, []),
        ({"store/run.py": "from rlvr_audit.analysis.grid import compute_grid\n"}, ["store/run.py:1"]),
        ({"grading/x.py": "def f():\n    from rlvr_audit.cli import app\n"}, ["grading/x.py:2"]),
        ({"grading/x.py": "import torch\n"}, ["grading/x.py:1"]),
        ({"analysis/x.py": "def f():\n    from transformers import AutoModel\n"}, ["analysis/x.py:2"]),
        ({"grading/x.py": "from rlvr_audit.generation import runner\n"}, ["grading/x.py:1"]),  # peers
        ({"core/x.py": "from rlvr_audit import __version__\n"}, ["core/x.py:1"]),  # the facade
        ({"analysis/grid.py": "from .. import report\n"}, ["analysis/grid.py:1"]),  # relative, upward
        ({"analysis/grid.py": "from . import stats\n"}, []),
        ({"cli/app.py": "import torch\nfrom rlvr_audit.training.run import run_train\n"}, []),
    ],
)
def test_the_checker_catches_what_it_should(tmp_path, files, expected):
    found = find_violations(_tree(tmp_path, files))
    assert [v.split(": ")[0] for v in found] == expected


def test_test_module_basenames_are_unique():
    # tests/ has no __init__.py files, so pytest imports each test module by its basename:
    # two test_x.py in different folders abort collection of the whole suite.
    tests_root = Path(__file__).resolve().parent
    seen: dict[str, Path] = {}
    clashes = []
    for path in sorted(tests_root.rglob("test_*.py")):
        if path.name in seen:
            clashes.append(f"{seen[path.name].relative_to(tests_root)} vs {path.relative_to(tests_root)}")
        seen.setdefault(path.name, path)
    assert not clashes, "rename one of each pair: " + "; ".join(clashes)
