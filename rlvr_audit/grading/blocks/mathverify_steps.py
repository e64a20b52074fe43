"""math-verify's `parse` split into the two steps of the profile interface, for the
`math-verify` and `sober` profiles (GRADERS.md §3), on the installed math-verify library.

The library's `parse` is one step; a profile wants two (extract, then a cacheable judge).
`extract_parse` replays `parse`'s search loop with the library's own regexes (plus
match-preserving lookaheads, see `guarded`) and `extract_match`, stops at the first
candidate that parses, and records that candidate's regex groups (plus `parse`'s
first-match fallback string) as JSON. `judge_parsed` rebuilds the same sympy object from
those groups with the same library call, so it equals `verify(parse(gold), parse(c))` by
construction (checked over real completions in tests/grading/profiles/test_math_verify.py).

Timeouts: the library's calls run with `parsing_timeout=None` / `timeout_seconds=None`
(its SIGALRM breaks in threads and counts wall time). `extract_parse(..., limit_s=5.0)`
reproduces the library's own 5 s parsing limit instead, counted in CPU seconds: when a
text could make the library's unguarded regexes backtrack (`may_backtrack`), the
library's own search is replayed in a forked child (`blocks.cpu_budget`), and a search
that needs more than `limit_s` CPU seconds gives no answer, as `parse` returns [] when
its limit fires. Everything else is timed out by the grading pool.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import groupby
from typing import Any

from rlvr_audit.grading.base import Extraction
from rlvr_audit.grading.blocks.compat import ensure_latex2sympy_compat, silence_math_verify_timeout_warning
from rlvr_audit.grading.blocks.cpu_budget import finishes_within
from rlvr_audit.grading.blocks.safety import is_too_big

__all__ = [
    "LIBRARY_LIMIT_S",
    "PERCENT_NOTE",
    "configs",
    "extract_parse",
    "guarded",
    "judge_parsed",
    "may_backtrack",
    "rebuild_parse",
]

LIBRARY_LIMIT_S = 5.0  # math-verify's default parsing_timeout (and verify's timeout_seconds)


@dataclass(frozen=True)
class _Groups:
    """Stands in for an `re.Match`: the library's `extract_match` reads only
    `groupdict()`. Frozen, so its lru_cache keys by value."""

    items: tuple[tuple[str, str], ...]

    def groupdict(self) -> dict[str, str]:
        return dict(self.items)


def _configs(kind: str) -> tuple:
    """The extraction configs of a side; index into it is stored in the extraction."""
    from math_verify import ExprExtractionConfig, LatexExtractionConfig

    if kind == "default":  # parse()'s default config, in its order
        return (LatexExtractionConfig(), ExprExtractionConfig())
    if kind == "sober-pred":
        return (ExprExtractionConfig(), LatexExtractionConfig(boxed_match_priority=0))
    if kind == "sober-gold":
        return (LatexExtractionConfig(),)
    raise ValueError(kind)


_CONFIGS: dict[str, tuple] = {}


def configs(kind: str) -> tuple:
    """The (cached) extraction configs for `kind`: "default", "sober-pred" or "sober-gold"."""
    if kind not in _CONFIGS:
        _CONFIGS[kind] = _configs(kind)
    return _CONFIGS[kind]


# The library's LaTeX environment patterns read `<open>(?P<..latexX>C*?\\boxed{C+?}C*?)<close>`.
# When <close> never comes (e.g. one stray `$` before 1,000 `\boxed{}`), Python's
# backtracking tries every (prefix, box, end) split before failing: cubic, minutes of CPU.
# Each content class C is a per-character test that cannot step over its own closing
# delimiter, so the only possible close is where a possessive C-scan stops. A lookahead
# asserting that close exists is therefore implied by every match: inserted right after
# the opening delimiter it changes no match, span or group (it captures nothing), and
# makes a hopeless start fail after one linear scan. Keys: the group-name suffix.
_CLOSE_GUARDS: dict[str, str] = {
    "latexDisplayDollar": r"(?=(?:[^$]|\$(?!\$))*+(?<!\\)\$\$)",
    "latexDisplayBracket": r"(?=(?:[^\\]|\\(?!\]))*+(?<!\\)\\\])",
    "latexInlineDollar": r"(?=(?:\\[$]|[^\n$])*+(?<!\\)\$)",
    "latexInlineParenthesis": r"(?=(?:[^\\\n]|\\(?!\)))*+(?<!\\)\\\))",
    "latexInlineBracket": r"(?=[^\n\]\[]*+\]\s)",
}
# The guards are proven for exactly this (opening delimiter, content class) in the source.
_SHAPES: dict[str, tuple[str, str]] = {
    "latexDisplayDollar": (r"(?<!\\)\$\$", r"(?:[^$]|\$(?!\$))"),
    "latexDisplayBracket": (r"(?<!\\)\\\[", r"(?:[^\\]|\\(?!\]))"),
    "latexInlineDollar": (r"(?<!\\|\d)\$", r"(?:\\[$]|[^\n$])"),
    "latexInlineParenthesis": (r"(?<!\\)\\\(", r"(?:[^\\\n]|\\(?!\)))"),
    "latexInlineBracket": (r"\s\[", r"[^\n\]\[]"),
}
_GROUP_OPEN = re.compile(r"\(\?P<(\w*?)(" + "|".join(_CLOSE_GUARDS) + r")>")


def guarded(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """`pattern` with a close-exists lookahead after each LaTeX environment opener (see
    `_CLOSE_GUARDS`); same matches, linear failure. Raises if the library's source is not
    the shape the guards were proven for (e.g. a new math-verify version)."""
    source = pattern.pattern
    pieces: list[str] = []
    last = 0
    for found in _GROUP_OPEN.finditer(source):
        suffix = found.group(2)
        opener, content = _SHAPES[suffix]
        if not (source[: found.start()].endswith(opener) and source.startswith(content, found.end())):
            raise RuntimeError(f"math-verify regex changed near group {found.group(0)!r}")
        pieces += [source[last : found.start()], _CLOSE_GUARDS[suffix]]
        last = found.start()
    pieces.append(source[last:])
    return re.compile("".join(pieces), pattern.flags)


@cache
def _regexes(kind: str, fast: bool = True) -> list[tuple[Any, int, int]]:
    """(pattern, config index, priority), sorted by priority as `parse` groups them;
    `fast` swaps in the `guarded` patterns (`fast=False`: the library's own, for tests)."""
    from math_verify.parser import get_extraction_regexes

    found = get_extraction_regexes(configs(kind))
    rows = [
        (guarded(pattern) if fast else pattern, index, priority)
        for index, (patterns, _config) in enumerate(found)
        for pattern, priority in patterns
    ]
    return sorted(rows, key=lambda row: row[2])  # stable, as the library's sorted()


def _search(text: str, kind: str, fast: bool = True) -> tuple[dict | None, str | None]:
    """Replay of the library's `extract_target_from_pred` (fallback `first_match`,
    extraction `any_match`): returns (the first candidate that parses, as
    {"c": config index, "g": groups}, or None; the first fallback string, or None)."""
    from math_verify.parser import extract_match

    kind_configs = configs(kind)
    fallback: str | None = None
    for _priority, group in groupby(_regexes(kind, fast), key=lambda row: row[2]):
        matches = [(match, index) for pattern, index, _ in group for match in pattern.finditer(text)]
        # rightmost end first; ties: earlier start first (the library's sort key)
        matches.sort(key=lambda m: (m[0].end(), -m[0].start()), reverse=True)
        for match, index in matches:
            groups = _Groups(tuple((k, v) for k, v in match.groupdict().items() if v is not None))
            parsed, as_string = extract_match(groups, kind_configs[index])
            if as_string and fallback is None:
                fallback = as_string
            if parsed is not None:
                return {"c": index, "g": [list(item) for item in groups.items]}, fallback
    return None, fallback


# A LaTeX opener whose close-exists guard fails: where the library's own regexes backtrack.
_HOPELESS = re.compile("|".join(_SHAPES[k][0] + "(?!" + _CLOSE_GUARDS[k][3:] for k in _CLOSE_GUARDS))


# Below this (boxes after the opener x characters after it), the library's failed search
# takes under 0.05 CPU s (measured: 100 boxes x 1,000 characters, 0.15-0.22 s; 200 x 2,000,
# 0.9-1.7 s; 1,018 x 10,000 on a real completion, over 10 s), 100 times under its limit.
BACKTRACK_WORK = 20_000


def may_backtrack(text: str) -> bool:
    """Whether the library's unguarded search could take noticeable time on `text`: a LaTeX
    opener never closes (see `_CLOSE_GUARDS`) and enough `\\boxed` follow it. Otherwise
    the guarded and the library's patterns fail about equally fast."""
    found = _HOPELESS.search(text)
    if found is None:
        return False
    rest = text[found.start() :]
    return rest.count("\\boxed") * len(rest) >= BACKTRACK_WORK


def _library_parse_finishes(text: str, kind: str, limit_s: float) -> bool:
    """Whether the library's own `parse` search (unguarded regexes) on `text` ends within
    `limit_s` CPU seconds; replayed in a child process, so nothing here can hang."""
    return finishes_within(lambda: _search(text, kind, fast=False), limit_s)


def extract_parse(text: str, kind: str, limit_s: float | None = None) -> Extraction:
    """The extraction step of `parse(text, configs(kind))` as a JSON string. With
    `limit_s`, a search the library could not finish within `limit_s` CPU seconds gives
    no answer (the library's `parse` returns [] when its own limit fires)."""
    try:
        candidate, fallback = _search(text, kind)
    except Exception:  # parse() turns any error into []
        return Extraction(None, False)
    if candidate is None and fallback is None:
        return Extraction(None, False)
    if limit_s is not None and may_backtrack(text) and not _library_parse_finishes(text, kind, limit_s):
        return Extraction(None, False)
    payload = {"m": candidate, "f": fallback}
    shown = fallback
    if shown is None and candidate is not None:
        shown = str(rebuild_parse(json.dumps(payload), kind)[0])
    return Extraction(json.dumps(payload, ensure_ascii=False), True, shown)


def rebuild_parse(extracted: str, kind: str) -> list:
    """The list `parse` would have returned, from `extract_parse`'s JSON."""
    from math_verify.parser import extract_match

    payload = json.loads(extracted)
    result: list = []
    candidate = payload.get("m")
    if candidate is not None:
        groups = _Groups(tuple((str(k), str(v)) for k, v in candidate["g"]))
        parsed, _ = extract_match(groups, configs(kind)[int(candidate["c"])])
        if parsed is not None:
            result.append(parsed)
    if payload.get("f"):
        result.append(payload["f"])
    return result


def _too_big(items: list) -> bool:
    import sympy

    for item in items:
        if isinstance(item, sympy.MatrixBase):
            if any(is_too_big(element) for element in item):
                return True
        elif isinstance(item, sympy.Basic) and is_too_big(item):
            return True
    return False


@lru_cache(maxsize=256)
def _parse_gold(gold: str, kind: str) -> tuple:
    from math_verify import parse

    if kind == "default":
        return tuple(parse(gold, parsing_timeout=None))
    parsed = parse(gold, list(configs("sober-gold")), parsing_timeout=None)
    return tuple(parsed) if parsed else (gold,)  # Sober: raw gold string when nothing parses


def judge_parsed(extracted: str | None, gold: str, pred_kind: str, gold_kind: str, rounding: int) -> bool:
    """`verify(parse(gold), parse(completion))` from `extract_parse`'s JSON and the gold
    string, with the configs of `pred_kind` / `gold_kind` and `rounding` decimals."""
    from math_verify import verify

    if extracted is None:
        return False  # parse() returned []: verify(gold, []) is False
    gold_items = list(_parse_gold(gold, gold_kind))
    pred_items = rebuild_parse(extracted, pred_kind)
    # verify's simplify would allocate without bound; the library's own 5 s limit would
    # have fired first, which it scores False.
    if _too_big(gold_items) or _too_big(pred_items):
        return False
    return verify(gold_items, pred_items, float_rounding=rounding, timeout_seconds=None)


# latex2sympy2_extended 1.11's ANTLR-4.11 parser (4.11 is pinned for sympy's parse_latex)
# crashes on percentages; the shim restores the 4.13 behaviour, so verdicts match GRADERS.md.
ensure_latex2sympy_compat()
silence_math_verify_timeout_warning()  # limits are measured by this project, not SIGALRM

PERCENT_NOTE = (
    "Percentages parse as value/100 (a shim fixes latex2sympy2_extended 1.11's ANTLR-4.11 "
    "parser, which otherwise drops them): gold 0.25 vs \\boxed{25\\%} is True, as with 0.8.0. "
    "Rare completions with hundreds of \\boxed{} after an unclosed $, \\[ or \\( make the "
    "library's regexes backtrack for minutes (its 5 s limit then returns no answer: False); "
    "lookaheads that change no match let the same search finish in milliseconds here."
)
TIMED_NOTE = (
    "The library's 5 s parsing limit is kept as a verdict: when a completion could make the "
    "library's regexes backtrack (an unclosed $, \\[ or \\( before a \\boxed), the library's "
    "own search is replayed in a child process, and one that needs over 5 CPU seconds gives "
    "no answer (False), as the library does. CPU seconds, not the library's wall-clock "
    "SIGALRM, so a busy machine does not change verdicts. "
)
UNTIMED_NOTE = (
    "No parsing limit: a completion on which the library's search would exceed its 5 s limit "
    "(and score False) is searched to the end here, and gets the answer the library would "
    "find given unlimited time. "
)
