#!/usr/bin/env python
"""Regenerate the example tables and numbers of README.md ("What it shows") from
../shared/data, by running the tool itself.

Each generated block sits in README.md between `<!-- readme-tables:NAME -->` and
`<!-- /readme-tables:NAME -->`. Blocks:

- grade: `rlvr-audit grade ../shared/data/real-outputs/*.jsonl.gz --group-by run` (excerpt);
- claim: `rlvr-audit compare --claim spurious-rewards`;
- two-runs: the base-model prompt variants vs 7B-eval-offRLVR-20, imported and compared.

Usage: python scripts/readme_tables.py [--section NAME ...] [--write | --check] [--data DIR]
Without --write or --check the blocks are printed. --check exits 1 when README.md differs.
The grade block grades 14,800 completions with every profile: minutes on a cold cache.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DEFAULT_DATA = ROOT.parent / "shared" / "data"

# The README shows an excerpt of the grade table: these groups, in this order.
GRADE_EXCERPT = (
    "7B-eval-promptoriginal",
    "7B-eval-promptnobox",
    "7B-eval-to",
    "7B-eval-pi1-stopwords",
    "7B-eval-offRLVR-20",
    "1.5B-eval-promptnobox",
    "cs336_dlk/qwen2.5-math-1.5b/math500_hf",  # the R1 template
    "qwen25math/math_cot_100",  # 8 samples per problem
)
# The same base model, two prompts, one profile: the sentence under the grade table.
PROMPT_SPREAD = ("7B-eval-promptoriginal", "7B-eval-pi1-stopwords", "qwen25-math")

# The two-runs example, as tests/comparison/test_compare_real.py runs it.
TWO_RUNS = ("7B-eval-promptoriginal", "7B-eval-to", "7B-eval-pi1-stopwords", "7B-eval-promptnobox")
TRAINED_RUN = "7B-eval-offRLVR-20"
TWO_RUNS_PROFILE = "qwen25-math"


def _cli(args: list[str]) -> str:
    """Run `rlvr-audit ARGS` in-process; its stdout. Raises when it fails."""
    from rlvr_audit.cli.app import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        rc = main(args)
    if rc != 0:
        raise SystemExit(f"rlvr-audit {' '.join(args)} exited {rc}")
    return out.getvalue()


def grade_block(data: Path, work: Path) -> str:
    """The accuracy table of `grade --group-by run` over the real outputs, and the sentence on
    how far the prompt alone moves the 7B base model."""
    files = sorted(str(p) for p in _real_outputs(data).glob("*.jsonl.gz"))
    rows = json.loads(_cli(["grade", *files, "--group-by", "run", "--json", "--out", str(work / "grades")]))["rows"]
    profiles = list(dict.fromkeys(r["profile"] for r in rows))
    acc = {(r["group"], r["profile"]): r["accuracy"] for r in rows}
    lines = ["| run | " + " | ".join(profiles) + " |", "|---|" + "---|" * len(profiles)]
    for group in GRADE_EXCERPT:
        lines.append(f"| {group} | " + " | ".join(f"{acc[(group, p)]:.1f}" for p in profiles) + " |")
    low, high, profile = PROMPT_SPREAD
    lines += [
        "",
        f"The same base model (Qwen2.5-Math-7B) moves from {acc[(low, profile)]:.1f}% to "
        f"{acc[(high, profile)]:.1f}% under {profile} with the prompt alone.",
    ]
    return "\n".join(lines)


def claim_block(data: Path, work: Path) -> str:
    """`compare --claim spurious-rewards` as Markdown (table and caption)."""
    md = work / "claim.md"
    _cli(["compare", "--claim", "spurious-rewards", "--markdown", str(md)])
    text = md.read_text(encoding="utf-8").strip()
    return text.split("\n", 2)[2] if text.startswith("**") else text  # the README has its own heading


def two_runs_block(data: Path, work: Path) -> str:
    """The base-model prompt variants vs the offline-RLVR checkpoint: claimed and adjusted
    gain with CIs, and the verdict, as one sentence."""
    source = _real_outputs(data) / "qwen25-math-7b_math500.jsonl.gz"
    keep = (*TWO_RUNS, TRAINED_RUN)
    with gzip.open(source, "rt", encoding="utf-8") as fh:
        subset = [line for line in fh if json.loads(line)["run"] in keep]
    (work / "subset.jsonl").write_text("".join(subset), encoding="utf-8")
    runs = work / "runs"
    _cli(
        ["import", str(work / "subset.jsonl"), "--group-by", "run", "--template-field", "run"]
        + ["--model-field", "model", "--group", "*offRLVR*=trained", "--group", "*=base", "--benchmark", "math500"]
        + ["--rename-template", f"{TRAINED_RUN}={TWO_RUNS[0]}", "--profile", TWO_RUNS_PROFILE]
        + ["--out", str(runs), "--no-progress"]
    )
    cmp = work / "cmp.json"
    _cli(
        ["compare", str(runs / "base"), str(runs / "trained"), "--as-claimed", f"{TWO_RUNS[0]}:{TWO_RUNS_PROFILE}"]
        + ["--n-boot", "1000", "--json", str(cmp)]
    )
    t = json.loads(cmp.read_text(encoding="utf-8"))["trained"][0]
    c, a = t["claimed"], t["adjusted"]
    return (
        f"On the real outputs, `{TRAINED_RUN}` against {len(TWO_RUNS)} base-model prompt variants "
        f"(all 500 problems, {TWO_RUNS_PROFILE}, `--n-boot 1000`): claimed {_pts(c['gain'])} "
        f"[{_pts(c['low'])}, {_pts(c['high'])}], adjusted {_pts(a['gain'])} [{_pts(a['low'])}, {_pts(a['high'])}], "
        f"verdict *{t['verdict']}*."
    )


def _real_outputs(data: Path) -> Path:
    folder = data / "real-outputs"
    if not folder.is_dir():
        raise SystemExit(f"{folder} is absent: the README's examples are made from ../shared/data")
    return folder


def _pts(x: float) -> str:
    return f"{x:+.1f}".replace("-", "−")


BLOCKS: dict[str, Callable[[Path, Path], str]] = {
    "grade": grade_block,
    "claim": claim_block,
    "two-runs": two_runs_block,
}


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- readme-tables:{name} -->", f"<!-- /readme-tables:{name} -->"


def _pattern(name: str) -> re.Pattern[str]:
    start, end = (re.escape(m) for m in _markers(name))
    return re.compile(rf"{start}\n(.*?)\n?{end}", re.S)


def current_block(readme: str, name: str) -> str:
    """The text between block `name`'s markers in `readme`; KeyError when they are missing."""
    match = _pattern(name).search(readme)
    if match is None:
        raise KeyError(f"README.md has no <!-- readme-tables:{name} --> ... <!-- /readme-tables:{name} --> markers")
    return match.group(1)


def replace_block(readme: str, name: str, text: str) -> str:
    """`readme` with block `name` replaced by `text`."""
    current_block(readme, name)
    start, end = _markers(name)
    return _pattern(name).sub(lambda _: f"{start}\n{text}\n{end}", readme, count=1)


def render(names: list[str], data: Path) -> dict[str, str]:
    """Block name -> its regenerated text."""
    with tempfile.TemporaryDirectory() as tmp:
        out = {}
        for name in names:
            (Path(tmp) / name).mkdir()
            out[name] = BLOCKS[name](data, Path(tmp) / name)
        return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--section", action="append", choices=list(BLOCKS), help="only these blocks (repeat)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--write", action="store_true", help="replace the blocks in README.md")
    mode.add_argument("--check", action="store_true", help="exit 1 when README.md differs")
    args = parser.parse_args(argv)
    blocks = render(args.section or list(BLOCKS), args.data)
    readme = README.read_text(encoding="utf-8")
    if args.check:
        stale = [name for name, text in blocks.items() if current_block(readme, name) != text]
        for name in stale:
            print(f"README.md block '{name}' differs from the tool; run: python scripts/readme_tables.py --write")
        return 1 if stale else 0
    if args.write:
        for name, text in blocks.items():
            readme = replace_block(readme, name, text)
        README.write_text(readme, encoding="utf-8")
        return 0
    for name, text in blocks.items():
        print(f"<!-- readme-tables:{name} -->\n{text}\n<!-- /readme-tables:{name} -->\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
