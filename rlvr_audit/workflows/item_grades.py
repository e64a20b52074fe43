"""The per-item grades file of `grade FILE`: `<stem>.grades.jsonl` beside the input (or
under `--out`), one line per graded record:
`{"index", "id", "group", "input_sha256", "grades": {profile: {status, extracted, ...}}}`.

Grading the file again merges into it: a profile graded now replaces that profile's
entries, every other profile's stay (grade with `ttrl` after `qwen25-math` and the file
holds both). Each line names its input by the sha256 of the input file's bytes; a grades
file of another input (or of this file before it changed) is refused, before any grading,
rather than merged. The file is written to a temp file, synced, then renamed over the old
one, so a crash leaves the old file or the new, never half of one.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError

INPUT_KEY = "input_sha256"


def file_stem(path: Path) -> str:
    """The file name without its generations suffixes (`a.jsonl.gz` -> `a`)."""
    name = path.name
    for suffix in (".gz", ".jsonl", ".ndjson", ".json", ".parquet"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name


def grades_path(source: Path, out: Path | None) -> tuple[Path, str | None]:
    """Where the per-item grades of `source` go, and a note when not beside it."""
    name = f"{file_stem(source)}.grades.jsonl"
    if out is not None:
        return out / name, None
    if _writable(source.resolve().parent):
        return source.with_name(name), None
    target = Path.cwd() / name
    return target, f"{source.parent} is read-only: per-item grades of {source.name} written to {target}"


def _writable(folder: Path) -> bool:
    # root passes os.access everywhere: also honour a folder marked read-only (../shared).
    return os.access(folder, os.W_OK) and bool(folder.stat().st_mode & 0o222)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Target:
    """Where one input's per-item grades go: the file, a note when not beside the input,
    and the input's sha256, which every line of the file carries."""

    path: Path
    note: str | None
    source: Path
    sha256: str


def plan_targets(sources: Sequence[Path], out: Path | None) -> dict[Path, Target]:
    """The grades file of every input, checked before any grading: two inputs may not share
    one, and an existing one must hold grades of this very input (else it is refused)."""
    targets: dict[Path, Target] = {}
    taken: dict[Path, Path] = {}
    for source in dict.fromkeys(sources):
        path, note = grades_path(source, out)
        key = path.resolve()
        if key in taken:
            raise AuditError(
                f"{taken[key]} and {source} would both write their per-item grades to {path}",
                "grade them in separate commands with different --out folders",
            )
        taken[key] = source
        targets[source] = Target(path, note, source, file_sha256(source))
        read_existing(targets[source])
    return targets


def read_existing(target: Target) -> list[dict[str, Any]]:
    """The lines of the grades file already at `target.path` (none when there is none yet);
    an AuditError when they belong to another input."""
    from rlvr_audit.io.records import read_records

    if not target.path.exists():
        return []
    fix = f"delete {target.path} to start it afresh, or pass --out DIR to write the grades elsewhere"
    lines = read_records(target.path) if target.path.stat().st_size else []
    for number, line in enumerate(lines, 1):
        if not isinstance(line.get("grades"), dict) or not isinstance(line.get("index"), int):
            raise AuditError(f"{target.path}: line {number} is not a per-item grade of `rlvr-audit grade`", fix)
        theirs = line.get(INPUT_KEY)
        if theirs is None:
            raise AuditError(
                f"{target.path} does not say which input its grades are of (an older rlvr-audit wrote it)", fix
            )
        if theirs != target.sha256:
            raise AuditError(
                f"{target.path} holds grades of another input, not of {target.source} as it is now "
                f"(sha256 {target.sha256[:12]}...)",
                fix,
            )
    return list(lines)


def merge_lines(old: Sequence[dict[str, Any]], new: Sequence[dict[str, Any]], profiles: Sequence[str]) -> list[dict]:
    """`new` lines over `old` ones, by record index: the profiles graded now replace their
    old entries (on every line), the other profiles' entries stay."""
    graded = set(profiles)
    by_index: dict[int, dict[str, Any]] = {}
    for line in old:
        kept = {p: g for p, g in line["grades"].items() if p not in graded}
        if kept:
            by_index[line["index"]] = {**line, "grades": kept}
    for line in new:
        before = by_index.get(line["index"], {}).get("grades", {})
        by_index[line["index"]] = {**line, "grades": {**before, **line["grades"]}}
    return [by_index[i] for i in sorted(by_index)]


def write_lines_atomic(path: Path, lines: Sequence[dict[str, Any]]) -> None:
    """JSON Lines via a temp file, fsync and rename: readers see the old file or the new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
