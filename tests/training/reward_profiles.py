"""A test-only profile that is as naive as an unguarded grader (the pool's workers unpickle
it by module name): it rescans the text from every `\\boxed{` and evaluates power towers
exactly, so degenerate completions make it run for minutes to hours."""

from __future__ import annotations

import re

from rlvr_audit.grading.base import Extraction, Profile

_POWER = re.compile(r"^(\d+)\^\{(.*)\}$")


def _value(text: str | None):
    """An integer tower `a^{b^{...}}` computed exactly, like a CAS told to evaluate it."""
    if text is None:
        return None
    text = text.strip()
    match = _POWER.match(text)
    if match:
        return int(match.group(1)) ** _value(match.group(2))
    return int(text) if text.isdigit() else text


class NaiveProfile(Profile):
    """The last balanced `\\boxed{...}`, found by scanning forward from every occurrence."""

    name = "naive-boxed"
    version = "1"

    def extract(self, completion: str) -> Extraction:
        last = None
        start = completion.find("\\boxed{")
        while start != -1:  # quadratic when the braces never close
            depth = 0
            for j in range(start + 6, len(completion)):
                if completion[j] == "{":
                    depth += 1
                elif completion[j] == "}":
                    depth -= 1
                    if depth == 0:
                        last = completion[start + 7 : j]
                        break
            start = completion.find("\\boxed{", start + 1)
        return Extraction(last, last is not None)

    def judge(self, extracted, gold: str) -> bool:
        return _value(extracted) == _value(gold)


NAIVE = NaiveProfile()
