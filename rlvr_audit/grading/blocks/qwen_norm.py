"""Qwen2.5-Math `strip_string` (GRADERS section 1.2), quirks included."""

from __future__ import annotations

import re

from rlvr_audit.grading.blocks.units import remove_units

__all__ = ["qwen_strip_string", "qwen_fix_fracs", "qwen_fix_a_slash_b", "convert_word_number", "leading_zero_then_rhs"]

_ARRAY_BEGIN = re.compile(r"\\begin\{array\}\{.*?\}")
_TRAILING_TEXT = re.compile(r"\\text\{.*?\}$")
_TEXT = re.compile(r"\\text\{(.*?)\}")
_MBOX = re.compile(r"\\mbox\{.*?\}")
_ZEROS_MID = re.compile(r"(\d+)\.0*([^\d])")
_ZEROS_END = re.compile(r"(\d+)\.0*$")
_SQRT_RUN = re.compile(r"\\sqrt(\w+)")
_VAR_PREFIXES = ("x=", "y=", "z=", "x\\in", "y\\in", "z\\in", "x\\to", "y\\to", "z\\to")


def convert_word_number(text: str) -> str:
    """word2number on the whole string; unchanged when it finds no number word."""
    try:
        from word2number import w2n

        return str(w2n.word_to_num(text))
    except Exception:
        return text


def fix_fracs(string: str, *, empty_raises: bool = True) -> str:
    """`\\frac12` -> `\\frac{1}{2}`; a too-short piece returns the input unchanged. MATH's
    original raises IndexError on an empty piece (`empty_raises`); Qwen's tolerates it."""
    pieces = string.split("\\frac")
    out = pieces[0]
    for piece in pieces[1:]:
        out += "\\frac"
        if (piece[0] if empty_raises else piece[:1]) == "{":
            out += piece
            continue
        if len(piece) < 2:
            return string
        a, b, rest = piece[0], piece[1], piece[2:]
        out += "{" + a + "}{" + b + "}" + rest if b != "{" else "{" + a + "}" + b + rest
    return out


def qwen_fix_fracs(string: str) -> str:
    """`\\frac12` -> `\\frac{1}{2}`; an empty or too-short piece returns the input unchanged."""
    return fix_fracs(string, empty_raises=False)


def fix_a_slash_b(string: str, *, sqrt_sides: bool = False) -> str:
    """`a/b` with integer sides -> `\\frac{a}{b}`; anything else is returned unchanged.
    Qwen's copy also accepts a side holding `sqrt` (`sqrt_sides`); MATH's does not."""
    parts = string.split("/")
    if len(parts) != 2:
        return string
    a, b = parts
    try:
        a_val = a if sqrt_sides and "sqrt" in a else int(a)
        b_val = b if sqrt_sides and "sqrt" in b else int(b)
        if string != f"{a_val}/{b_val}":
            return string
        return "\\frac{" + str(a_val) + "}{" + str(b_val) + "}"
    except Exception:
        return string


def qwen_fix_a_slash_b(string: str) -> str:
    """`a/b` with integer sides (or a side holding `sqrt`) -> `\\frac{a}{b}`."""
    return fix_a_slash_b(string, sqrt_sides=True)


def leading_zero_then_rhs(string: str) -> str:
    """`.5` -> `0.5`, then `k=5` -> `5` when the left side has at most two characters (a
    step of both MATH's and Qwen's `strip_string`)."""
    if string[:1] == ".":
        string = "0" + string
    sides = string.split("=")
    if len(sides) == 2 and len(sides[0]) <= 2:
        string = sides[1]
    return string


def qwen_strip_string(string, skip_unit: bool = False) -> str:
    """Qwen `strip_string`: 30 steps of GRADERS 1.2, in order."""
    string = str(string).strip()
    string = string.replace("\n", "")
    string = string.rstrip(".")
    string = string.replace("\\!", "")
    string = _ARRAY_BEGIN.sub(r"\\begin{pmatrix}", string)
    string = string.replace("\\end{array}", "\\end{pmatrix}")
    string = string.replace("bmatrix", "pmatrix")
    string = string.replace("tfrac", "frac").replace("dfrac", "frac")
    string = string.replace("\\neq", "\\ne").replace("\\leq", "\\le").replace("\\geq", "\\ge")
    string = string.replace("\\left", "").replace("\\right", "")
    string = string.replace("\\{", "{").replace("\\}", "}")
    trimmed = _TRAILING_TEXT.sub("", string).strip()
    if trimmed != "" and trimmed != string:
        string = trimmed
    if not skip_unit:
        string = remove_units(string)
    string = string.replace("^{\\circ}", "").replace("^\\circ", "")
    string = string.replace("\\$", "").replace("$", "")
    string = string.replace("\\(", "").replace("\\)", "")
    string = convert_word_number(string)
    string = _TEXT.sub(r"\1", string)
    for key in _VAR_PREFIXES:
        string = string.replace(key, "")
    string = string.replace("\\emptyset", "{}")
    string = string.replace("(-\\infty,\\infty)", "\\mathbb{R}")
    string = string.replace("\\%", "").replace("%", "")
    string = string.replace(" .", " 0.").replace("{.", "{0.")
    # (the original's bracket-unwrapping block needs isalnum() on a bracketed string: no-op)
    string = string.replace("infinity", "\\infty")
    if "\\infty" not in string:
        string = string.replace("inf", "\\infty")
    string = string.replace("+\\inity", "\\infty")
    string = string.replace("and", "").replace("\\mathbf", "")
    string = _MBOX.sub("", string)
    if "j" in string and "i" not in string:
        string = string.replace("j", "i")
    string = _ZEROS_MID.sub(r"\1\2", string)
    string = _ZEROS_END.sub(r"\1", string)
    if len(string) == 0:
        return string
    string = leading_zero_then_rhs(string)
    string = _SQRT_RUN.sub(r"\\sqrt{\1}", string)
    string = string.replace(" ", "")
    string = qwen_fix_fracs(string)
    string = qwen_fix_a_slash_b(string)
    return string
