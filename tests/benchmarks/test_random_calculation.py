"""RandomCalculation: determinism, exact golds (checked by an evaluator written here, not the
generator's), step and operand ranges, grading by every default profile, loading by name."""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction

import pytest

import rlvr_audit as ra
from rlvr_audit.benchmarks import random_calculation as rc
from rlvr_audit.benchmarks.random_calculation import RandomCalculationParams, generate_rows, write_benchmark
from rlvr_audit.benchmarks.registry import describe_benchmarks, is_generated, load_benchmark, parse_generated
from rlvr_audit.core.errors import AuditError
from rlvr_audit.grading.registry import DEFAULT_PROFILES

# ---------------------------------------------------------------- an independent evaluator

_TOKEN = re.compile(r"\s*(\d+|\\times|\\div|[-+()])")


def _tokens(latex: str) -> list[str]:
    out, pos = [], 0
    while pos < len(latex.rstrip()):
        match = _TOKEN.match(latex, pos)
        assert match, f"unexpected text at {pos} in {latex!r}"
        out.append(match.group(1))
        pos = match.end()
    return out


class _Evaluator:
    """Recursive descent over + - \\times \\div and parentheses, exact with Fractions.

    `right_to_left_products=True` reads a chain like a ÷ b × c as a ÷ (b × c): the other
    reading seen in the wild, which a well-parenthesised expression must not depend on.
    Every intermediate result is recorded, to check the generator's bounds.
    """

    def __init__(self, latex: str, right_to_left_products: bool = False):
        self.tokens = _tokens(latex)
        self.pos = 0
        self.rtl = right_to_left_products
        self.numbers: list[int] = []
        self.operators = 0
        self.intermediates: list[Fraction] = []

    def value(self) -> Fraction:
        result = self._sum()
        assert self.pos == len(self.tokens), "trailing tokens"
        return result

    def _peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self) -> str:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def _record(self, value: Fraction) -> Fraction:
        self.operators += 1
        self.intermediates.append(value)
        return value

    def _sum(self) -> Fraction:
        value = self._product()
        while self._peek() in ("+", "-"):
            op = self._take()
            right = self._product()
            value = self._record(value + right if op == "+" else value - right)
        return value

    def _product(self) -> Fraction:
        factors, ops = [self._atom()], []
        while self._peek() in ("\\times", "\\div"):
            ops.append(self._take())
            factors.append(self._atom())
        if not self.rtl:
            value = factors[0]
            for op, factor in zip(ops, factors[1:]):
                value = self._record(value * factor if op == "\\times" else value / factor)
            return value
        value = factors[-1]
        for op, factor in zip(reversed(ops), reversed(factors[:-1])):
            value = self._record(factor * value if op == "\\times" else factor / value)
        return value

    def _atom(self) -> Fraction:
        token = self._take()
        if token == "(":
            value = self._sum()
            assert self._take() == ")"
            return value
        assert token.isdigit(), f"expected a number, got {token!r}"
        self.numbers.append(int(token))
        return Fraction(int(token))


def _gold_fraction(gold: str) -> Fraction:
    """The gold string read back: an integer, or [-]\\frac{p}{q} in lowest terms with q > 1."""
    if re.fullmatch(r"-?\d+", gold):
        assert gold == "0" or not gold.lstrip("-").startswith("0")
        return Fraction(int(gold))
    match = re.fullmatch(r"(-?)\\frac\{(\d+)\}\{(\d+)\}", gold)
    assert match, f"gold {gold!r} is neither an integer nor [-]\\frac{{p}}{{q}}"
    p, q = int(match.group(2)), int(match.group(3))
    assert q > 1 and math.gcd(p, q) == 1, f"{gold} is not in lowest terms"
    return Fraction(-p if match.group(1) else p, q)


def _expression(question: str) -> str:
    match = re.search(r"\$([^$]+)\$\s*$", question)
    assert match, "the question ends with the expression in $...$"
    return match.group(1)


@pytest.fixture(scope="module")
def rows_500():
    return generate_rows(RandomCalculationParams())


# ---------------------------------------------------------------- determinism


def test_same_seed_same_bytes_and_other_seed_differs(tmp_path):
    params = RandomCalculationParams(n=50, seed=3)
    write_benchmark(params, tmp_path / "a.jsonl")
    write_benchmark(RandomCalculationParams(n=50, seed=3), tmp_path / "b.jsonl")
    write_benchmark(RandomCalculationParams(n=50, seed=4), tmp_path / "c.jsonl")
    a, b, c = ((tmp_path / f"{x}.jsonl").read_bytes() for x in "abc")
    assert a == b
    assert a != c
    lines = a.decode("utf-8").split("\n")
    assert len(lines) == 51 and lines[-1] == ""  # 50 lines, each ending in \n
    assert b"\r" not in a
    first = json.loads(lines[0])
    assert list(first) == sorted(first)  # sorted keys
    assert first["id"] == "rc-3-0"


def test_first_problems_are_pinned():
    """A regression pin: if this changes, the generator's output changed and
    GENERATOR_VERSION must be bumped (79 ÷ 43 by hand; the long one by the evaluator above)."""
    rows = generate_rows(RandomCalculationParams(n=2, seed=0))
    assert rows[1]["expression"] == "79 \\div 43"
    assert rows[1]["answer"] == "\\frac{79}{43}" and rows[1]["steps"] == 1
    assert rows[0]["steps"] == 13 and rows[0]["answer"] == "\\frac{1398313}{8780}"


def test_content_hash_is_the_files_sha256(tmp_path):
    import hashlib

    params = RandomCalculationParams(n=20, seed=1)
    identity = write_benchmark(params, tmp_path / "f.jsonl")
    digest = hashlib.sha256((tmp_path / "f.jsonl").read_bytes()).hexdigest()
    assert identity == {
        "name": "random-calculation",
        "version": 1,
        "params": {"n": 20, "steps": "1-20", "operands": "1-100", "seed": 1},
        "seed": 1,
        "hash": digest[:16],
    }


def test_write_refuses_an_existing_file(tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_text("keep\n")
    with pytest.raises(AuditError) as info:
        write_benchmark(RandomCalculationParams(n=2), path)
    assert "--overwrite" in info.value.fix
    assert path.read_text() == "keep\n"
    write_benchmark(RandomCalculationParams(n=2), path, overwrite=True)
    assert len(path.read_text().splitlines()) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["f.jsonl"]  # no temp file left behind


# ---------------------------------------------------------------- exact golds and ranges


def test_every_gold_is_exact(rows_500):
    for row in rows_500:
        expression = _expression(row["question"])
        assert expression == row["expression"]
        value = _Evaluator(expression).value()
        assert _gold_fraction(row["answer"]) == value, row["id"]
        p, q = row["value"].split("/")
        assert Fraction(int(p), int(q)) == value and int(q) == value.denominator


def test_parentheses_leave_one_reading(rows_500):
    """Reading products and quotients right to left gives the same value: the expression
    never hangs on how a ÷ b × c is grouped."""
    for row in rows_500:
        assert _Evaluator(row["expression"], right_to_left_products=True).value() == _gold_fraction(row["answer"])


def test_steps_operators_operands_and_bounds(rows_500):
    steps = [row["steps"] for row in rows_500]
    assert min(steps) == 1 and max(steps) == 20
    assert set(steps) == set(range(1, 21))  # 500 uniform draws from 20 values hit each one
    for row in rows_500:
        ev = _Evaluator(row["expression"])
        ev.value()
        assert ev.operators == row["steps"]
        assert len(ev.numbers) == row["steps"] + 1
        assert all(1 <= x <= 100 for x in ev.numbers)
        assert all(abs(v) <= 10**6 and v.denominator <= 10**4 for v in ev.intermediates)


def test_some_golds_are_negative_and_some_are_fractions(rows_500):
    golds = [_gold_fraction(row["answer"]) for row in rows_500]
    assert any(g < 0 for g in golds)
    assert any(g.denominator > 1 for g in golds)
    assert any(g.denominator == 1 for g in golds)
    assert any(g < 0 and g.denominator > 1 for g in golds)


def test_custom_ranges_are_respected():
    rows = generate_rows(RandomCalculationParams(n=200, steps="3-5", operands="2-9", seed=7))
    assert {row["steps"] for row in rows} == {3, 4, 5}
    for row in rows:
        ev = _Evaluator(row["expression"])
        assert ev.value() == _gold_fraction(row["answer"])
        assert ev.operators == row["steps"] and all(2 <= x <= 9 for x in ev.numbers)


def test_zero_operands_never_divide_by_zero():
    rows = generate_rows(RandomCalculationParams(n=100, steps="5-10", operands="0-2", seed=2))
    for row in rows:  # Fraction raises ZeroDivisionError on a division by zero
        assert _Evaluator(row["expression"]).value() == _gold_fraction(row["answer"])


# ---------------------------------------------------------------- params


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"n": 0}, "--n"),
        ({"steps": "5-2"}, "--steps"),
        ({"steps": "0-3"}, "--steps"),
        ({"steps": "1-x"}, "--steps"),
        ({"steps": "1-101"}, "--steps"),
        ({"operands": "9-3"}, "--operands"),
        ({"operands": "-3-5"}, "--operands"),
        ({"operands": "1-100000"}, "--operands"),
        ({"seed": -1}, "--seed"),
    ],
)
def test_bad_params_name_the_fix(kwargs, needle):
    with pytest.raises(AuditError) as info:
        RandomCalculationParams(**kwargs)
    assert needle in info.value.fix
    assert "\n" not in info.value.one_line()


def test_params_accept_strings_and_pairs_alike():
    a = RandomCalculationParams(steps="2-4", operands="1-9")
    b = RandomCalculationParams(steps=(2, 4), operands=(1, 9))
    assert a == b and a.steps == (2, 4)
    assert RandomCalculationParams(steps="7").steps == (7, 7)
    assert a.spec() == "random-calculation:n=500,steps=2-4,operands=1-9,seed=0"


# ---------------------------------------------------------------- grading the golds

# Each profile reads the answer from its own place (see rlvr_audit/grading/profiles/).
_FORMATS = {
    "qwen25-math": "The answer is $\\boxed{{{gold}}}$.",
    "ttrl": "The answer is $\\boxed{{{gold}}}$.",
    "math-verify": "The answer is $\\boxed{{{gold}}}$.",
    "sober": "The answer is $\\boxed{{{gold}}}$.",
    "hendrycks": "The answer is $\\boxed{{{gold}}}$.",
    "prm800k": "The answer is $\\boxed{{{gold}}}$.",
    "r1zero": "The answer is $\\boxed{{{gold}}}$.",
    "r1zero-fast": "The answer is $\\boxed{{{gold}}}$.",
    "r1zero-tag": "<think>work</think> <answer>{gold}</answer>",
    "dapo": "Some work.\nAnswer: {gold}",
    "minerva": "Final Answer: The final answer is ${gold}$. I hope it is correct.",
}


def test_every_default_profile_grades_the_gold_correct(rows_500):
    assert set(_FORMATS) == set(DEFAULT_PROFILES)
    kinds = {"negative int": [], "negative fraction": [], "positive fraction": [], "non-negative int": []}
    for row in rows_500:
        g = _gold_fraction(row["answer"])
        kind = ("negative " if g < 0 else "positive " if g.denominator > 1 else "non-negative ") + (
            "fraction" if g.denominator > 1 else "int"
        )
        if len(kinds[kind]) < 4:
            kinds[kind].append(row["answer"])
    golds = [g for sample in kinds.values() for g in sample]
    assert all(len(sample) == 4 for sample in kinds.values()), kinds
    assert "-\\frac{" in " ".join(golds)
    for name in DEFAULT_PROFILES:
        requests = [ra.GradeRequest(_FORMATS[name].format(gold=gold), gold) for gold in golds]
        batch = ra.grade_many(requests, [name], workers=0)
        wrong = [(gold, g[name].status) for gold, g in zip(golds, batch.grades) if g[name].status != "correct"]
        assert not wrong, f"{name}: {wrong}"


def test_a_wrong_answer_is_graded_wrong():
    """The formats above are read, not waved through: a different value fails everywhere."""
    for name in DEFAULT_PROFILES:
        request = ra.GradeRequest(_FORMATS[name].format(gold="-\\frac{7}{25}"), "-\\frac{7}{24}")
        assert ra.grade_many([request], [name], workers=0).grades[0][name].status == "incorrect", name


# ---------------------------------------------------------------- by name


def test_load_by_bare_name_uses_the_defaults():
    bench = load_benchmark("random-calculation")
    assert bench.name == "random-calculation" and bench.size == 500
    assert bench.source == "generated:random-calculation v1 n=500 steps=1-20 operands=1-100 seed=0"
    assert bench.revision is None
    assert bench.problems[0].id == "random-calculation-rc-0-0"
    assert bench.problems[0].meta["steps"] == 13
    identity = bench.identity
    assert set(identity) == {"name", "size", "hash", "generator"}
    assert (identity["name"], identity["size"], identity["hash"]) == ("random-calculation", 500, bench.hash)
    assert identity["generator"]["params"] == {"n": 500, "steps": "1-20", "operands": "1-100", "seed": 0}
    assert identity["generator"]["version"] == 1


def test_load_with_params_and_limit():
    bench = load_benchmark("random-calculation:n=200,seed=1,steps=1-20")
    assert bench.size == 200 and bench.name == "random-calculation"
    assert bench.source == "generated:random-calculation v1 n=200 steps=1-20 operands=1-100 seed=1"
    assert bench.problems[5].id == "random-calculation-rc-1-5"
    assert bench.identity["generator"]["seed"] == 1
    small = load_benchmark("random-calculation:n=200,seed=1", limit=7)
    assert small.size == 7
    assert [p.question for p in small.problems] == [p.question for p in bench.problems[:7]]


def test_the_written_file_loads_as_the_same_benchmark(tmp_path):
    params = RandomCalculationParams(n=30, steps="2-6", seed=5)
    write_benchmark(params, tmp_path / "rc.jsonl")
    from_file = load_benchmark("random-calculation", data_file=tmp_path / "rc.jsonl")
    generated = load_benchmark("random-calculation:n=30,steps=2-6,seed=5")
    assert from_file.hash == generated.hash
    assert from_file.source == str(tmp_path / "rc.jsonl") and from_file.generator is None
    other_name = load_benchmark("mine", data_file=tmp_path / "rc.jsonl")
    assert other_name.size == 30 and other_name.problems[0].id == "mine-rc-5-0"


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("random-calculation:size=3", "n, steps, operands, seed"),
        ("random-calculation:n", "n=200,steps=1-20"),
        ("random-calculation:n=3,n=4", "once"),
        ("random-calculation:n=zero", "n="),
        ("random-calculation:steps=9-1", "--steps"),
        ("random-calculation:n=0", "--n"),
    ],
)
def test_bad_names_raise_audit_errors(name, needle):
    with pytest.raises(AuditError) as info:
        load_benchmark(name)
    assert needle in info.value.fix


def test_generated_has_no_revision():
    with pytest.raises(AuditError):
        load_benchmark("random-calculation", revision="abc")


def test_helpers_and_listing():
    assert is_generated("random-calculation") and is_generated("random-calculation:n=3")
    assert not is_generated("math500") and not is_generated("random-calculations")
    assert parse_generated("random-calculation:seed=4,operands=2-50") == RandomCalculationParams(
        seed=4, operands=(2, 50)
    )
    with pytest.raises(AuditError):
        parse_generated("math500")
    rows = {row["name"]: row for row in describe_benchmarks()}
    row = rows["random-calculation"]
    assert (row["hub"], row["revision"], row["size"]) == ("generated offline", "generator v1", 500)
    with pytest.raises(AuditError) as info:
        load_benchmark("mmlu")
    assert "random-calculation" in info.value.fix


def test_generator_version_is_recorded_per_row(rows_500):
    assert {row["generator_version"] for row in rows_500} == {rc.GENERATOR_VERSION} == {1}
