"""The B6 (Minerva) answer normaliser in both variants: lm-eval's (minerva) and verl's (dapo)."""

from __future__ import annotations

import pytest

from rlvr_audit.grading.blocks.minerva_norm import normalize_final_answer

# (raw, lm-eval result, verl result)
NORMALIZE_CASES = [
    ("x = 5", "5", "5"),  # text after the last "="
    ("an integer 5", "integer5", "integer5"),  # leading article dropped, spaces removed
    (r"\left( 3, \frac{\pi}{2} \right)", r"\le(3,\frac{\pi}{2}\right)", r"\left(3,\frac{\pi}{2}\right)"),
    (r"(2,\infty)", r"(2,\iny)", r"(2,\infty)"),  # "ft" is deleted only by lm-eval
    (r"\frac9{19}", r"\frac{9}{{}19}", r"\frac{9}{{}19}"),
    ("3, 5, 7", "357", "357"),  # commas dropped when only digits remain
    ("12,000", "12000", "12000"),
    ("1,x", "1,x", "1,x"),  # commas stay unless only digits remain
    (r"\text{(C)}", "(C)", "(C)"),
    (r"\textbf{5}", "5", "5"),
    (r"\overline{3}", "3", "3"),
    (r"\boxed{\frac{1}{2}}", r"\frac{1}{2}", r"\frac{1}{2}"),
    (r"\sqrt2", r"\sqrt{2}", r"\sqrt{2}"),
    (r"\frac12", r"\frac{1}{2}", r"\frac{1}{2}"),
    (r"\dfrac{1}{2}", r"\dfrac{1}{2}", r"\dfrac{1}{2}"),  # dfrac is not normalised
    ("5 dollars", "5", "5"),
    (r"90^\circ", "90", "90"),
    (r"\$5", "5", "5"),
    (r"5 \text{ cm}", "5", "5"),
    (r"4\text{ ft}", "4", "4ft"),  # verl keeps "ft"
    ("$1$ and $2$", "1", "1"),  # only the first $…$ segment
    ("5\n", "5\n", "5"),  # verl strips at the end
    (r"\$1,\!000", "1000", "1000"),
]


@pytest.mark.parametrize("raw,lm_eval,verl", NORMALIZE_CASES)
def test_normalize_final_answer(raw, lm_eval, verl):
    assert normalize_final_answer(raw, "lm-eval") == lm_eval
    assert normalize_final_answer(raw, "verl") == verl


def test_normalize_rejects_unknown_variant():
    with pytest.raises(ValueError):
        normalize_final_answer("5", "other")  # type: ignore[arg-type]
