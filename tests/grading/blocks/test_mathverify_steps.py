"""Speed of the math-verify / sober extraction on degenerate completions, and proof that
the guarded regexes (`rlvr_audit.grading.blocks.mathverify_steps.guarded`) match exactly what the
library's own regexes match.

Real completions with hundreds of `\\boxed{}` after an unclosed `$`, `$$`, `\\[`, `\\(` or
` [` make the library's LaTeX environment regexes backtrack cubically (minutes of CPU).
"""

from __future__ import annotations

import gzip
import json
import logging
import random
import re
import time

import pytest

from rlvr_audit.grading.blocks import mathverify_steps as mv

logging.getLogger("math_verify").setLevel(logging.ERROR)

# (name, head with an opener that never closes, repeated tail unit)
SHAPES = [
    ("stray inline $", "What is $\\sqrt{12}$ in simplest radical form? ", "\\boxed{}. "),
    ("stray display $$", "Then $$x=1$$ and $$ ", "\\boxed{}. "),
    ("stray \\[", "Then \\[ ", "\\boxed{1}, "),
    ("stray \\(", "Then \\( ", "\\boxed{}. "),
    ("stray [", "Then [ ", "\\boxed{}. "),
    ("boxes on lines", "So $ ", "\\boxed{120}\n "),
    ("answer prefix", "The final answer is $", "\\boxed{}. "),
]
KINDS = ("default", "sober-pred")


def _unique_pattern_pairs() -> list[tuple]:
    """(library pattern, guarded pattern) for every distinct prediction-side regex."""
    pairs = {}
    for kind in (*KINDS, "sober-gold"):
        for (slow, _, _), (fast, _, _) in zip(mv._regexes(kind, False), mv._regexes(kind, True)):
            pairs[slow.pattern] = (slow, fast)
    return list(pairs.values())


def _all_matches(pattern, text: str) -> list:
    return [(m.span(), m.groupdict()) for m in pattern.finditer(text)]


@pytest.mark.parametrize(("name", "head", "unit"), SHAPES, ids=[s[0] for s in SHAPES])
@pytest.mark.parametrize("kind", KINDS)
def test_degenerate_boxes_are_fast_and_equal_to_the_library_search(name, head, unit, kind):
    small = head + unit * 40  # the library's own regexes finish on this in well under 1 s
    assert mv._search(small, kind, fast=True) == mv._search(small, kind, fast=False), name
    big = head + unit * 300  # ~30x slower than `small` for the library's regexes
    start = time.process_time()
    extraction = mv.extract_parse(big, kind)
    assert time.process_time() - start < 1.0, name
    # same outcome as the small instance (an answer is found or not; a run of boxes that
    # the plain `\\boxed{.+}` regex takes whole gives a longer string, so compare `found`)
    assert extraction.found == mv.extract_parse(small, kind).found, name


def test_guarded_patterns_match_exactly_what_the_library_matches():
    """Seeded fuzz over the delimiters the guards reason about."""
    tokens = [
        "$", "$$", "\\", "\\[", "\\]", "\\(", "\\)", " [", "] ", "[", "]", "\n", " ",
        "\\boxed{", "}", "{", ",", " and ", "or", "%", "1", "23", "x", "\\frac{1}{2}",
        "\\$", "final answer is ", "Answer: ", "=", "I hope", ".",
    ]  # fmt: skip
    rng = random.Random(20261126)
    pairs = _unique_pattern_pairs()
    matched = 0
    for _ in range(1500):
        text = "".join(rng.choice(tokens) for _ in range(rng.randint(1, 40)))
        for slow, fast in pairs:
            expected = _all_matches(slow, text)
            assert _all_matches(fast, text) == expected, repr(text)
            matched += bool(expected)
    assert matched > 1000  # the fuzz does reach matches, not only failures


def test_guards_are_inserted_in_every_latex_pattern():
    for slow, fast in _unique_pattern_pairs():
        envs = slow.pattern.count("latexInlineDollar>")
        assert fast.pattern.count("(?=") - slow.pattern.count("(?=") == 5 * envs
        assert fast.flags == slow.flags


@pytest.mark.parametrize(
    "source",
    [
        r"(?<!\\)\$(?P<first_latexInlineDollar>(?:\\[$]|[^\n$])+?)(?<!\\)\$",  # wrong opener
        r"(?<!\\|\d)\$(?P<first_latexInlineDollar>[^$]+?)(?<!\\)\$",  # wrong content class
    ],
)
def test_guarded_refuses_an_unexpected_library_regex(source):
    with pytest.raises(RuntimeError, match="math-verify regex changed"):
        mv.guarded(re.compile(source))


@pytest.mark.shared
def test_real_degenerate_completions_extract_fast(shared_data):
    path = shared_data / "real-outputs" / "qwen25-math-7b_math500.jsonl.gz"
    rows = [
        row
        for row in map(json.loads, gzip.open(path, "rt"))
        if row["run"] in ("7B-eval-offRLVR-20", "7B-eval-promptoriginal") and row["completion"].count("\\boxed") >= 300
    ]
    assert len(rows) >= 10
    for row in rows[:10]:
        for kind in KINDS:
            start = time.process_time()
            mv.extract_parse(row["completion"], kind)
            assert time.process_time() - start < 1.0, row["id"]
