"""Minerva's answer normaliser (GRADERS.md B6), shared by the `minerva` profile (lm-eval's
copy) and the `dapo` profile (verl's copy, which drops the `ft` deletion and strips at the
end), so `normalize_final_answer` takes a `variant`."""

from __future__ import annotations

import re
from typing import Literal

__all__ = ["Variant", "normalize_final_answer"]

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

# B6 steps 4-5: (pattern, replacement), applied in this order. `.` never crosses a
# newline, as in the originals.
_PATTERN_STEPS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        (r"(.*?)(\$)(.*?)(\$)(.*)", r"$\3$"),
        (r"(\\text\{)(.*?)(\})", r"\2"),
        (r"(\\textbf\{)(.*?)(\})", r"\2"),
        (r"(\\overline\{)(.*?)(\})", r"\2"),
        (r"(\\boxed\{)(.*)(\})", r"\2"),
        (r"(frac)([^{])(.)", r"frac{\2}{\3}"),
        (r"(sqrt)([^{])", r"sqrt{\2}"),
    )
)


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
    for pattern, replacement in _PATTERN_STEPS:
        s = pattern.sub(replacement, s)
    s = s.replace("$", "")
    if s.replace(",", "").isdigit():  # str.isdigit, as the original (Unicode digits too)
        s = s.replace(",", "")
    return s.strip() if variant == "verl" else s
