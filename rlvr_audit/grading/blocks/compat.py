"""Compatibility shims for the pinned parser stack.

sympy's `parse_latex` needs antlr4-python3-runtime 4.11.x, so latex2sympy2_extended (used
by math-verify and as Qwen's latex2sympy stand-in) loads its ANTLR-4.11 generated parser.
In latex2sympy2_extended 1.11.0 that generated parser is one grammar revision behind:
`AtomContext` lacks `FUNC_GAMMA()`, and `convert_atom` checks that branch before the
percentage branch, so every `15\\%`-style atom raises AttributeError (math-verify then
silently drops the percent). Giving the context a `FUNC_GAMMA()` that matches nothing
restores the 4.13 behaviour (`15\\%` -> 15/100) without touching anything else.
"""

from __future__ import annotations

_DONE = False


def ensure_latex2sympy_compat() -> None:
    """Idempotent: add the missing `AtomContext.FUNC_GAMMA` to the 4.11 parser if absent."""
    global _DONE
    if _DONE:
        return
    _DONE = True
    try:
        from latex2sympy2_extended.gen.antlr4_11_0 import PSParser as parser_411
    except Exception:  # another antlr version or layout: nothing to fix
        return
    atom = getattr(parser_411.PSParser, "AtomContext", None)
    if atom is not None and not hasattr(atom, "FUNC_GAMMA"):
        atom.FUNC_GAMMA = lambda self, i=None: None


def silence_math_verify_timeout_warning() -> None:
    """math-verify warns (once per process, so once per grading worker) that its timeouts
    are off; here that is deliberate: the pool times items out from outside."""
    import math_verify.grader as mv_grader
    import math_verify.parser as mv_parser

    for module in (mv_grader, mv_parser):
        if hasattr(module, "TIMEOUT_WARNING_SHOWN"):
            module.TIMEOUT_WARNING_SHOWN = True
