"""Profiles `minerva` (lm-eval `minerva_math*` exact_match) and `dapo` (verl `math_dapo`).

Both harnesses share the Minerva answer normaliser (GRADERS.md B6); verl's copy drops the
`ft` deletion and strips at the end, so `normalize_final_answer` takes a `variant`.

- minerva (GRADERS §4): the first "Final Answer: The final answer is … I hope it is
  correct." phrase, B6 on both sides, then sympy `parse_latex` on both and
  `simplify(pred - gold) == 0`. No string shortcut: identical unparseable strings fail.
- dapo (GRADERS §8): the last `Answer:` line within the last 300 characters, B6 (verl) on
  both sides, exact string equality. `dapo_score` is the same rule as a +1/-1 reward.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from rlvr_audit.core.errors import AuditError
from rlvr_audit.grading.base import Extraction, Profile
from rlvr_audit.grading.blocks.extract import last_boxed_only_string

Variant = Literal["lm-eval", "verl"]

# B6 step 2, applied in this order.
_SUBSTITUTIONS: tuple[tuple[str, str], ...] = (
    ("an ", ""),
    ("a ", ""),
    (".$", "$"),
    ("\\$", ""),
    ("\\ ", ""),
    (" ", ""),
    ("mbox", "text"),
    (",\\text{and}", ","),
    ("\\text{and}", ","),
    ("\\text{m}", "\\text{}"),
)

# B6 step 3, in this order. "ft" is the lm-eval-only entry (it turns `\left` into `\le`).
_REMOVED: tuple[str, ...] = (
    "square",
    "ways",
    "integers",
    "dollars",
    "mph",
    "inches",
    "ft",
    "hours",
    "km",
    "units",
    "\\ldots",
    "sue",
    "points",
    "feet",
    "minutes",
    "digits",
    "cents",
    "degrees",
    "cm",
    "gm",
    "pounds",
    "meters",
    "meals",
    "edges",
    "students",
    "childrentickets",
    "multiples",
    "\\text{s}",
    "\\text{.}",
    "\\text{\ns}",
    "\\text{}^2",
    "\\text{}^3",
    "\\text{\n}",
    "\\text{}",
    "\\mathrm{th}",
    "^\\circ",
    "^{\\circ}",
    "\\;",
    ",\\!",
    "{,}",
    '"',
    "\\dots",
)
_REMOVED_VERL = tuple(r for r in _REMOVED if r != "ft")

# B6 step 4/5. `.` never crosses a newline, as in the originals.
_DOLLAR_SEGMENT = re.compile(r"(.*?)(\$)(.*?)(\$)(.*)")
_TEXT = re.compile(r"(\\text\{)(.*?)(\})")
_TEXTBF = re.compile(r"(\\textbf\{)(.*?)(\})")
_OVERLINE = re.compile(r"(\\overline\{)(.*?)(\})")
_BOXED = re.compile(r"(\\boxed\{)(.*)(\})")
_FRAC_SHORT = re.compile(r"(frac)([^{])(.)")
_SQRT_SHORT = re.compile(r"(sqrt)([^{])")


def normalize_final_answer(text: str, variant: Variant = "lm-eval") -> str:
    """B6: Minerva's `normalize_final_answer`; `variant="verl"` is DAPO's copy (no `ft`
    deletion, trailing strip)."""
    if variant not in ("lm-eval", "verl"):
        raise ValueError(f"unknown normaliser variant {variant!r}")
    s = text.split("=")[-1]
    for before, after in _SUBSTITUTIONS:
        s = s.replace(before, after)
    for removed in _REMOVED if variant == "lm-eval" else _REMOVED_VERL:
        s = s.replace(removed, "")
    s = _DOLLAR_SEGMENT.sub(r"$\3$", s)
    s = _TEXT.sub(r"\2", s)
    s = _TEXTBF.sub(r"\2", s)
    s = _OVERLINE.sub(r"\2", s)
    s = _BOXED.sub(r"\2", s)
    s = _FRAC_SHORT.sub(r"frac{\2}{\3}", s)
    s = _SQRT_SHORT.sub(r"sqrt{\2}", s)
    s = s.replace("$", "")
    if s.replace(",", "").isdigit():  # str.isdigit, as the original (Unicode digits too)
        s = s.replace(",", "")
    return s.strip() if variant == "verl" else s


# ---------------------------------------------------------------- minerva gold (§4.1.5)


def minerva_last_boxed(text: str) -> str | None:
    """lm-eval's B1 variant: any `\\boxed ` (with a space) wins, giving `\\boxed ` plus the
    text after the last `\\boxed ` up to the first `$`; otherwise the B1 brace scan."""
    if "\\boxed " in text:
        return "\\boxed " + text.split("\\boxed ")[-1].split("$")[0]
    return last_boxed_only_string(text)


def minerva_remove_boxed(boxed: str | None) -> str | None:
    """lm-eval's B2 variant (accepts `\\boxed X`). The original asserts where this returns
    None (no box, `\\fbox{…}`)."""
    if boxed is None:
        return None
    if "\\boxed " in boxed:
        return boxed[len("\\boxed ") :] if boxed.startswith("\\boxed ") else None
    if boxed.startswith("\\boxed{") and boxed.endswith("}"):
        return boxed[len("\\boxed{") : -1]
    return None


# ---------------------------------------------------------------- minerva extraction (§4.1)

MINERVA_INVALID = "[invalidanswer]"
# Both dots are unescaped in the original: any character but a newline.
_MINERVA_PHRASE = re.compile(r"Final Answer: The final answer is(.*?). I hope it is correct.")


def minerva_unnormalized_answer(completion: str) -> str:
    """The stripped capture of the first phrase match (after appending the closing text),
    or `[invalidanswer]`."""
    match = _MINERVA_PHRASE.search(completion + "I hope it is correct.")
    return match.group(1).strip() if match else MINERVA_INVALID


# ---------------------------------------------------------------- minerva comparison (§4.3)

# Above these, simplify can allocate gigabytes before any outside timeout fires; the
# original would hit its 5 s alarm and score 0, so such pairs are judged False.
_MAX_DIGITS = 1_000_000
_MAX_SYMBOLIC_EXPONENT = 10_000
_MAX_FACTORIAL = 10_000


def _magnitude(expr):
    """|expr| as a sympy Float (arbitrary exponent range, so no overflow), or None when it
    is not a finite number."""
    try:
        value = abs(expr.evalf(15))
    except Exception:
        return None
    return value if value.is_Float or value.is_Integer or value.is_Rational else None


def is_too_big(expr) -> bool:
    """True when evaluating `expr` would build an absurdly large number (e.g.
    `10^{10^{10^{10}}}`, `100000!`) or expand a symbolic power above 10^4. Inner nodes are
    checked first, so every numeric evaluation done here stays small."""
    import sympy

    for node in sympy.postorder_traversal(expr):
        if isinstance(node, sympy.Pow):
            base, exp = node.args
            if exp.free_symbols:
                continue
            size = _magnitude(exp)
            if size is None or size <= _MAX_SYMBOLIC_EXPONENT:
                continue
            if base.free_symbols:
                return True
            magnitude = _magnitude(base)
            if magnitude is None or magnitude == 0 or magnitude == 1:
                continue
            if size * abs(sympy.log(magnitude, 10).evalf(15)) > _MAX_DIGITS:
                return True
        elif isinstance(node, (sympy.factorial, sympy.factorial2, sympy.subfactorial)):
            arg = node.args[0]
            size = None if arg.free_symbols else _magnitude(arg)
            if size is not None and size > _MAX_FACTORIAL:
                return True
    return False


def _parse_latex(text: str):
    try:
        from sympy.parsing.latex import parse_latex
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise AuditError(
            "the minerva profile needs sympy's LaTeX parser",
            "pip install 'antlr4-python3-runtime==4.11.1'",
        ) from exc
    return parse_latex(text)


@lru_cache(maxsize=4096)
def minerva_is_equiv(pred: str, gold: str) -> bool:
    """lm-eval `is_equiv`: parse both with sympy `parse_latex`, True iff
    `simplify(pred - gold) == 0`; any parse or comparison error gives False."""
    import sympy
    from sympy.parsing.latex.errors import LaTeXParsingError

    try:
        try:
            parsed_pred = _parse_latex(pred)
            parsed_gold = _parse_latex(gold)
        except (LaTeXParsingError, sympy.SympifyError, TypeError):
            return False
        try:
            diff = parsed_pred - parsed_gold
        except TypeError:
            return False
        if is_too_big(diff):
            return False
        try:
            return bool(sympy.simplify(diff) == 0)
        except ValueError:  # the original logs and falls through to None (falsy)
            return False
    except AuditError:
        raise
    except ImportError as exc:  # the original re-raises import errors too
        raise AuditError(
            f"the minerva profile cannot import a dependency: {exc}",
            "pip install 'antlr4-python3-runtime==4.11.1'",
        ) from exc
    except Exception:  # the original swallows everything else (and its timeout) as 0
        return False


class MinervaProfile(Profile):
    """lm-eval `minerva_math` exact_match."""

    name = "minerva"
    harness = "EleutherAI lm-evaluation-harness minerva_math (exact_match, metadata v3)"
    description = "first 'Final Answer: … I hope it is correct.' phrase; parse_latex + simplify"
    version = "1"
    notes = (
        "Runs sympy 1.14's parse_latex (ANTLR 4.11.1) where the original pins sympy 1.12. "
        "Expressions that would build numbers over a million digits (huge powers, "
        "factorials) or symbolic powers above 10^4 are judged False without simplifying; "
        "the original would time out after 5 s and score 0 as well. When a solution has "
        "no \\boxed{} (the original asserts), or none is given, the gold comes from "
        "\\boxed{answer}."
    )

    def prepare_gold(self, answer: str, solution: str | None = None) -> str:
        inner = minerva_remove_boxed(minerva_last_boxed(solution)) if solution else None
        if inner is None:
            inner = minerva_remove_boxed(minerva_last_boxed("\\boxed{" + answer + "}"))
        return normalize_final_answer(inner if inner is not None else answer, "lm-eval")

    def extract(self, completion: str) -> Extraction:
        raw = minerva_unnormalized_answer(completion)
        found = raw != MINERVA_INVALID
        return Extraction(normalize_final_answer(raw, "lm-eval"), found)

    def judge(self, extracted: str | None, gold: str) -> bool:
        if extracted is None:
            return False
        return minerva_is_equiv(extracted, gold)


# ---------------------------------------------------------------- dapo (§8)

DAPO_INVALID = "[INVALID]"
_DAPO_ANSWER = re.compile(r"(?i)Answer\s*:\s*([^\n]+)")
_DAPO_WINDOW = 300


def dapo_raw_answer(completion: str) -> str:
    """The last `Answer:` capture within the last 300 characters, or `[INVALID]`."""
    matches = _DAPO_ANSWER.findall(completion[-_DAPO_WINDOW:])
    return matches[-1] if matches else DAPO_INVALID


def dapo_score(completion: str, gold: str) -> float:
    """verl `math_dapo.compute_score` default mode: +1.0 if the normalised last `Answer:`
    line equals the normalised gold exactly, else -1.0 (no overlong shaping)."""
    pred = normalize_final_answer(dapo_raw_answer(completion), "verl")
    return 1.0 if pred == normalize_final_answer(gold, "verl") else -1.0


class DapoProfile(Profile):
    """verl `math_dapo.compute_score` (strict_box_verify=False)."""

    name = "dapo"
    harness = "volcengine/verl math_dapo.compute_score (default mode)"
    description = "last 'Answer:' line in the last 300 chars; Minerva normaliser; exact match"
    version = "1"
    notes = "Pure string rule; gold is the benchmark answer, normalised (never box-extracted)."

    def prepare_gold(self, answer: str, solution: str | None = None) -> str:
        return normalize_final_answer(answer, "verl")

    def extract(self, completion: str) -> Extraction:
        raw = dapo_raw_answer(completion)
        return Extraction(normalize_final_answer(raw, "verl"), raw != DAPO_INVALID)

    def judge(self, extracted: str | None, gold: str) -> bool:
        return extracted is not None and extracted == gold


MINERVA = MinervaProfile()
DAPO = DapoProfile()
