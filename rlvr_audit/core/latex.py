"""The one "last boxed answer" scan, shared by benchmarks (a gold answer taken from a worked
solution) and grading (an answer taken from a completion).

It is hendrycks MATH's `last_boxed_only_string` (GRADERS.md B1): the last `\\boxed`, and
only when the text has no `\\boxed` at all, the last `\\fbox`. So `\\boxed{3} ... \\fbox{4}`
gives `\\boxed{3}`. Graders must reproduce their harnesses to the letter, which is why this
rule, not "whichever box comes last", is the one everything uses.
"""

from __future__ import annotations

__all__ = ["last_boxed_only_string", "boxed_content"]


def last_boxed_only_string(text: str | None) -> str | None:
    """The last `\\boxed...` (or, without any `\\boxed`, the last `\\fbox...`), command
    included, up to the brace that closes its first group; None when absent or never closed."""
    if text is None:
        return None
    idx = text.rfind("\\boxed")
    if idx < 0:
        idx = text.rfind("\\fbox")
        if idx < 0:
            return None
    depth = 0
    for i in range(idx, len(text)):
        ch = text[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[idx : i + 1]
    return None


def boxed_content(text: str | None) -> str | None:
    """What the last box of `text` holds (inside its braces, stripped); `\\fbox{...}` counts
    too. None when `text` has no closed box."""
    span = last_boxed_only_string(text)
    if span is None:
        return None
    # The span ends with the brace that closes its first group, so a "{" is always present.
    return span[span.index("{") + 1 : -1].strip()
