"""Turning raw benchmark rows into Problems: field mapping, answer conventions, ids.

Answer conventions (the gold string a harness sees, kept as the benchmark stores it):
- `####` answers (GSM8K): the answer is the text after the last `####`, stripped; the text
  before it becomes the solution. Thousands separators ("2,125") are kept; profiles
  normalise.
- list answers (OlympiadBench `final_answer`): items joined with ", ", each kept as stored
  (including any `$`).
- numbers (AMC `answer` 27.0): `str(value)`, i.e. "27.0". This is the string that the
  Qwen2.5-Math and Spurious Rewards (ttrl) harnesses read from the same JSONL files, so
  profiles that compare strings see what the original harness saw. The raw value is kept
  in `meta["answer_raw"]`.
- no answer column but a solution (Minerva): the content of the solution's last `\\boxed{}`,
  found by the same scan as the graders' (`core.latex`): `\\fbox{}` only when there is no
  `\\boxed` at all.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.latex import boxed_content
from rlvr_audit.core.types import Problem

ROLES = ("question", "answer", "solution", "id")

# Tried in order when a benchmark's default column is absent from the data.
ALIASES: dict[str, tuple[str, ...]] = {
    "question": ("question", "problem", "prompt", "query", "input"),
    "answer": ("answer", "final_answer", "gold", "expected_answer", "ground_truth", "target"),
    "solution": ("solution", "solutions", "rationale"),
    "id": ("unique_id", "id", "idx", "problem_id"),
}


def resolve_fields(
    columns: Sequence[str],
    defaults: Mapping[str, str],
    user: Mapping[str, str] | None,
    *,
    where: str,
    answer_from_solution: bool,
) -> dict[str, str]:
    """Map each role to a column: user's choice, else the benchmark default, else an alias."""
    present = set(columns)
    shown = ", ".join(sorted(present)) or "(none)"
    user = dict(user or {})
    unknown_roles = set(user) - set(ROLES)
    if unknown_roles:
        raise AuditError(
            f"unknown field role(s) {sorted(unknown_roles)} for {where}",
            f"map only {', '.join(ROLES)} (e.g. question=problem)",
        )
    mapping: dict[str, str] = {}
    for role in ROLES:
        if role in user:
            if user[role] not in present:
                raise AuditError(
                    f"field '{user[role]}' (for {role}) is not in {where}; fields found: {shown}",
                    f"map {role} to one of the fields found",
                )
            mapping[role] = user[role]
            continue
        for col in (defaults.get(role), *ALIASES[role]):
            if col and col in present:
                mapping[role] = col
                break
    if "question" not in mapping:
        raise AuditError(
            f"no question field in {where}; fields found: {shown}",
            "name it with fields={'question': FIELD} (--field question=FIELD)",
        )
    if "answer" not in mapping and not (answer_from_solution and "solution" in mapping):
        raise AuditError(
            f"no answer field in {where}; fields found: {shown}",
            "name it with fields={'answer': FIELD} (--field answer=FIELD)",
        )
    return mapping


def answer_text(value: Any) -> str | None:
    """The gold answer as a string, following the conventions in the module docstring."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return str(value)
    if isinstance(value, (list, tuple)):
        items = [answer_text(v) for v in value]
        return ", ".join(i for i in items if i)
    return str(value).strip()


def solution_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return "\n\n".join(str(v) for v in value)
    return str(value)


def _json_safe(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return str(value)


def rows_to_problems(
    name: str,
    rows: Sequence[Mapping[str, Any]],
    mapping: Mapping[str, str],
    *,
    where: str,
) -> tuple[Problem, ...]:
    """Problems from rows; ids follow `unique_id` as is, else "<name>-<id or index>"."""
    problems: list[Problem] = []
    used = {mapping[r] for r in ROLES if r in mapping}
    for index, row in enumerate(rows):
        question = row.get(mapping["question"])
        if not isinstance(question, str) or not question.strip():
            raise AuditError(
                f"problem {index} in {where} has no question text (field '{mapping['question']}')",
                "fix the row or map question to another field",
            )
        raw_solution = row.get(mapping["solution"]) if "solution" in mapping else None
        solution = solution_text(raw_solution)
        meta: dict[str, Any] = {}
        raw_answer = row.get(mapping["answer"]) if "answer" in mapping else None
        answer = answer_text(raw_answer)
        if answer is not None and "####" in answer:
            before, _, after = answer.rpartition("####")
            answer = after.strip()
            if solution is None:
                solution = before.strip()
        if raw_answer is not None and not isinstance(raw_answer, str):
            meta["answer_raw"] = _json_safe(raw_answer)
        if not answer and solution:
            answer = boxed_content(solution)
            if answer is not None:
                meta["answer_source"] = "solution_last_boxed"
        if not answer:
            raise AuditError(
                f"problem {index} in {where} has no answer",
                "fix the row or map answer to another field",
            )
        pid = _problem_id(name, row, mapping.get("id"), index)
        for key, value in row.items():
            if key in used or (isinstance(value, str) and value == question):
                continue
            meta[key] = _json_safe(value)
        problems.append(Problem(pid, question, answer, solution, meta))
    _check_unique_ids(problems, where)
    return tuple(problems)


def _problem_id(name: str, row: Mapping[str, Any], column: str | None, index: int) -> str:
    if column is None or row.get(column) in (None, ""):
        return f"{name}-{index}"
    value = row[column]
    if column == "unique_id":
        return str(value)
    return f"{name}-{value}"


def _check_unique_ids(problems: Sequence[Problem], where: str) -> None:
    seen: set[str] = set()
    for p in problems:
        if p.id in seen:
            raise AuditError(
                f"problem id '{p.id}' appears twice in {where}",
                "map id to a unique field (fields={'id': FIELD}) or remove duplicates",
            )
        seen.add(p.id)
