"""RandomCalculation: a seeded, fully synthetic benchmark of multi-step arithmetic.

Wu et al. 2025 ("Reasoning or Memorization", arXiv 2507.10532) use such problems as a clean
control: no model can have memorised an expression drawn fresh from a random generator, so
a gain on it is not recall of a leaked test set. This generator follows the paper's published
description (multi-step arithmetic with exact answers); it is not the authors' code
(docs/benchmarks-generated.md).

A problem with k steps starts from one operand; each step applies one of + - × ÷ with a
new operand on the left or the right of the running expression, so the expression holds
exactly k operators. Values are exact (`fractions.Fraction`) at every step; a step whose
result would leave |value| <= 10^6 or denominator <= 10^4, or that divides by zero, is
drawn again. Parentheses make the reading unambiguous under the usual conventions and
under "÷ binds loosely" alike: a compound right operand is always parenthesised, and a
quotient is parenthesised as the left operand of × or ÷ (see `_wrap`).

Determinism: one `random.Random(seed)`, drawn from only with `randrange` (through
`randint`) and `choice`, whose sequences for a given seed are stable across Python versions
(3.2+). The same params give byte-identical JSONL; `GENERATOR_VERSION` is bumped whenever
that could change.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError

GENERATOR_NAME = "random-calculation"
GENERATOR_VERSION = 1

QUESTION_TEMPLATE = (
    "Compute the exact value of the following expression. "
    "Give the answer as an integer or as a fraction in lowest terms.\n\n${expression}$"
)

MAX_ABS_VALUE = 10**6
MAX_DENOMINATOR = 10**4
MAX_N = 10**6
MAX_STEPS = 100
MAX_OPERAND = 10**4
_MAX_DRAWS = 10_000  # per step; a valid step always exists (see _step), so this never trips

_OPS = ("+", "-", "*", "/")
_LATEX = {"+": "+", "-": "-", "*": "\\times", "/": "\\div"}
_ADDITIVE = frozenset("+-")


def parse_range(text: str | Sequence[int], what: str, flag: str, example: str) -> tuple[int, int]:
    """'A-B' (or 'A', or a pair) -> (A, B) of non-negative integers; AuditError otherwise."""
    fix = f"pass {flag} MIN-MAX with whole numbers, e.g. {flag} {example}"
    if isinstance(text, str):
        parts = text.strip().split("-")
        if len(parts) not in (1, 2) or not all(p.strip().isdigit() for p in parts):
            raise AuditError(f"{what} '{text}' is not a range like {example}", fix)
        bounds = [int(p) for p in parts]
    else:
        bounds = list(text)
        if len(bounds) != 2 or not all(isinstance(b, int) and not isinstance(b, bool) for b in bounds):
            raise AuditError(f"{what} {text!r} is not a pair of integers", fix)
    low, high = bounds[0], bounds[-1]
    if low > high:
        raise AuditError(f"{what} {low}-{high} runs backwards", f"{fix} (MIN <= MAX)")
    return low, high


@dataclass(frozen=True)
class RandomCalculationParams:
    """What a generated set depends on. `steps` and `operands` are inclusive (min, max)
    ranges; strings like "1-20" are accepted and turned into pairs."""

    n: int = 500
    steps: tuple[int, int] = (1, 20)
    operands: tuple[int, int] = (1, 100)
    seed: int = 0

    def __post_init__(self) -> None:
        steps = parse_range(self.steps, "step range", "--steps", "1-20")
        operands = parse_range(self.operands, "operand range", "--operands", "1-100")
        object.__setattr__(self, "steps", steps)
        object.__setattr__(self, "operands", operands)
        for value, flag in ((self.n, "--n"), (self.seed, "--seed")):
            if not isinstance(value, int) or isinstance(value, bool):
                raise AuditError(f"{flag} must be a whole number, got {value!r}", f"pass e.g. {flag} 1")
        if not 1 <= self.n <= MAX_N:
            raise AuditError(f"n must be between 1 and {MAX_N}, got {self.n}", "pass e.g. --n 500")
        if self.seed < 0:
            raise AuditError(f"seed must be 0 or more, got {self.seed}", "pass e.g. --seed 0")
        if steps[0] < 1 or steps[1] > MAX_STEPS:
            raise AuditError(
                f"step range {steps[0]}-{steps[1]} is outside 1-{MAX_STEPS} (a problem has at least one operation)",
                "pass e.g. --steps 1-20",
            )
        if operands[1] > MAX_OPERAND:
            raise AuditError(
                f"operand range {operands[0]}-{operands[1]} is outside 0-{MAX_OPERAND}", "pass e.g. --operands 1-100"
            )

    def to_dict(self) -> dict[str, Any]:
        """The params as identities and spec strings write them."""
        return {
            "n": self.n,
            "steps": _range_text(self.steps),
            "operands": _range_text(self.operands),
            "seed": self.seed,
        }

    def spec(self) -> str:
        """The `NAME:key=value,...` form that `load_benchmark` and `train --data` accept."""
        return GENERATOR_NAME + ":" + ",".join(f"{k}={v}" for k, v in self.to_dict().items())

    def source(self) -> str:
        """The Benchmark.source of a generated set, e.g. 'generated:random-calculation v1 n=500 ...'."""
        shown = " ".join(f"{k}={v}" for k, v in self.to_dict().items())
        return f"generated:{GENERATOR_NAME} v{GENERATOR_VERSION} {shown}"


PARAM_KEYS = ("n", "steps", "operands", "seed")


def params_from_options(options: Mapping[str, str]) -> RandomCalculationParams:
    """Params from `key -> text` (the part after ':' in 'random-calculation:n=200,seed=1');
    missing keys take the defaults."""
    unknown = sorted(set(options) - set(PARAM_KEYS))
    if unknown:
        raise AuditError(
            f"unknown {GENERATOR_NAME} parameter(s) {', '.join(unknown)}",
            f"use only {', '.join(PARAM_KEYS)} (e.g. {GENERATOR_NAME}:n=200,steps=1-20,operands=1-100,seed=1)",
        )
    values: dict[str, Any] = {}
    for key in ("n", "seed"):
        if key in options:
            text = options[key].strip()
            if not text.isdigit():
                raise AuditError(f"{key}={options[key]} is not a whole number", f"pass e.g. {key}=1")
            values[key] = int(text)
    for key in ("steps", "operands"):
        if key in options:
            values[key] = options[key]
    return RandomCalculationParams(**values)


# ---------------------------------------------------------------- generation


def _range_text(bounds: tuple[int, int]) -> str:
    return f"{bounds[0]}-{bounds[1]}"


def _wrap(latex: str, top: str | None, parent: str, child_is_left: bool) -> str:
    """`latex` (an expression whose outermost operator is `top`, None for a number) as an
    operand of `parent`, parenthesised where a reader could otherwise group it differently."""
    if top is None:
        return latex
    if parent in _ADDITIVE:
        needed = (not child_is_left) and top in _ADDITIVE  # a - (b + c); a + b x c needs none
    else:
        # Any compound right operand; on the left a sum, or a quotient (a ÷ b × c is read
        # both ways in the wild), but not a product (a × b ÷ c has one value either way).
        needed = (not child_is_left) or top != "*"
    return f"({latex})" if needed else latex


def _apply(op: str, left: Fraction, right: Fraction) -> Fraction | None:
    """left op right, or None for a division by zero."""
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    return None if right == 0 else left / right


def _sane(value: Fraction | None) -> bool:
    return value is not None and abs(value) <= MAX_ABS_VALUE and value.denominator <= MAX_DENOMINATOR


def _step(rng: random.Random, value: Fraction, operands: tuple[int, int]) -> tuple[str, int, bool, Fraction]:
    """One step: (op, operand, operand on the left, new value), redrawn until the value is sane.

    One always exists: with 0 <= b <= 10^4, `value - b` (value >= 0) or `value + b`
    (value < 0) stays within the bound and keeps the denominator.
    """
    for _ in range(_MAX_DRAWS):
        op = rng.choice(_OPS)
        operand = rng.randint(*operands)
        operand_left = rng.choice((False, True))
        b = Fraction(operand)
        new = _apply(op, b, value) if operand_left else _apply(op, value, b)
        if _sane(new):
            assert new is not None
            return op, operand, operand_left, new
    raise RuntimeError(f"no sane step found in {_MAX_DRAWS} draws")  # pragma: no cover - see docstring


def gold_answer(value: Fraction) -> str:
    """The gold string: '42', '-12', '\\frac{7}{24}', '-\\frac{7}{24}' (sign in front)."""
    if value.denominator == 1:
        return str(value.numerator)
    sign = "-" if value < 0 else ""
    return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


def _problem(rng: random.Random, params: RandomCalculationParams, index: int) -> dict[str, Any]:
    steps = rng.randint(*params.steps)
    start = rng.randint(*params.operands)
    latex, top, value = str(start), None, Fraction(start)
    for _ in range(steps):
        op, operand, operand_left, value = _step(rng, value, params.operands)
        if operand_left:
            latex = f"{operand} {_LATEX[op]} {_wrap(latex, top, op, child_is_left=False)}"
        else:
            latex = f"{_wrap(latex, top, op, child_is_left=True)} {_LATEX[op]} {operand}"
        top = op
    return {
        "id": f"rc-{params.seed}-{index}",
        "question": QUESTION_TEMPLATE.format(expression=latex),
        "answer": gold_answer(value),
        "expression": latex,
        "steps": steps,
        "value": f"{value.numerator}/{value.denominator}",
        "seed": params.seed,
        "generator": GENERATOR_NAME,
        "generator_version": GENERATOR_VERSION,
    }


def generate_rows(params: RandomCalculationParams | None = None) -> list[dict[str, Any]]:
    """The `params.n` problems as benchmark rows (question, answer, id, steps, value, ...)."""
    params = params or RandomCalculationParams()
    rng = random.Random(params.seed)
    return [_problem(rng, params, index) for index in range(params.n)]


# ---------------------------------------------------------------- files and identity


def jsonl_bytes(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """The canonical file form: one sorted-key JSON object a line, UTF-8, '\\n' line ends."""
    return "".join(json.dumps(row, sort_keys=True, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")


def content_hash(rows: Sequence[Mapping[str, Any]]) -> str:
    """First 16 hex digits of the sha256 of the JSONL file (`sha256sum FILE` checks it)."""
    return hashlib.sha256(jsonl_bytes(rows)).hexdigest()[:16]


def generator_identity(params: RandomCalculationParams, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """What manifests record about a generated set: generator, version, params, seed, hash."""
    return {
        "name": GENERATOR_NAME,
        "version": GENERATOR_VERSION,
        "params": params.to_dict(),
        "seed": params.seed,
        "hash": content_hash(rows),
    }


def write_benchmark(params: RandomCalculationParams, path: str | Path, *, overwrite: bool = False) -> dict[str, Any]:
    """Write the set as JSONL via a temp file + rename; returns its generator identity.
    An existing file is refused unless `overwrite`."""
    path = Path(path).expanduser()
    if path.exists() and not overwrite:
        raise AuditError(f"{path} already exists", "pass --overwrite to replace it, or choose another --out")
    if path.is_dir():
        raise AuditError(f"{path} is a directory", "pass --out FILE.jsonl")
    rows = generate_rows(params)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(jsonl_bytes(rows))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return generator_identity(params, rows)
