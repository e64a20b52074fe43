"""Other projects' grader test tables (../shared/data/external/cases_*.jsonl), graded with
the profile that claims each harness. Every disagreement with a table's expected verdict
is listed here by case id with its cause, and the test asserts the exact set per source:
a new miss fails, and so does an exception that starts to agree (then delete it here).

The causes are those of ../shared/data/external/README.md, checked against each test's own
configuration; docs/grading-fidelity.md explains them. Nothing is copied from there: the
tables are read in place and the tests skip when the folder is absent.
"""

from __future__ import annotations

import json
import logging

import pytest

from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.registry import get_profile

# Causes shared by several cases.
EXPR_ONLY = "config: the test extracts with Expr only; our \\boxed{1,22} parses as the pair (1,22)"
LATEX_ONLY = "config: the test extracts LaTeX only; our Expr extraction also finds the bare 9"
PRECISION_2 = "config: the test rounds floats to 2 decimals (precision 2); math-verify's default is 6"
LIGHTEVAL_LANG = "lighteval 0.8.0 had language-specific answer anchors (Chinese/French); math-verify 0.9 has none"
LIGHTEVAL_BOXES = "lighteval 0.8.0 kept only one box; math-verify 0.9 merges all boxes into one set"
TRAILING_BACKSLASH = "NeMo-Skills strips a trailing '\\\\'; boxing '185\\\\' also escapes the closing brace"

# source -> (profile, number of cases, {case id: cause of the disagreement})
SOURCES: dict[str, tuple[str, int, dict[str, str]]] = {
    "mathverify": (
        "math-verify",
        260,
        {
            "mathverify-0006": EXPR_ONLY,
            "mathverify-0028": LATEX_ONLY,
            "mathverify-0029": LATEX_ONLY,
            "mathverify-0127": PRECISION_2,
            "mathverify-0133": PRECISION_2,
            "mathverify-0180": "config: the test sets allow_set_relation_comp=True ([-2,7] vs -2 <= x <= 7)",
            "mathverify-0253": "library quirk on the raw $...$ gold; our boxed gold gives the semantically right False",
            "mathverify-0259": "config: the test sets strict=False (f(x) vs f(y))",
        },
    ),
    "lighteval": (
        "math-verify",
        210,
        {
            "lighteval-0005": LIGHTEVAL_LANG,
            "lighteval-0011": LIGHTEVAL_LANG,
            "lighteval-0016": LIGHTEVAL_LANG,
            "lighteval-0029": EXPR_ONLY,
            "lighteval-0050": LATEX_ONLY,
            "lighteval-0051": LATEX_ONLY,
            "lighteval-0130": PRECISION_2,
            "lighteval-0136": PRECISION_2,
            "lighteval-0200": LIGHTEVAL_BOXES,
            "lighteval-0208": LIGHTEVAL_BOXES + " (expects {2,3} from two 'and'-joined boxes)",
            "lighteval-0209": LIGHTEVAL_BOXES + " (rejects {1,2,3})",
        },
    ),
    "nemo-skills": (
        "math-verify",
        58,
        {"nemo-skills-0022": TRAILING_BACKSLASH, "nemo-skills-0023": TRAILING_BACKSLASH},
    ),
    "open-r1": ("math-verify", 3, {}),
    "hendrycks": ("hendrycks", 16, {}),
    "skythought": (
        "qwen25-math",
        43,
        {
            "skythought-0012": "the test calls math_equal on raw strings; the Qwen pipeline first strips "
            "'x = y + 2' to 'y+2' (upstream Qwen agrees with us)",
            "skythought-0034": "SkyThought-only rule: integer lists are sorted before comparing",
        },
    ),
    "skyrl": (
        "dapo",
        10,
        {
            "skyrl-0006": "SkyRL's answer regex stops at '<' ([^\\n<]+); verl's math_dapo, as we do, keeps <|im_end|>",
            "skyrl-0008": "SkyRL's answer regex stops at '<' ([^\\n<]+); verl's math_dapo, as we do, keeps <|eot_id|>",
        },
    ),
}

# The same Math-Verify and lighteval tables under `sober` (README: 252 and 199 agree): its
# Expr-first prediction config and 5 decimals change none of these verdicts.
ALSO_GRADED = {("mathverify", "sober"), ("lighteval", "sober"), ("nemo-skills", "sober"), ("open-r1", "sober")}

# inspect_ai's table labels its own scorer (no profile reproduces it); math-verify agrees on
# 18 of its 33 cases, recorded as a fact about the two graders, not a fidelity target.
INSPECT_AI_CASES, INSPECT_AI_MATH_VERIFY_AGREE = 33, 18


def _cases(shared_data, source: str) -> list[dict]:
    path = shared_data / "external" / f"cases_{source}.jsonl"
    if not path.is_file():
        pytest.skip(f"{path} is absent: the external test tables are not in this checkout")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _disagreements(cases: list[dict], profile_name: str) -> dict[str, str]:
    """case id -> our status, for every case whose verdict differs from the table's."""
    logging.getLogger("math_verify").setLevel(logging.ERROR)
    profile = get_profile(profile_name)
    out = {}
    for case in cases:
        grade = profile.grade_local(GradeRequest(case["completion"], case["answer"]))
        assert grade.status not in ("error", "timeout"), (case["case_id"], grade.detail)
        if (grade.status == "correct") != bool(case["expected"]):
            out[case["case_id"]] = grade.status
    return out


PARAMS = [(source, spec[0]) for source, spec in SOURCES.items()] + sorted(ALSO_GRADED)


@pytest.mark.parametrize(("source", "profile_name"), PARAMS, ids=[f"{s}-{p}" for s, p in PARAMS])
def test_the_matching_profile_disagrees_only_on_the_named_exceptions(shared_data, source, profile_name):
    _, n, exceptions = SOURCES[source]
    cases = _cases(shared_data, source)
    assert len(cases) == n, f"cases_{source}.jsonl has {len(cases)} cases, the table here expects {n}"
    assert all(case["source"] == source for case in cases)
    missing = set(exceptions) - {case["case_id"] for case in cases}
    assert not missing, f"exceptions name cases that are not in the table: {sorted(missing)}"
    found = _disagreements(cases, profile_name)
    new = {cid: status for cid, status in found.items() if cid not in exceptions}
    fixed = sorted(set(exceptions) - set(found))
    assert not new, f"{profile_name} newly disagrees with {source}'s table on {new}"
    assert not fixed, f"{profile_name} now agrees with {source}'s table on {fixed}: delete these exceptions"
    assert len(cases) - len(found) == n - len(exceptions)


def test_inspect_ai_labels_agree_with_math_verify_on_the_recorded_count(shared_data):
    cases = _cases(shared_data, "inspect-ai")
    assert len(cases) == INSPECT_AI_CASES
    found = _disagreements(cases, "math-verify")
    assert len(cases) - len(found) == INSPECT_AI_MATH_VERIFY_AGREE


def test_every_exception_names_its_cause():
    for source, (_, _, exceptions) in SOURCES.items():
        for case_id, cause in exceptions.items():
            assert case_id.startswith(source + "-") and len(cause) > 20, (case_id, cause)
