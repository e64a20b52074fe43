"""Comparators: PRM800K `grade_answer` (GRADERS B5) and Qwen2.5-Math `math_equal` /
`symbolic_equal` (section 1.4). Every sympy call that can reach Python `eval` on model
text (`parse_expr`, `sympify`, `N`, `Expr.equals` on a raw string) is gated by
`rlvr_audit.grading.blocks.safety`; a refused step counts as an exception, i.e. not equal."""

from __future__ import annotations

import math
import re
from functools import lru_cache

from rlvr_audit.grading.blocks.compat import ensure_latex2sympy_compat
from rlvr_audit.grading.blocks.extract import choice_answer_clean
from rlvr_audit.grading.blocks.normalize import (
    mathd_normalize,
    prm_normalize,
    str_is_int,
    strip_properly_formatted_commas,
)
from rlvr_audit.grading.blocks.safety import is_bounded_size, is_safe_expr

__all__ = ["grade_answer", "grade_answer_sympy", "math_equal", "symbolic_equal", "parse_digits"]


class _Refused(Exception):
    """The safety gate refused a string: the step behaves like a failed parse."""


# ---- B5 ---------------------------------------------------------------------------

_BAD_SUBSTRINGS = ("^{", "^(")
_BAD_REGEXES = (re.compile(r"\^[0-9]+\^"), re.compile(r"\^[0-9][0-9]+"))
_FRAC = re.compile(r"^-?[0-9]+.?/0*[1-9][0-9]*.?$")
_TUPLE_CHARS = "()[]"


def _should_allow_eval(expr: str) -> bool:
    letters = {c for c in expr.replace("sqrt", "").replace("frac", "") if c.isalpha()}
    if len(letters) > 2:
        return False
    if any(bad in expr for bad in _BAD_SUBSTRINGS):
        return False
    return not any(r.search(expr) for r in _BAD_REGEXES)


def _equal_under_sympy(gt_norm: str, given_norm: str) -> bool:
    try:
        expr = f"({gt_norm})-({given_norm})"
        if not _should_allow_eval(expr) or not is_safe_expr(expr):
            return False
        import sympy
        from sympy.parsing import sympy_parser as sp

        diff = sp.parse_expr(
            expr.replace("^", "**"),
            transformations=sp.standard_transformations + (sp.implicit_multiplication_application,),
        )
        return sympy.simplify(diff) == 0
    except Exception:
        return False


def _split_tuple(expr: str) -> list[str]:
    expr = strip_properly_formatted_commas(expr)
    if len(expr) == 0:
        return []
    if (
        len(expr) > 2
        and expr[0] in _TUPLE_CHARS
        and expr[-1] in _TUPLE_CHARS
        and all(ch not in expr[1:-1] for ch in _TUPLE_CHARS)
    ):
        return [e.strip() for e in expr[1:-1].split(",")]
    return [expr]


def grade_answer_sympy(given: str | None, ground_truth: str) -> bool:
    """B5 step 3 items 3-6 (`_normalize`, tuple split, fraction/integer rules, sympy)."""
    if given is None:
        return False
    gt_norm = prm_normalize(ground_truth)
    given_norm = prm_normalize(given)
    if gt_norm is None:
        return False
    if gt_norm == given_norm:
        return True
    if len(given_norm) == 0:
        return False
    gt_elems, given_elems = _split_tuple(gt_norm), _split_tuple(given_norm)
    if len(gt_elems) > 1 and (gt_norm[0] != given_norm[0] or gt_norm[-1] != given_norm[-1]):
        return False
    if len(gt_elems) != len(given_elems):
        return False
    for gt_elem, given_elem in zip(gt_elems, given_elems):
        if _FRAC.search(gt_elem) and _FRAC.search(given_elem):
            ok = gt_elem == given_elem  # unreduced fractions must not pass
        elif str_is_int(gt_elem) != str_is_int(given_elem):
            ok = False
        else:
            ok = _equal_under_sympy(gt_elem, given_elem)
        if not ok:
            return False
    return True


def grade_answer(given: str | None, ground_truth: str) -> bool:
    """B5 `grade_answer(given, ground_truth)` (PRM800K / ttrl)."""
    if given is None:
        return False
    if mathd_normalize(ground_truth) == mathd_normalize(given):
        return True
    return grade_answer_sympy(given, ground_truth)


# ---- Qwen math_equal ----------------------------------------------------------------


def parse_digits(num) -> float | None:
    """Qwen `parse_digits`: float() after deleting all commas, or a percentage / 100."""
    num = str(num).replace(",", "")
    try:
        return float(num)
    except Exception:
        pass
    if num.endswith("%"):
        num = num[:-1]
        if num.endswith("\\"):
            num = num[:-1]
        try:
            return float(num) / 100
        except Exception:
            pass
    return None


def _numeric_equal(prediction: float, reference: float) -> bool:
    return math.isclose(reference, prediction, rel_tol=1e-4)


def _str_to_pmatrix(text: str) -> str:
    groups = re.findall(r"\{.*,.*\}", text.strip())
    out = []
    for group in groups:
        group = group.strip("{}")
        out.append("\\begin{pmatrix}" + group.replace(",", "\\") + "\\end{pmatrix}")
    return ", ".join(out)


_BRACKETED = re.compile(r"(\(|\[).+(\)|\])")
_MATRIX_BEGIN = ("\\begin{pmatrix}", "\\begin{bmatrix}")
_MATRIX_END = ("\\end{pmatrix}", "\\end{bmatrix}")


def _matrix_rows(s: str) -> list[str]:
    body = s[len("\\begin{pmatrix}") : -len("\\end{pmatrix}")]
    return [line.strip() for line in body.split("\\\\") if line.strip()]


def _matrices_equal(prediction: str, reference: str) -> bool:
    pred_lines, ref_lines = _matrix_rows(prediction), _matrix_rows(reference)
    if len(pred_lines) != len(ref_lines):
        return False
    for pred_line, ref_line in zip(pred_lines, ref_lines):
        pred_parts, ref_parts = pred_line.split("&"), ref_line.split("&")
        if len(pred_parts) != len(ref_parts):
            return False
        if not all(math_equal(p, r) for p, r in zip(pred_parts, ref_parts)):
            return False
    return True


def math_equal(prediction, reference, include_percentage: bool = True, is_close: bool = True) -> bool:
    """Qwen2.5-Math `math_equal` (GRADERS 1.4), with no internal timeout."""
    if prediction is None or reference is None:
        return False
    if str(prediction.strip().lower()) == str(reference.strip().lower()):
        return True
    if reference in ("A", "B", "C", "D", "E") and choice_answer_clean(prediction) == reference:
        return True
    try:
        pred_num, ref_num = parse_digits(prediction), parse_digits(reference)
        if pred_num is not None and ref_num is not None:
            targets = [ref_num / 100, ref_num, ref_num * 100] if include_percentage else [ref_num]
            for item in targets:
                try:
                    if is_close and _numeric_equal(pred_num, item):
                        return True
                    if not is_close and item == pred_num:
                        return True
                except Exception:
                    continue
            return False
    except Exception:
        pass
    if not prediction:
        return False
    reference, prediction = str(reference).strip(), str(prediction).strip()
    if "pmatrix" in prediction and "pmatrix" not in reference:
        reference = _str_to_pmatrix(reference)
    pred_str, ref_str = prediction, reference
    if (prediction.startswith("[") and prediction.endswith("]") and not reference.startswith("(")) or (
        prediction.startswith("(") and prediction.endswith(")") and not reference.startswith("[")
    ):
        pred_str, ref_str = pred_str.strip("[]()"), ref_str.strip("[]()")
    for ch in "{}()":
        ref_str, pred_str = ref_str.replace(ch, ""), pred_str.replace(ch, "")
    if pred_str.lower() == ref_str.lower():
        return True
    if _BRACKETED.match(prediction) and _BRACKETED.match(reference):
        pred_parts, ref_parts = prediction[1:-1].split(","), reference[1:-1].split(",")
        if len(pred_parts) == len(ref_parts) and all(
            math_equal(p, r, include_percentage, is_close) for p, r in zip(pred_parts, ref_parts)
        ):
            return True
    if (
        prediction.startswith(_MATRIX_BEGIN)
        and prediction.endswith(_MATRIX_END)
        and reference.startswith(_MATRIX_BEGIN)
        and reference.endswith(_MATRIX_END)
    ):
        if _matrices_equal(prediction, reference):
            return True
    if prediction.count("=") == 1 and reference.count("=") == 1:
        p_l, p_r = prediction.split("=")
        r_l, r_r = reference.split("=")
        pred = f"{p_l.strip()} - ({p_r.strip()})"
        ref = f"{r_l.strip()} - ({r_r.strip()})"
        if symbolic_equal(pred, ref) or symbolic_equal(f"-({pred})", ref):
            return True
    elif prediction.count("=") == 1 and len(prediction.split("=")[0].strip()) <= 2 and "=" not in reference:
        if math_equal(prediction.split("=")[1], reference, include_percentage, is_close):
            return True
    elif reference.count("=") == 1 and len(reference.split("=")[0].strip()) <= 2 and "=" not in prediction:
        if math_equal(prediction, reference.split("=")[1], include_percentage, is_close):
            return True
    return symbolic_equal(prediction, reference)


# ---- symbolic_equal -------------------------------------------------------------------


def _parse_latex(s: str):
    if not is_bounded_size(s):
        raise _Refused(s)
    from sympy.parsing.latex import parse_latex

    return parse_latex(s)


def _parse_expr(s: str):
    if not is_safe_expr(s):
        raise _Refused(s)
    from sympy.parsing.sympy_parser import parse_expr

    return parse_expr(s)


def _top_level_items(s: str) -> list[str] | None:
    """The items of a list separated by `,` or `;` outside every bracket, or None when
    `s` is not such a list."""
    items, depth, start = [], 0, 0
    for i, ch in enumerate(s):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch in ",;" and depth == 0:
            items.append(s[start:i])
            start = i + 1
    if not items:
        return None
    return [*items, s[start:]]


def _latex2sympy(s: str):
    """Stand-in for Qwen's bundled latex2sympy2 (reached only when both parsers above
    fail): latex2sympy2_extended, made to fail or answer where the original does. The
    original's lexer has no token for any non-ASCII character and its error listener
    raises, so `12π` fails there (latex2sympy2_extended reads it as 12*pi); a bare list
    `a, b` or `a; b` is the original's relation list, a Python list in order (latex2sympy2_
    extended makes a FiniteSet, which prints like a parsed `{a, b}` and ignores order).
    docs/grading-fidelity.md counts what each rule changes on real outputs."""
    if not is_bounded_size(s):
        raise _Refused(s)
    if not s.isascii():
        raise _Refused(s)
    items = _top_level_items(s)
    if items is not None:
        return [_latex2sympy_one(item) for item in items]
    return _latex2sympy_one(s)


def _latex2sympy_one(s: str):
    from latex2sympy2_extended import latex2sympy

    ensure_latex2sympy_compat()
    return latex2sympy(s)


@lru_cache(maxsize=4096)
def _sym_parse_cached(s: str):
    for parser in (_parse_latex, _parse_expr, _latex2sympy):
        unescaped = s.replace("\\\\", "\\")
        try:
            return parser(unescaped)
        except Exception:
            if unescaped == s:  # the parsers are deterministic: same input, same failure
                continue
            try:
                return parser(s)
            except Exception:
                pass
    return s


def _sym_parse(s: str):
    """Qwen's `_parse`: parse_latex, parse_expr, latex2sympy; each on the string with `\\\\`
    unescaped, then raw; the raw string when all fail. Results are cached (golds repeat);
    sympy expressions are immutable, mutable results (matrices, lists) are copied."""
    result = _sym_parse_cached(s)
    if isinstance(result, list):
        return list(result)
    return result.copy() if getattr(result, "is_Matrix", False) else result


def _sympifiable(x) -> bool:
    """`N(x)` / `y.equals(x)` call sympify(x): only allowed on safe raw strings."""
    return not isinstance(x, str) or is_safe_expr(x)


def symbolic_equal(a: str, b: str) -> bool:
    """Qwen `symbolic_equal` (GRADERS 1.4); each failing step is skipped."""
    from sympy import N, simplify

    a, b = _sym_parse(a), _sym_parse(b)
    try:
        if str(a) == str(b) or a == b:
            return True
    except Exception:
        pass
    try:
        if not _sympifiable(b):  # equals() would sympify an unsafe raw string
            raise _Refused(b)
        if a.equals(b):
            return True
        if simplify(a - b) == 0:
            return True
    except Exception:
        pass
    try:
        if abs(a.lhs - a.rhs).equals(abs(b.lhs - b.rhs)):
            return True
    except Exception:
        pass
    try:
        if _sympifiable(a) and _sympifiable(b) and _numeric_equal(float(N(a)), float(N(b))):
            return True
    except Exception:
        pass
    try:
        if a.shape == b.shape:
            if a.applyfunc(lambda x: round(x, 3)).equals(b.applyfunc(lambda x: round(x, 3))):
                return True
    except Exception:
        pass
    return False
