"""The math-only gate: the ONLY check before model text reaches sympy's `parse_expr`,
`sympify`, `N()` or `Expr.equals` (all of which call Python `eval`).

`is_safe_expr(text)` accepts digits, operators, brackets, single letters, unknown
identifiers made of letters (sympy turns those into Symbols) and a whitelist of function
names; it rejects `__`, attribute access, quotes, backslashes, keywords such as `lambda`,
Python builtins, sympy API names that are not whitelisted, overlong text, and sizes that
would make sympy eat gigabytes (power towers, huge exponents, huge factorials).

`is_bounded_size(text)` is the size part alone, for parsers that do not eval (parse_latex,
latex2sympy, math-verify) but whose output sympy would still evaluate. `is_too_big(expr)`
is the same guard on an already parsed sympy expression, before `simplify`.

A caller that gets False treats the step as "parse failed", which is exactly the
original harnesses' "exception -> not equal" path, so verdicts on honest math do not move.
"""

from __future__ import annotations

import builtins
import keyword
import math
import re
import unicodedata
from functools import lru_cache

__all__ = ["is_safe_expr", "is_bounded_size", "is_too_big", "MAX_EXPR_CHARS", "SAFE_FUNCTIONS"]

MAX_EXPR_CHARS = 1000
MAX_LATEX_CHARS = 2000

# Function/constant names sympy may see as such. Anything else that is a sympy or Python
# name is refused; names that are neither become plain Symbols.
SAFE_FUNCTIONS: frozenset[str] = frozenset(
    [
        "sqrt",
        "cbrt",
        "root",
        "pi",
        "oo",
        "zoo",
        "nan",
        "E",
        "I",
        "exp",
        "log",
        "ln",
        "sin",
        "cos",
        "tan",
        "cot",
        "sec",
        "csc",
        "asin",
        "acos",
        "atan",
        "acot",
        "asec",
        "acsc",
        "atan2",
        "sinh",
        "cosh",
        "tanh",
        "coth",
        "asinh",
        "acosh",
        "atanh",
        "Abs",
        "abs",
        "sign",
        "floor",
        "ceiling",
        "factorial",
        "binomial",
        "gcd",
        "lcm",
        "re",
        "im",
        "arg",
        "conjugate",
        "Rational",
        "Integer",
        "Float",
        "Matrix",
        "Eq",
        "Ne",
        "Lt",
        "Le",
        "Gt",
        "Ge",
        "And",
        "Or",
        "Not",
        "Interval",
        "Union",
        "FiniteSet",
        "Tuple",
        "degree",
    ]
)

# Characters that can appear in a Python-syntax math expression.
_ALLOWED_CHARS = re.compile(r"^[\w\s+\-*/^()\[\]{},.=<>!%|&~:]*$")
_IDENT = re.compile(r"[^\W\d]\w*")
_ATTRIBUTE = re.compile(r"\.\s*[^\W\d]")  # `.name` (a decimal point is followed by a digit)

_POW = r"(?:\^|\*\*)"
_OPEN = r"[\s{(\[]*"
# a ^ b ^ c with numeric b and c (the tower part); a may be anything.
_TOWER = re.compile(_POW + _OPEN + r"(\d+(?:\.\d*)?)" + r"[\s})\]]*" + _POW + _OPEN + r"(\d+(?:\.\d*)?)")
_BIG_EXP = re.compile(_POW + _OPEN + r"-?\s*(\d+)")
_BIG_FACT = re.compile(r"(\d+)\s*[})\]]*\s*!")
_MAX_EXPONENT = 100_000
_MAX_FACTORIAL = 100_000


@lru_cache(maxsize=1)
def _forbidden_names() -> frozenset[str]:
    names = set(dir(builtins)) | set(keyword.kwlist) | set(keyword.softkwlist)
    try:  # every name `parse_expr` would resolve from sympy's namespace
        namespace: dict = {}
        exec("from sympy import *", namespace)
        names |= set(namespace)
    except Exception:  # pragma: no cover - sympy missing: builtins still refused
        pass
    return frozenset(names - SAFE_FUNCTIONS)


def _too_big_number(digits: str, limit: int) -> bool:
    return len(digits) > len(str(limit)) or int(digits) > limit


def is_bounded_size(text: str, max_chars: int = MAX_LATEX_CHARS) -> bool:
    """False for text too long, or with a numeric power tower / exponent / factorial big
    enough to make sympy's evaluation blow up (e.g. `10^{10^{10}}`, `10**10**10`)."""
    if not isinstance(text, str) or len(text) > max_chars:
        return False
    for base, exp in _TOWER.findall(text):
        try:
            if float(exp) * math.log10(max(float(base), 1.0)) > 4:  # inner power > 10^4
                return False
        except (ValueError, OverflowError):
            return False
    for digits in _BIG_EXP.findall(text):
        if _too_big_number(digits, _MAX_EXPONENT):
            return False
    for digits in _BIG_FACT.findall(text):
        if _too_big_number(digits, _MAX_FACTORIAL):
            return False
    return True


def is_safe_expr(text: str) -> bool:
    """True only for plain math that `parse_expr`/`sympify` may evaluate harmlessly."""
    if not isinstance(text, str):
        return False
    # Python folds identifiers with NFKC (full-width `ｅｖａｌ` is `eval`): check that form.
    norm = unicodedata.normalize("NFKC", text)
    if not is_bounded_size(norm, MAX_EXPR_CHARS):
        return False
    if "__" in norm or "\\" in norm or "lambda" in norm:
        return False
    if not norm.isascii() or not _ALLOWED_CHARS.match(norm):
        return False
    if _ATTRIBUTE.search(norm):
        return False
    forbidden = _forbidden_names()
    for ident in _IDENT.findall(norm):
        if ident.startswith("_"):
            if re.fullmatch(r"_\d+", ident):  # digit grouping as in `1_000`
                continue
            return False
        if len(ident) == 1 or ident in SAFE_FUNCTIONS:
            continue
        if ident in forbidden:
            return False
    return True


# ---- parsed expressions -------------------------------------------------------------

# Above these, simplify can allocate gigabytes before any outside timeout fires; the
# original would hit its 5 s alarm and score 0, so such pairs are judged False.
_MAX_PARSED_DIGITS = 1_000_000
_MAX_PARSED_SYMBOLIC_EXPONENT = 10_000
_MAX_PARSED_FACTORIAL = 10_000


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
            if size is None or size <= _MAX_PARSED_SYMBOLIC_EXPONENT:
                continue
            if base.free_symbols:
                return True
            magnitude = _magnitude(base)
            if magnitude is None or magnitude == 0 or magnitude == 1:
                continue
            if size * abs(sympy.log(magnitude, 10).evalf(15)) > _MAX_PARSED_DIGITS:
                return True
        elif isinstance(node, (sympy.factorial, sympy.factorial2, sympy.subfactorial)):
            arg = node.args[0]
            size = None if arg.free_symbols else _magnitude(arg)
            if size is not None and size > _MAX_PARSED_FACTORIAL:
                return True
    return False
