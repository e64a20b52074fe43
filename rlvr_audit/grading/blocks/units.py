"""GRADERS B4: the Qwen (MathQA) unit list and its two-pass removal, quirks included:
entries are regex-unescaped (`.` matches anything), case-sensitive, and delimiters are
consumed, so `\\pm` loses its `m` and `a+b` its `a`."""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["UNIT_TEXTS", "remove_units"]

# The 132 base entries, in the original order (misspellings, duplicates and the leading
# space of " m east" included).
_BASE_UNITS: tuple[str, ...] = (
    "east",
    "degree",
    "mph",
    "kmph",
    "ft",
    "m sqaure",
    " m east",
    "sq m",
    "deg",
    "mile",
    "q .",
    "monkey",
    "prime",
    "ratio",
    "profit of rs",
    "rd",
    "o",
    "gm",
    "p . m",
    "lb",
    "tile",
    "per",
    "dm",
    "lt",
    "gain",
    "ab",
    "way",
    "west",
    "a .",
    "b .",
    "c .",
    "d .",
    "e .",
    "f .",
    "g .",
    "h .",
    "t",
    "a",
    "h",
    "no change",
    "men",
    "soldier",
    "pie",
    "bc",
    "excess",
    "st",
    "inches",
    "noon",
    "percent",
    "by",
    "gal",
    "kmh",
    "c",
    "acre",
    "rise",
    "a . m",
    "th",
    "π r 2",
    "sq",
    "mark",
    "l",
    "toy",
    "coin",
    "sq . m",
    "gallon",
    "° f",
    "profit",
    "minw",
    "yr",
    "women",
    "feet",
    "am",
    "pm",
    "hr",
    "cu cm",
    "square",
    "v â € ™",
    "are",
    "rupee",
    "rounds",
    "cubic",
    "cc",
    "mtr",
    "s",
    "ohm",
    "number",
    "kmph",
    "day",
    "hour",
    "minute",
    "min",
    "second",
    "man",
    "woman",
    "sec",
    "cube",
    "mt",
    "sq inch",
    "mp",
    "∏ cm ³",
    "hectare",
    "more",
    "sec",
    "unit",
    "cu . m",
    "cm 2",
    "rs .",
    "rs",
    "kg",
    "g",
    "month",
    "km",
    "m",
    "cm",
    "mm",
    "apple",
    "liter",
    "loss",
    "yard",
    "pure",
    "year",
    "increase",
    "decrease",
    "d",
    "less",
    "Surface",
    "litre",
    "pi sq m",
    "s .",
    "metre",
    "meter",
    "inch",
)

UNIT_TEXTS: tuple[str, ...] = _BASE_UNITS + tuple(u + "s" for u in _BASE_UNITS)
assert len(_BASE_UNITS) == 132 and len(UNIT_TEXTS) == 264


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[tuple[str, ...], re.Pattern], ...]:
    """(literal fragments, regex) per entry. Unescaped on purpose: the original builds the
    regex from the raw entry, where `.` is the only metacharacter present. A match needs
    every `.`-separated fragment as a substring: that cheap test skips most of the 528
    substitutions without changing any result."""
    return tuple((tuple(f for f in u.split(".") if f), re.compile(r"(^|\W)" + u + r"($|\W)")) for u in UNIT_TEXTS)


def remove_units(string: str) -> str:
    """Two passes over the 264 entries; a substitution that empties the string is dropped."""
    for _ in range(2):
        for fragments, pattern in _patterns():
            if not all(f in string for f in fragments):
                continue
            candidate = pattern.sub(r"\1\2", string)
            if candidate != "":
                string = candidate
    return string
