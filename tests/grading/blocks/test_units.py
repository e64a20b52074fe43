"""GRADERS B4: the Qwen unit list and its two-pass removal."""

from __future__ import annotations


def _naive_remove_units(string: str) -> str:
    import re

    from rlvr_audit.grading.blocks.units import UNIT_TEXTS

    for _ in range(2):
        for unit in UNIT_TEXTS:
            candidate = re.sub(r"(^|\W)" + unit + r"($|\W)", r"\1\2", string)
            if candidate != "":
                string = candidate
    return string


def test_unit_removal_fast_path_matches_the_plain_regex_loop():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from rlvr_audit.grading.blocks.units import UNIT_TEXTS, remove_units

    assert len(UNIT_TEXTS) == 264 and UNIT_TEXTS[6] == " m east" and UNIT_TEXTS[132] == "easts"
    pieces = st.sampled_from(list(UNIT_TEXTS[:132]) + [" ", ".", "\\", "{", "}", "5", "x", "+", "_"])

    @settings(max_examples=300, deadline=None)
    @given(st.lists(pieces, max_size=8))
    def check(parts):
        text = "".join(parts)
        assert remove_units(text) == _naive_remove_units(text)

    check()
    for text in ["\\pm", "a . m", "p . m", "q .s", "3 sq . m", "m m", "10 cm", "rs . 5"]:
        assert remove_units(text) == _naive_remove_units(text)
