"""Take in a record file that a user hands `grade` or `import`, so that nothing in it is
lost or changed silently (docs/input-files.md):

- a torn last line (an unfinished write) is kept out with a warning naming the line, or
  refused under `strict`;
- two records with one key are an error naming both lines, unless `dedupe` ("first" or
  "last") keeps one of them; what was dropped is reported;
- one id with different gold answers is an error naming both lines, unless `dedupe` grades
  every record of the id against its first (or last) gold; that is reported too;
- a completion that is not text (a number, null, a list) is an error naming the line.

Keys. Where records carry a sample index, a key is (scope, id, sample) and two records
with one key are duplicates. Where samples are numbered by their position in the file (no
sample field), no key can repeat; there a duplicate is a record identical to another of
its id *that gives the id more samples than most ids of its scope have*: sampled outputs
repeat identical completions (7 of 8 samples of one problem, in real Qwen2.5-Math
outputs), so an identical record alone is no duplicate.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rlvr_audit.core.errors import AuditError
from rlvr_audit.io.records import Records, read_records

__all__ = [
    "DEDUPE_CHOICES",
    "Intake",
    "Notify",
    "RecordKey",
    "drop_duplicates",
    "read_user_records",
    "require_text",
    "settle_golds",
    "warn_on_stderr",
]

Dedupe = Literal["first", "last"]
DEDUPE_CHOICES = ("first", "last")
Notify = Callable[[str], None]
DEDUPE_FIX = "pass --dedupe first|last to keep one"


def warn_on_stderr(message: str) -> None:
    """The default `notify`: one "warning: ..." line on stderr (stdout stays data)."""
    print(f"warning: {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Intake:
    """How a user's record file is taken in: `strict` refuses a torn last line instead of
    keeping it out; `dedupe` keeps the first or last of duplicated records (and gold
    answers) instead of refusing them."""

    strict: bool = False
    dedupe: Dedupe | None = None

    def __post_init__(self) -> None:
        if self.dedupe is not None and self.dedupe not in DEDUPE_CHOICES:
            raise AuditError(f"--dedupe '{self.dedupe}' is not first or last", "pass --dedupe first or --dedupe last")


@dataclass(frozen=True)
class RecordKey:
    """What identifies one record: its id and sample index (None where samples are numbered
    by position), within a scope of named parts such as (("group", "base"),)."""

    id: str
    sample: Any = None
    scope: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        text = f"id '{self.id}'" + (f" sample {self.sample}" if self.sample is not None else "")
        if self.scope:
            text += " (" + ", ".join(f"{name} '{value}'" for name, value in self.scope) + ")"
        return text


def read_user_records(path: str | Path, intake: Intake, notify: Notify = warn_on_stderr) -> Records:
    """The records of a generations file: a torn last line is kept out and reported through
    `notify`, or, under `intake.strict`, an AuditError naming the line."""
    records = read_records(path, torn_tail="skip")
    if records.torn_tail_skipped:
        line = records.torn_line
        if intake.strict:
            raise AuditError(
                f"{path}: line {line}, the last, is torn (an unfinished write: no newline at the end, not valid JSON)",
                "delete that line or finish the job that writes the file (without --strict it is kept out)",
            )
        notify(f"{path}: line {line} is torn (an unfinished write); 1 record kept out — pass --strict to refuse")
    return records


def require_text(records: Records, index: int, field: str, path: str | Path, *, role: str, option: str) -> str:
    """records[index][field] when it is a string; else an AuditError naming file, line and fix
    (a number, list or null is never turned into text silently)."""
    record = records[index]
    value = record.get(field)
    if isinstance(value, str):
        return value
    where = f"{path}: {records.where(index)}"
    if value is None:
        state = "is missing" if field not in record else "is null"
        raise AuditError(f"{where}: the {role} '{field}' {state}", f"fill it in or delete that line (or pass {option})")
    kind = {bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "an object"}
    shown = json.dumps(value, ensure_ascii=False)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    raise AuditError(
        f"{where}: the {role} '{field}' is {kind.get(type(value), type(value).__name__)} ({shown}), not text",
        f"write it as a JSON string, or pass {option} with the field that holds the {role}",
    )


@dataclass(frozen=True)
class _Duplicates:
    key: RecordKey
    indices: tuple[int, ...]  # records holding the key, in file order
    surplus: int  # how many of them to drop
    samples: int = 0  # samples numbered by position: how many the id has ...
    usual: int = 0  # ... and how many most ids of its scope have

    def describe(self, records: Records) -> str:
        lines = _lines(records, self.indices)
        if not self.usual:
            return f"{lines} {'both' if len(self.indices) == 2 else 'all'} hold {self.key.describe()}"
        return (
            f"{lines} hold the same record of {self.key.describe()}, which makes {self.samples} samples "
            f"where most ids have {self.usual}"
        )


def drop_duplicates(
    records: Records,
    keys: Sequence[RecordKey | None],
    path: str | Path,
    intake: Intake,
    notify: Notify = warn_on_stderr,
    *,
    sample_hint: str = "",
) -> list[int]:
    """Indices of the records to keep, in file order. `keys[i]` is record i's key (None: it
    cannot be keyed, it is kept). Duplicates are an AuditError naming their lines unless
    `intake.dedupe`, which keeps the first or last of each and reports what it dropped;
    `sample_hint` adds to the fix where identical records might be separate samples."""
    found = _find_duplicates(records, keys)
    if not found:
        return list(range(len(records)))
    example = found[0].describe(records)
    if intake.dedupe is None:
        more = f" ({len(found) - 1} more keys are duplicated)" if len(found) > 1 else ""
        fix = DEDUPE_FIX + (f", {sample_hint}" if sample_hint and any(d.usual for d in found) else "")
        raise AuditError(f"{path}: {example}{more}", fix)
    drop: set[int] = set()
    for dup in found:
        drop.update(dup.indices[-dup.surplus :] if intake.dedupe == "first" else dup.indices[: dup.surplus])
    notify(
        f"{path}: {len(drop)} duplicate record{'s' * (len(drop) != 1)} dropped, --dedupe {intake.dedupe} "
        f"kept the {intake.dedupe} of each (e.g. {example})"
    )
    return [i for i in range(len(records)) if i not in drop]


def _find_duplicates(records: Records, keys: Sequence[RecordKey | None]) -> list[_Duplicates]:
    by_key: dict[RecordKey, list[int]] = {}
    for index, key in enumerate(keys):
        if key is not None:
            by_key.setdefault(key, []).append(index)
    found = [_Duplicates(k, tuple(ix), len(ix) - 1) for k, ix in by_key.items() if k.sample is not None and len(ix) > 1]
    found += _surplus_copies(records, {k: ix for k, ix in by_key.items() if k.sample is None})
    return sorted(found, key=lambda d: d.indices)


def _surplus_copies(records: Records, by_id: dict[RecordKey, list[int]]) -> list[_Duplicates]:
    """Identical records of an id that has more samples than most ids of its scope."""
    counts: dict[tuple, Counter] = {}
    for key, indices in by_id.items():
        counts.setdefault(key.scope, Counter())[len(indices)] += 1
    usual = {scope: max(c, key=lambda n: (c[n], -n)) for scope, c in counts.items()}  # ties: the smaller
    found = []
    for key, indices in by_id.items():
        surplus = len(indices) - usual[key.scope]
        if surplus <= 0:
            continue
        copies: dict[str, list[int]] = {}
        for index in indices:
            copies.setdefault(json.dumps(records[index], sort_keys=True, default=str), []).append(index)
        for same in copies.values():
            take = min(surplus, len(same) - 1)
            if take > 0:
                found.append(_Duplicates(key, tuple(same), take, len(indices), usual[key.scope]))
                surplus -= take
    return found


def settle_golds(
    records: Records,
    items: Sequence[tuple[int, RecordKey, str]],
    path: str | Path,
    intake: Intake,
    notify: Notify = warn_on_stderr,
) -> dict[int, int]:
    """For every (index, id key, gold text) of `items`, the index of the record whose gold
    answer record `index` is graded against: its own, when all records of its id agree.
    Records of one id that disagree are an AuditError naming two lines, unless
    `intake.dedupe` grades them all against the gold of the id's first (or last) record,
    which is reported."""
    golds_of: dict[RecordKey, dict[str, int]] = {}  # id -> gold -> first index holding it
    last_of: dict[RecordKey, int] = {}
    text_of: dict[int, str] = {}
    for index, key, gold in items:
        golds_of.setdefault(key, {}).setdefault(gold, index)
        last_of[key], text_of[index] = index, gold
    conflicts = [key for key, golds in golds_of.items() if len(golds) > 1]
    source = {index: index for index, _key, _gold in items}
    if not conflicts:
        return source
    key = conflicts[0]
    (gold_a, at_a), (gold_b, at_b) = list(golds_of[key].items())[:2]
    if intake.dedupe is None:
        more = f" ({len(conflicts) - 1} more ids have conflicting golds)" if len(conflicts) > 1 else ""
        raise AuditError(
            f"{path}: {_lines(records, (at_a, at_b))} give {key.describe()} different gold answers "
            f"({_short(gold_a)} and {_short(gold_b)}){more}",
            "correct the file, or pass --dedupe first|last to grade each id against its first or last gold",
        )
    chosen = {k: (next(iter(golds_of[k].values())) if intake.dedupe == "first" else last_of[k]) for k in conflicts}
    for index, k, _gold in items:
        if k in chosen:
            source[index] = chosen[k]
    kept = text_of[chosen[key]]
    other = gold_b if kept == gold_a else gold_a
    notify(
        f"{path}: {len(conflicts)} id{'s' * (len(conflicts) != 1)} with conflicting gold answers, "
        f"--dedupe {intake.dedupe} grades each against its {intake.dedupe} gold "
        f"(e.g. {key.describe()}: {_short(kept)} from {records.where(chosen[key])}, not {_short(other)})"
    )
    return source


def _lines(records: Records, indices: Sequence[int]) -> str:
    places = [records.where(i) for i in indices]
    word = places[0].split()[0] + "s"  # "lines" or "records"
    numbers = [p.split()[1] for p in places]
    listed = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + " and " + numbers[-1]
    return f"{word} {listed}"


def _short(text: str) -> str:
    shown = " ".join(text.split())
    return repr(shown if len(shown) <= 30 else shown[:27] + "...")
