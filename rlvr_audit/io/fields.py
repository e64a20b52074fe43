"""Find the fields of generation records (files other tools wrote, read with
`io.records.read_records`) that hold the completion, the gold answer and the solution."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rlvr_audit.core.errors import AuditError

__all__ = ["ANSWER_FIELDS", "COMPLETION_FIELDS", "ID_FIELDS", "SAMPLE_FIELDS", "SOLUTION_FIELDS", "pick_field"]

COMPLETION_FIELDS = ("completion", "response", "output", "generation", "model_output", "text")
ANSWER_FIELDS = ("answer", "gold", "ground_truth", "target", "expected_answer")
SOLUTION_FIELDS = ("solution",)
ID_FIELDS = ("id", "unique_id", "problem_id", "idx", "question_id")
SAMPLE_FIELDS = ("sample", "sample_index", "sample_idx")


def pick_field(records: Sequence[dict[str, Any]], preferred: str | None, candidates: Sequence[str], role: str) -> str:
    """The field that holds `role` ("completion", "answer", "solution"): `preferred` when
    given (it must exist), else the first of `candidates` present in the first record.
    Raises AuditError naming the fields found and the option to pass (--<role>-field)."""
    found = list(records[0]) if records else []
    option = f"--{role}-field"
    if preferred is not None:
        if preferred in found:
            return preferred
        raise AuditError(
            f"no field '{preferred}' for the {role} (fields found: {', '.join(found) or 'none'})",
            f"pass {option} with one of those",
        )
    for name in candidates:
        if name in found:
            return name
    raise AuditError(
        f"cannot tell which field holds the {role}: none of {', '.join(candidates)} "
        f"(fields found: {', '.join(found) or 'none'})",
        f"pass {option} NAME",
    )
