"""Benchmark registry and loaders.

A benchmark is a named, versioned set of Problems, read from the HF hub at a pinned
revision, from a local file (`--data-file`: JSONL, JSONL.gz, JSON or Parquet), or generated
offline from a seed (`random-calculation[:n=N,steps=A-B,operands=A-B,seed=S]`). Its
`identity` (name, size, content hash; plus the generator and its params for a generated
one) goes into every run manifest, because papers disagree on what a name means (e.g.
"AMC" is 40 or 83 problems).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlvr_audit.benchmarks.generated import GENERATORS, base_name, describe_generated, generated_rows
from rlvr_audit.benchmarks.generated import is_generated as is_generated
from rlvr_audit.benchmarks.generated import parse_generated as parse_generated
from rlvr_audit.benchmarks.rows import resolve_fields, rows_to_problems
from rlvr_audit.benchmarks.sources import load_hub_rows, read_rows
from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Problem, stable_hash


@dataclass(frozen=True)
class BenchmarkSpec:
    """Where a named benchmark lives and how its fields map to Problem fields."""

    name: str
    hub_id: str
    revision: str
    split: str
    size: int
    fields: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    config: str | None = None
    # Minerva ships worked solutions only: the gold is the last \boxed{} of the solution.
    answer_from_solution: bool = False
    description: str = ""
    notes: str = ""
    revision_note: str = ""


_UNPINNED = "pinned to 'main': the full commit id could not be confirmed offline; pin it"

# The registry, as tables keyed by benchmark name.
# Where each benchmark lives on the hub: (hub id, pinned revision, split, size), and the
# dataset config of those that need one.
_HUB: dict[str, tuple[str, str, str, int]] = {
    "math500": ("HuggingFaceH4/MATH-500", "ff5b20257d8185524591543f8ff5993951537bb8", "test", 500),
    "aime24": ("HuggingFaceH4/aime_2024", "2fe88a2f1091d5048c0f36abc874fb997b3dd99a", "train", 30),
    "amc23": ("math-ai/amc23", "main", "test", 40),
    "amc": ("AI-MO/aimo-validation-amc", "69d78a4a2c840e82d69af6bc742bda09005f6316", "train", 83),
    "minerva": ("math-ai/minervamath", "main", "test", 272),
    "olympiadbench": ("Hothan/OlympiadBench", "3b426ee1d587c71b495146dde9f3e995ee7ac59f", "train", 675),
    "gsm8k": ("openai/gsm8k", "e53f048856ff4f594e959d75785d2c2d37b678ee", "test", 1319),
}
_CONFIGS = {"olympiadbench": "OE_TO_maths_en_COMP", "gsm8k": "main"}

# Which columns hold each Problem role (Minerva: the gold comes from the solution when
# its copy has no answer column).
_COLUMNS: dict[str, dict[str, str]] = {
    "math500": {"question": "problem", "answer": "answer", "solution": "solution", "id": "unique_id"},
    "aime24": {"question": "problem", "answer": "answer", "solution": "solution", "id": "id"},
    "amc23": {"question": "question", "answer": "answer", "id": "id"},
    "amc": {"question": "problem", "answer": "answer", "id": "id"},
    "minerva": {"question": "question", "answer": "answer", "solution": "solution"},
    "olympiadbench": {"question": "question", "answer": "final_answer", "solution": "solution", "id": "id"},
    "gsm8k": {"question": "question", "answer": "answer"},
}
_ANSWER_FROM_SOLUTION = frozenset({"minerva"})

# For `list benchmarks` and for whoever re-pins: (description, notes, where the revision comes from).
_DOCS: dict[str, tuple[str, str, str]] = {
    "math500": (
        "MATH-500 (PRM800K 500-problem MATH test split)",
        "ids are MATH unique_ids",
        "head of main (README update, 2024-11-15), from the hub's history",
    ),
    "aime24": (
        "AIME 2024 I and II",
        "the split is named 'train'",
        "head of main (README update); commit id from a public pin",
    ),
    "amc23": (
        "AMC 2023 (40 problems; Qwen2.5-Math evaluation set)",
        "float answers kept as str(value), e.g. '27.0'; not 'amc' (83)",
        _UNPINNED,
    ),
    "amc": (
        "AMC 2022+2023 (83 problems; TTRL / Spurious Rewards 'AMC')",
        "float answers kept as str(value), e.g. '142.0'; not 'amc23' (40)",
        "main as of 2025-05-07 (last change); commit id from two public pins",
    ),
    "minerva": (
        "Minerva Math (OCWCourses, 272 problems)",
        "no answer field: gold = last \\boxed{} of the solution",
        _UNPINNED,
    ),
    "olympiadbench": (
        "OlympiadBench, open-ended text-only English math (675 problems)",
        "list answers joined with ', '",
        "a main-branch commit (README update) seen in the hub's history; the newest commit was not confirmed",
    ),
    "gsm8k": (
        "GSM8K test set",
        "answer = text after '####'",
        "the commit that lighteval task configs pin",
    ),
}


def _registry() -> dict[str, BenchmarkSpec]:
    specs = {}
    for name, (hub_id, revision, split, size) in _HUB.items():
        description, notes, revision_note = _DOCS[name]
        specs[name] = BenchmarkSpec(
            name,
            hub_id,
            revision,
            split,
            size,
            _COLUMNS[name],
            config=_CONFIGS.get(name),
            answer_from_solution=name in _ANSWER_FROM_SOLUTION,
            description=description,
            notes=notes,
            revision_note=revision_note,
        )
    return specs


SPECS: dict[str, BenchmarkSpec] = _registry()


@dataclass(frozen=True)
class Benchmark:
    """A loaded benchmark. `source` is "hub_id@revision" or a file path."""

    name: str
    problems: tuple[Problem, ...]
    source: str
    revision: str | None = None
    generator: dict[str, Any] | None = None  # generator_identity() of a generated benchmark

    @property
    def size(self) -> int:
        return len(self.problems)

    @property
    def hash(self) -> str:
        """Content hash over (id, question, answer) of every problem, in order."""
        return stable_hash([[p.id, p.question, p.answer] for p in self.problems])

    @property
    def identity(self) -> dict[str, Any]:
        """What a run manifest records: {"name", "size", "hash"} (+ "generator" when generated)."""
        identity: dict[str, Any] = {"name": self.name, "size": self.size, "hash": self.hash}
        if self.generator is not None:
            identity["generator"] = self.generator
        return identity

    def __len__(self) -> int:
        return len(self.problems)


def get_spec(name: str) -> BenchmarkSpec:
    """The registry entry for `name`; an AuditError naming the known ones otherwise."""
    spec = SPECS.get(name)
    if spec is None:
        raise AuditError(
            f"'{name}' is not a known benchmark",
            f"use one of: {', '.join([*SPECS, *GENERATORS])}; or pass --data-file FILE for your own data",
        )
    return spec


_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def load_benchmark(
    name: str,
    *,
    data_file: str | Path | None = None,
    fields: Mapping[str, str] | None = None,
    revision: str | None = None,
    limit: int | None = None,
) -> Benchmark:
    """Load a benchmark from `data_file` (any name) or from the hub (registered names).

    `fields` maps Problem roles (question, answer, solution, id) to the data's columns and
    overrides the benchmark's defaults and the common aliases. `revision` overrides the
    pinned hub revision. `limit` keeps the first N problems. A generated name
    ('random-calculation[:key=value,...]') makes its problems in memory; the Benchmark's
    name is then the bare generator name.
    """
    if limit is not None and limit < 1:
        raise AuditError(f"limit must be at least 1, got {limit}", "pass --limit N with N >= 1")
    spec = SPECS.get(name)
    generator = None
    if data_file is None and is_generated(name):
        if revision is not None:
            raise AuditError(f"generated benchmark '{name}' has no revision", "drop the revision")
        rows, source, generator = generated_rows(name)
        name, where, rev = base_name(name), source, None
    elif data_file is not None:
        if spec is None and not _NAME_RE.match(name or ""):
            raise AuditError(f"'{name}' is not a usable benchmark name", "use letters, digits, '-', '_', '.'")
        path = Path(data_file).expanduser()
        rows = read_rows(path)
        where, source, rev = f"file {path}", str(path), None
    else:
        spec = get_spec(name)
        rev = revision or spec.revision
        rows = load_hub_rows(name, spec.hub_id, rev, spec.split, spec.config)
        where, source = f"{spec.hub_id}@{rev}", f"{spec.hub_id}@{rev}"
    if limit is not None:
        rows = rows[:limit]
    if not rows:
        raise AuditError(f"{where} holds no problems", "pass a file with at least one row")
    columns = sorted({k for row in rows for k in row})
    mapping = resolve_fields(
        columns,
        spec.fields if spec else {},
        fields,
        where=where,
        answer_from_solution=spec.answer_from_solution if spec else False,
    )
    problems = rows_to_problems(name, rows, mapping, where=where)
    return Benchmark(name=name, problems=problems, source=source, revision=rev, generator=generator)


def describe_benchmarks() -> list[dict[str, Any]]:
    """Rows for `rlvr-audit list benchmarks`."""
    rows = []
    for spec in SPECS.values():
        pinned = spec.revision != "main"
        rows.append(
            {
                "name": spec.name,
                "size": spec.size,
                "hub": spec.hub_id + (f" ({spec.config})" if spec.config else ""),
                "split": spec.split,
                "revision": spec.revision[:12] if pinned else "main (unpinned)",
                "notes": spec.notes,
            }
        )
    return rows + describe_generated()
