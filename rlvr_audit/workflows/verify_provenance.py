"""The provenance checks of `verify`: benchmark hash, template hashes, prompt hashes and
grade fingerprints. Each tolerates a run written before the field existed: a field that
was never recorded is a warning ("not recorded"), a recorded one that disagrees a failure.

A template whose current file differs from the recorded hash is a warning, not a failure:
the run's numbers come from its stored generations, and resuming a run refuses a changed
template, so two versions of a template never mix in one run (docs/verify.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Problem
from rlvr_audit.workflows.verify_checks import RunFiles
from rlvr_audit.workflows.verify_records import Check, Key, first_of, show_key


def check_benchmark(files: RunFiles) -> Check:
    """The content hash of problems.jsonl, computed as `Benchmark.hash` does, vs the manifest."""
    from rlvr_audit.benchmarks.registry import Benchmark

    scan, recorded = files.problems, files.manifest.get("benchmark") or {}
    if not scan.exists:
        return Check("benchmark hash", "FAIL", "no problems.jsonl")
    defects = scan.problems()
    malformed = [n for n, r in scan.records if not all(k in r for k in ("id", "question", "answer"))]
    if malformed:
        defects.append(f"{len(malformed)} problem(s) without id/question/answer: lines {first_of(malformed)}")
    if defects:
        return Check("benchmark hash", "FAIL", "problems.jsonl: " + "; ".join(defects))
    problems = tuple(Problem(str(r["id"]), r["question"], r["answer"]) for _, r in scan.records)
    actual = Benchmark(str(recorded.get("name")), problems, "").hash
    if not recorded.get("hash"):
        return Check("benchmark hash", "warn", f"not recorded in run.json (problems.jsonl hashes to {actual})")
    if actual != recorded["hash"]:
        return Check(
            "benchmark hash", "FAIL", f"problems.jsonl hashes to {actual}, run.json records {recorded['hash']}"
        )
    if recorded.get("size") not in (None, len(problems)):
        return Check("benchmark hash", "FAIL", f"{len(problems)} problems stored, run.json records {recorded['size']}")
    return Check("benchmark hash", "ok", f"{recorded.get('name')}: {len(problems)} problems, hash {actual}")


def check_templates(files: RunFiles, templates_dir: Sequence[str | Path] = ()) -> Check:
    """Each recorded template hash vs the template's current content hash."""
    from rlvr_audit.templates import load_templates

    entries = files.manifest.get("templates") or {}
    if not entries:
        return Check("template hashes", "FAIL", "run.json records no templates")
    current = load_templates(tuple(templates_dir))
    same, imported, notes, probes = [], [], [], []
    for name, entry in entries.items():
        recorded = (entry or {}).get("hash")
        if (entry or {}).get("kind") == "imported":
            imported.append(name)  # known only by name and an example prompt: no file to compare
        elif isinstance((entry or {}).get("probe"), dict):
            notes.extend(_probe_template_note(name, entry, recorded, probes))
        elif not recorded:
            notes.append(f"{name}: hash not recorded")
        elif name not in current:
            notes.append(f"{name}: not in this build (pass --templates-dir)")
        elif current[name].hash != recorded:
            notes.append(f"{name}: changed since the run ({recorded[:8]} -> {current[name].hash[:8]})")
        else:
            same.append(name)
    known = (
        ([f"unchanged: {', '.join(same)}"] if same else [])
        + ([f"imported (no template file): {', '.join(imported)}"] if imported else [])
        + ([f"contamination probe (raw prefixes, probe_splits.jsonl): {', '.join(probes)}"] if probes else [])
    )
    if notes:
        return Check("template hashes", "warn", "; ".join(notes + known))
    return Check("template hashes", "ok", "; ".join(known))


def _probe_template_note(name: str, entry: dict[str, Any], recorded: Any, probes: list[str]) -> list[str]:
    """A contamination-probe template has no file: its hash is recomputed from its entry,
    and a probe of an older version is named as such."""
    from rlvr_audit.workflows.contamination import PROBE_VERSION, probe_template_hash

    probe = entry["probe"]
    if probe_template_hash(probe) != recorded:
        return [f"{name}: probe entry does not match its hash (run.json edited?)"]
    if probe.get("version") != PROBE_VERSION:
        return [f"{name}: probe version {probe.get('version')}, this build's is {PROBE_VERSION}"]
    probes.append(name)
    return []


def _prompt_hasher() -> Callable[[str], str] | None:
    """The store's own prompt digest; None in a build that stores no prompts."""
    from rlvr_audit.store import run as store_run

    return getattr(store_run, "prompt_hash", None)


def check_prompts(files: RunFiles, generations: dict[Key, dict[str, Any]]) -> Check:
    """Each generation's prompt_hash vs the prompt stored for its (problem, template), and
    each stored prompt's text vs its own hash."""
    scan = files.prompts
    with_hash = {k: g["prompt_hash"] for k, g in generations.items() if g.get("prompt_hash")}
    if not scan.exists and not with_hash:
        if files.imported:
            return Check("prompt hashes", "warn", "imported run: no prompts recorded")
        if files.manifest.get("schema_version") == 1:
            return Check("prompt hashes", "warn", "schema 1 run: no prompt hashes recorded")
        if any(m.get("from") == 1 for m in files.manifest.get("migrations") or () if isinstance(m, dict)):
            return Check("prompt hashes", "warn", "schema 1 run (migrated): no prompt hashes recorded")
        return Check("prompt hashes", "warn", "no prompt hashes recorded")
    failures = scan.problems()
    stored: dict[tuple[str, str], dict[str, Any]] = {}
    for _, r in scan.records:
        stored.setdefault((str(r.get("problem_id")), str(r.get("template"))), r)
    hasher = _prompt_hasher()
    bad_text = [
        f"{pid}/{t}"
        for (pid, t), r in stored.items()
        if not isinstance(r.get("prompt"), str) or (hasher is not None and hasher(r["prompt"]) != r.get("prompt_hash"))
    ]
    if bad_text:
        failures.append(f"{len(bad_text)} stored prompt(s) whose text does not match its hash: {first_of(bad_text)}")
    unmatched = [k for k, h in with_hash.items() if (stored.get((k[0], k[1])) or {}).get("prompt_hash") != h]
    if unmatched:
        failures.append(
            f"{len(unmatched)} generation(s) whose prompt_hash is not the stored prompt's: "
            f"{first_of(show_key(k) for k in unmatched)}"
        )
    if failures:
        return Check("prompt hashes", "FAIL", "; ".join(failures))
    without = len(generations) - len(with_hash)
    if without:
        return Check("prompt hashes", "warn", f"{without} generation(s) without prompt_hash (not recorded)")
    return Check("prompt hashes", "ok", f"{len(with_hash)} generations match {len(stored)} stored prompts")


def _current_identity(profile: str) -> tuple[str | None, str | None, str | None]:
    """(fingerprint, version, why not) of the installed profile; a build without
    fingerprints gives (None, version, None)."""
    from rlvr_audit.grading import registry

    try:
        version = str(registry.get_profile(profile).version)
    except AuditError:
        return None, None, "profile not installed here"
    fingerprint = getattr(registry, "profile_fingerprint", None)
    return (fingerprint(profile) if fingerprint else None), version, None


def check_fingerprints(profile: str, grades: dict[Key, dict[str, Any]]) -> Check:
    """Each grade's fingerprint (or, for grades written before fingerprints, its profile
    version) vs the installed profile's: a stale grade would be re-judged differently."""
    name = f"fingerprint {profile}"
    fingerprint, version, why = _current_identity(profile)
    if why:
        return Check(name, "warn", f"{why}: {len(grades)} grades not checked")
    recorded = [g for g in grades.values() if g.get("fingerprint")]
    if recorded and fingerprint:
        stale = [g for g in recorded if g["fingerprint"] != fingerprint]
        old = sorted({str(g["fingerprint"]) for g in stale})
        if stale:
            return Check(
                name,
                "FAIL",
                f"{len(stale)} of {len(grades)} grades stale (fingerprint {first_of(old)}, now {fingerprint}); "
                "`rlvr-audit grade RUN` re-grades them",
            )
    by_version = [g for g in grades.values() if not g.get("fingerprint") and str(g.get("version", "")) != version]
    if by_version:
        return Check(
            name,
            "FAIL",
            f"{len(by_version)} of {len(grades)} grades stale (profile version "
            f"{first_of(sorted({str(g.get('version')) for g in by_version}))}, now {version}); "
            "`rlvr-audit grade RUN` re-grades them",
        )
    if len(recorded) < len(grades):
        return Check(
            name,
            "warn",
            f"{len(grades) - len(recorded)} grades without a fingerprint (not recorded: made before fingerprints; "
            "`rlvr-audit grade RUN` re-grades them)",
        )
    if not fingerprint:
        return Check(name, "warn", f"{len(grades)} fingerprints recorded; this build cannot compute them")
    return Check(name, "ok", f"{len(grades)} grades, fingerprint {fingerprint}")
