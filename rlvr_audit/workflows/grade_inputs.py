"""The records of one generations file that `grade FILE` grades, each checked
(`io.intake`): a completion must be text and a gold answer present; duplicated records
and conflicting gold answers are refused, or settled by `--dedupe`.

Keys. A record is keyed by its id (the first of `io.fields.ID_FIELDS` the file has) and,
where the file has one, its sample index (`SAMPLE_FIELDS`), within its group (with
`--group-by`) and its template (a `template` field). A file without an id field is not
checked for duplicates or conflicting golds: nothing says which records belong together.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.io.fields import ID_FIELDS, SAMPLE_FIELDS
from rlvr_audit.io.intake import Intake, Notify, RecordKey, drop_duplicates, require_text, settle_golds
from rlvr_audit.io.records import Records

SAMPLE_HINT = "or, if they are separate samples, give each its index in a 'sample' field"


def take_in(
    records: Records,
    path: Path,
    completion_field: str,
    answer_field: str,
    *,
    groups: list[str],
    grouped: bool,
    intake: Intake,
    notify: Notify,
) -> Iterator[tuple[int, str, Any]]:
    """(index, completion, gold answer) of every record to grade, in file order; `groups[i]`
    is record i's group and `grouped` says whether it came from --group-by."""
    completions = []
    for index, record in enumerate(records):
        completions.append(
            require_text(records, index, completion_field, path, role="completion", option="--completion-field")
        )
        if record.get(answer_field) is None:
            raise AuditError(
                f"{path}: {records.where(index)}: the gold answer '{answer_field}' is "
                + ("missing" if answer_field not in record else "null"),
                "fill it in or delete that line (or pass --answer-field)",
            )
    id_field = next((f for f in ID_FIELDS if f in records[0]), None)
    if id_field is None:
        for index, record in enumerate(records):
            yield index, completions[index], record[answer_field]
        return
    sample_field = next((f for f in SAMPLE_FIELDS if f in records[0]), None)
    keys = [_key(r, id_field, sample_field, groups[i] if grouped else None) for i, r in enumerate(records)]
    kept = drop_duplicates(records, keys, path, intake, notify, sample_hint=SAMPLE_HINT)
    golds = [
        (i, RecordKey(keys[i].id, scope=keys[i].scope[:1] if grouped else ()), _gold_text(records[i][answer_field]))
        for i in kept
        if keys[i] is not None
    ]
    source = settle_golds(records, golds, path, intake, notify)
    for index in kept:
        yield index, completions[index], records[source.get(index, index)][answer_field]


def _key(record: dict[str, Any], id_field: str, sample_field: str | None, group: str | None) -> RecordKey | None:
    if record.get(id_field) is None:
        return None
    scope = (("group", group),) if group is not None else ()
    if "template" in record:
        scope += (("template", str(record["template"])),)
    sample = record.get(sample_field) if sample_field else None
    return RecordKey(str(record[id_field]), None if sample is None else str(sample), scope)


def _gold_text(value: Any) -> str:
    # what the graders compare against (grade_files._as_text), less surrounding blanks
    text = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return text.strip()
