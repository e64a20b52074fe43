"""The math-only gate, and every registered profile against code-execution payloads."""

from __future__ import annotations

import pytest

from rlvr_audit.grading.blocks.safety import is_bounded_size, is_safe_expr
from rlvr_audit.grading.registry import get_profile, profile_names

PAYLOAD_BODIES = [
    '__import__(chr(111)+chr(115)).system("touch MARKER")',
    "__import__(chr(111)+chr(115)).system(chr(116)+chr(111)+chr(117)+chr(99)+chr(104)+chr(32)+chr(77)+chr(65)+chr(82)+chr(75)+chr(69)+chr(82))",
    "getattr(__import__(chr(111)+chr(115)),chr(115)+chr(121)+chr(115)+chr(116)+chr(101)+chr(109))(chr(116)+chr(111)+chr(117)+chr(99)+chr(104)+chr(32)+chr(77)+chr(65)+chr(82)+chr(75)+chr(69)+chr(82))",
    "(lambda: __import__(chr(111)+chr(115)).system(chr(116)+chr(111)+chr(117)+chr(99)+chr(104)+chr(32)+chr(77)+chr(65)+chr(82)+chr(75)+chr(69)+chr(82)))()",
    "().__class__.__bases__[0].__subclasses__()",
    "[c for c in ().__class__.__base__.__subclasses__() if c.__name__ == chr(80)+chr(111)+chr(112)+chr(101)+chr(110)][0](chr(116)+chr(111)+chr(117)+chr(99)+chr(104)+chr(32)+chr(77)+chr(65)+chr(82)+chr(75)+chr(69)+chr(82), shell=True)",
    "exec(chr(105)+chr(109)+chr(112)+chr(111)+chr(114)+chr(116)+chr(32)+chr(111)+chr(115))",
    "eval(chr(49))",
    "ｅｖａｌ(chr(49))",
    "open(chr(77)+chr(65)+chr(82)+chr(75)+chr(69)+chr(82), chr(119))",
    "x.__class__",
    "S.__dict__",
]

UNSAFE = [
    '__import__("os")',
    "().__class__.__bases__",
    "getattr(x, chr(95))",
    "lambda: 1",
    "lambda x: x",
    "x.y",
    "S.Zero",
    "exec(x)",
    "eval(x)",
    "open(x)",
    "compile(x)",
    "ｅｖａｌ(x)",
    "vars()",
    "globals()",
    "a' + 'b",
    '"x"',
    "sympify(x)",
    "parse_expr(x)",
    "10**10**10",
    "10^{10^{10}}",
    "2**(10**100)",
    "x**1000000",
    "1000000!",
    "(9)^(9)^(9)",
    "\\frac{1}{2}",
    "x" * 2000,
    "__builtins__",
    "_x",
]
SAFE = [
    "1/2",
    "x**2+3*x",
    "sqrt(2)/2",
    "(1,2)",
    "{1,2}",
    "xy-yx",
    "3.5",
    "-2,1",
    "1e5",
    "2^{2^{2}}",
    "2**1000",
    "(a+5)*(b+2)",
    "sin(x)+cos(y)",
    "pi",
    "oo",
    "5!",
    "1_000",
    "(3)-(3.0)",
    "x<=2",
    "Abs(x-1)",
]


@pytest.mark.parametrize("text", UNSAFE)
def test_unsafe_text_is_refused(text):
    assert not is_safe_expr(text)


@pytest.mark.parametrize("text", SAFE)
def test_plain_math_is_accepted(text):
    assert is_safe_expr(text)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("10^{10^{10}}", False),
        ("10**10**10", False),
        ("2^{2^{3}}", True),
        ("x^{100000}", True),
        ("x^{1000001}", False),
        ("\\frac{1}{2}", True),
        ("99999999999!", False),
        ("a" * 3000, False),
    ],
)
def test_size_guard(text, ok):
    assert is_bounded_size(text) is ok


def _completions(body: str) -> list[str]:
    return [
        f"So the answer is $\\boxed{{{body}}}$.",
        f"Final Answer: The final answer is ${body}$. I hope it is correct.",
        f"Answer: {body}",
        f"<think> r </think> <answer> {body} </answer>",
        f"Therefore, the final answer is: $\\boxed{{{body}}}$. I hope it is correct",
    ]


def _grade(profile, completion: str, gold: str) -> str:
    from rlvr_audit.grading.base import GradeRequest

    return profile.grade_local(GradeRequest(completion=completion, answer=gold)).status


@pytest.mark.parametrize("name", profile_names())
def test_profiles_never_execute_payloads(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    profile = get_profile(name)
    statuses, seen = set(), set()
    for body in PAYLOAD_BODIES:
        for completion in _completions(body):  # the payload as the model's answer
            key = profile.extract(completion).answer
            if key in seen:  # same extraction, same verdict: save the time
                continue
            seen.add(key)
            statuses.add(_grade(profile, completion, "5"))
        # ... and as the gold (benchmarks can be poisoned too)
        statuses.add(_grade(profile, "So the answer is $\\boxed{5}$.", body))
        assert not (tmp_path / "MARKER").exists(), (name, body)
    assert statuses <= {"correct", "incorrect", "no_answer", "error"}
    assert "incorrect" in statuses or "no_answer" in statuses
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["qwen25-math", "ttrl", "prm800k", "r1zero"])
def test_parse_expr_only_ever_sees_gated_text(name, monkeypatch, tmp_path):
    """Every string that reaches sympy's parse_expr (directly or through sympify) passed
    the gate: record the calls while grading payloads and honest answers."""
    import sympy.parsing.sympy_parser as sp

    monkeypatch.chdir(tmp_path)
    seen: list[str] = []
    original = sp.parse_expr

    def recording_parse_expr(s, *args, **kwargs):
        seen.append(s)
        assert is_safe_expr(s.replace("**", "^")) or is_safe_expr(s), s
        return original(s, *args, **kwargs)

    monkeypatch.setattr(sp, "parse_expr", recording_parse_expr)
    profile = get_profile(name)
    answers = PAYLOAD_BODIES[:2] + ["x^2+1", "3/2", "1.5", "y+x", "[1,2]"]
    for answer in answers:
        _grade(profile, f"So the answer is $\\boxed{{{answer}}}$.", "5")
        _grade(profile, f"So the answer is $\\boxed{{{answer}}}$.", "1.5")
    _grade(profile, "So the answer is $\\boxed{y+x}$.", "x+y")
    assert seen  # honest answers did reach parse_expr
    assert not (tmp_path / "MARKER").exists()
