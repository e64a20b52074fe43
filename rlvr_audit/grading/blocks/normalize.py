"""String normalisers of the Hendrycks family: MATH's `_strip_string` / `is_equiv` (GRADERS
B3), PRM800K's mathd normalisation and `_normalize` (B5), and understand-r1-zero's
mathd variant (section 7.1). Quirks (asserts, IndexErrors, fall-backs) are reproduced."""

from __future__ import annotations

import re
from collections.abc import Callable

from rlvr_audit.grading.blocks.qwen_norm import (
    _ARRAY_BEGIN,
    _TRAILING_TEXT,
    fix_a_slash_b,
    fix_fracs,
    leading_zero_then_rhs,
)
from rlvr_audit.grading.blocks.units import remove_units

__all__ = [
    "hendrycks_strip_string",
    "is_equiv",
    "mathd_normalize",
    "r1z_mathd_normalize",
    "prm_normalize",
    "strip_properly_formatted_commas",
    "str_is_int",
]


def _remove_right_units(string: str) -> str:
    if "\\text{ " in string:
        splits = string.split("\\text{ ")
        if len(splits) != 2:
            raise AssertionError("more than one '\\text{ '")
        return splits[0]
    return string


def _fix_sqrt(string: str) -> str:
    if "\\sqrt" not in string:
        return string
    splits = string.split("\\sqrt")
    out = splits[0]
    for split in splits[1:]:
        if split[0] != "{":  # empty piece -> IndexError, as in the original
            out += "\\sqrt{" + split[0] + "}" + split[1:]
        else:
            out += "\\sqrt" + split
    return out


def _b3_tail(string: str) -> str:
    """B3 steps 6-18 (shared by the Hendrycks and the r1z normalisers)."""
    string = string.replace("^{\\circ}", "").replace("^\\circ", "")
    string = string.replace("\\$", "")
    string = _remove_right_units(string)
    string = string.replace("\\%", "")
    string = string.replace(" .", " 0.").replace("{.", "{0.")
    if len(string) == 0:
        return string
    string = leading_zero_then_rhs(string)
    string = _fix_sqrt(string)
    string = string.replace(" ", "")
    string = fix_fracs(string)
    if string == "0.5":
        string = "\\frac{1}{2}"
    return fix_a_slash_b(string)


def hendrycks_strip_string(string: str) -> str:
    """B3 steps 1-18; may raise (AssertionError/IndexError) like the original."""
    string = string.replace("\n", "").replace("\\!", "").replace("\\\\", "\\")
    string = string.replace("tfrac", "frac").replace("dfrac", "frac")
    string = string.replace("\\left", "").replace("\\right", "")
    return _b3_tail(string)


def is_equiv(str1: str | None, str2: str | None) -> bool:
    """B3 step 19: MATH's comparison wrapper (None/None is True)."""
    if str1 is None and str2 is None:
        return True
    if str1 is None or str2 is None:
        return False
    try:
        return hendrycks_strip_string(str1) == hendrycks_strip_string(str2)
    except Exception:
        return str1 == str2


_WHOLE_TEXT = re.compile(r"^\\text\{(?P<text>.+?)\}$")


def _unwrap_text(s: str) -> str | None:
    m = _WHOLE_TEXT.search(s)
    return m.group("text") if m is not None else None


def _unwrap_then(answer: str | None, strip: Callable[[str], str]) -> str | None:
    """Strip, unwrap a whole `\\text{..}`, then `strip`; the unwrapped string on error."""
    if answer is None:
        return None
    answer = answer.strip()
    try:
        inner = _unwrap_text(answer)
        if inner is not None:
            answer = inner.strip()
        return strip(answer)
    except Exception:
        return answer


def mathd_normalize(answer: str | None) -> str | None:
    """B5 step 1: strip, unwrap a whole `\\text{..}`, B3; the unwrapped string on error."""
    return _unwrap_then(answer, hendrycks_strip_string)


def _r1z_strip_string(string: str) -> str:
    string = string.replace("\n", "").replace("\\!", "").replace("\\\\", "\\")
    string = _ARRAY_BEGIN.sub(r"\\begin{pmatrix}", string)
    string = string.replace("\\end{array}", "\\end{pmatrix}").replace("bmatrix", "pmatrix")
    string = string.replace("tfrac", "frac").replace("dfrac", "frac")
    string = string.replace("\\neq", "\\ne").replace("\\leq", "\\le").replace("\\geq", "\\ge")
    string = string.replace("\\left", "").replace("\\right", "")
    trimmed = _TRAILING_TEXT.sub("", string).strip()
    if trimmed != "" and trimmed != string:
        string = trimmed
    string = remove_units(string)
    return _b3_tail(string)


def r1z_mathd_normalize(answer: str | None) -> str | None:
    """understand-r1-zero's mathd normalisation (GRADERS 7.1)."""
    return _unwrap_then(answer, _r1z_strip_string)


# ---- B5 step 2: `_normalize` -------------------------------------------------------

_PRM_UNITS = (
    "degree",
    "cm",
    "centimeter",
    "meter",
    "mile",
    "second",
    "minute",
    "hour",
    "day",
    "week",
    "month",
    "year",
    "foot",
    "feet",
    "inch",
    "yard",
)
_UNIT_RES = tuple(re.compile(u + r"(es)?(s)? *(\^[0-9]+)?") for u in _PRM_UNITS)
_CIRC = re.compile(r"\^ *\\circ")
_THIN_COMMA = re.compile(r",\\! *")
_MINUS_SPACE = re.compile(r"- *")
_MIXED = re.compile(r"([0-9]) +([0-9])")
_PROPER_COMMA = re.compile(r"(\d)(,)(\d\d\d)($|\D)")


def _is_float(s: str) -> bool:
    try:
        float(s)
        return True
    except ValueError:
        return False


def _is_int(x: float) -> bool:
    try:
        return abs(x - int(round(x))) <= 1e-7
    except Exception:
        return False


def strip_properly_formatted_commas(expr: str) -> str:
    while True:
        nxt = _PROPER_COMMA.sub(r"\1\3\4", expr)
        if nxt == expr:
            return nxt
        expr = nxt


def str_is_int(x: str) -> bool:
    try:
        val = float(strip_properly_formatted_commas(x))
        return abs(val - int(round(val))) <= 1e-7
    except Exception:
        return False


def _latex_to_text(expr: str) -> str:
    import logging

    from pylatexenc import latex2text

    # pylatexenc logs a warning for every malformed macro in model text; the verdict
    # already accounts for it (the original ignores them too).
    logging.getLogger("pylatexenc").setLevel(logging.ERROR)

    expr = expr.replace("\\tfrac", "\\frac").replace("\\dfrac", "\\frac")
    expr = expr.replace("\\frac", " \\frac")  # keeps mixed numbers apart
    expr = latex2text.LatexNodes2Text().latex_to_text(expr)
    for src, dst in (("√", "sqrt"), ("π", "pi"), ("∞", "inf"), ("∪", "U"), ("·", "*"), ("×", "*")):
        expr = expr.replace(src, dst)
    return expr.strip()


def prm_normalize(expr: str | None) -> str | None:
    """B5 step 2 (`_normalize`)."""
    if expr is None:
        return None
    inner = _unwrap_text(expr)
    if inner is not None:
        expr = inner
    expr = expr.replace("\\%", "%").replace("\\$", "$").replace("$", "").replace("%", "")
    expr = expr.replace(" or ", " , ").replace(" and ", " , ")
    expr = expr.replace("million", "*10^6").replace("billion", "*10^9")
    expr = expr.replace("trillion", "*10^12")
    for unit_re in _UNIT_RES:
        expr = unit_re.sub("", expr)
    expr = _CIRC.sub("", expr)
    if len(expr) > 0 and expr[0] == "{" and expr[-1] == "}":
        expr = expr[1:-1]
    expr = _THIN_COMMA.sub("", expr)
    if _is_float(expr) and _is_int(float(expr)):
        expr = str(int(round(float(expr))))
    if "\\" in expr:
        try:
            expr = _latex_to_text(expr)
        except Exception:
            pass
    expr = _MINUS_SPACE.sub("-", expr)
    expr = _MIXED.sub(r"\1+\2", expr)
    expr = expr.replace(" ", "").replace("{", "").replace("}", "")
    expr = expr.lower()
    if str_is_int(expr):
        expr = str(int(float(expr.replace(",", ""))))
    return expr
