"""How the Qwen2.5-Math harness treats each benchmark (its `data_name`).

Facts from QwenLM/Qwen2.5-Math `evaluation/parser.py` (`parse_ground_truth`,
`extract_answer`, `run_execute`) and `math_eval.py` (`main`, `evaluate`):

- `math` (MATH-500 here, and any benchmark the harness has no branch for): the gold is
  the last box of the solution, normalised once; the multiple-choice filter sees it
  normalised twice. The prediction is normalised twice, with unit removal.
- `minerva_math`: `strip_string(..., skip_unit=True)` on the prediction (both times) and
  on the solution's last box; the gold is then left as it is (only `\\neq`/`\\leq`/`\\geq`
  are rewritten), so it is normalised once, without unit removal, for the filter too.
- `gsm8k` (text after `####`), `aime24`, `amc23` (`answer`), `olympiadbench` (first item
  of `final_answer`, `$` stripped from both ends): the stored field is normalised once
  when loaded (what the multiple-choice filter sees) and again by `evaluate`, so the
  compared gold is normalised twice.

The tool's `amc` (83 problems) is not a Qwen data set; it is graded like `amc23` (the
same `answer` field and branch).
"""

from __future__ import annotations

from rlvr_audit.grading.blocks.choice import SEP
from rlvr_audit.grading.blocks.extract import qwen_extract_raw, qwen_postprocess
from rlvr_audit.grading.blocks.qwen_norm import qwen_strip_string

__all__ = ["DATA_NAMES", "MINERVA", "qwen_data_name", "qwen_gold", "qwen_extract", "split_gold"]

MINERVA = "minerva_math"
# Tool benchmark name -> the harness's data_name. Absent (and math500): the `math` path.
DATA_NAMES: dict[str, str] = {
    "minerva": MINERVA,
    "minerva_math": MINERVA,  # the harness's own name, accepted too
    "gsm8k": "gsm8k",
    "aime24": "aime24",
    "amc23": "amc23",
    "amc": "amc23",
    "olympiadbench": "olympiadbench",
}
_FIELD_GOLD = frozenset({"gsm8k", "aime24", "amc23", "olympiadbench"})


def qwen_data_name(benchmark: str | None) -> str | None:
    """The data_name for `benchmark`; None for the `math` path (MATH-500, unknown data)."""
    return DATA_NAMES.get(benchmark) if benchmark else None


def qwen_extract(text: str, data_name: str | None) -> tuple[str, bool]:
    """`extract_answer(text, data_name)`: one strip_string, without unit removal for
    minerva_math; and whether anything was found."""
    raw = qwen_extract_raw(text)
    if raw is None:  # `boxed` at the very end: "" without normalisation
        return "", False
    return qwen_strip_string(qwen_postprocess(raw), skip_unit=data_name == MINERVA), raw.strip() != ""


def _ne_le_ge(s: str) -> str:
    return s.replace("\\neq", "\\ne").replace("\\leq", "\\le").replace("\\geq", "\\ge")


def qwen_gold(answer: str, solution: str | None, answers: tuple[str, ...] | None, data_name: str) -> str:
    """The gold the harness compares for a non-`math` data_name, with the gold its
    multiple-choice filter sees packed behind it when the two differ (`split_gold`)."""
    if data_name == MINERVA:
        source = solution if solution else "\\boxed{" + str(answer) + "}"
        return _ne_le_ge(qwen_extract(source, MINERVA)[0])
    if data_name not in _FIELD_GOLD:
        raise ValueError(f"no Qwen2.5-Math gold rule for data_name {data_name!r}")
    field = str(answer)
    if data_name == "gsm8k" and "####" in field:  # a whole GSM8K answer: the text after `####`
        field = field.rpartition("####")[2]
    if data_name == "olympiadbench":
        field = (answers[0] if answers else field).strip("$")
    once = qwen_strip_string(field)
    return qwen_strip_string(once) + SEP + once


def split_gold(gold: str) -> tuple[str, str | None]:
    """(compared gold, filter gold or None when it is the compared one's own rule)."""
    compared, sep, filtered = gold.partition(SEP)
    return compared, (filtered if sep else None)
