"""Hand-made runs for the report tests: six problems, templates A and B, profiles strict and
loose, one sample each, so every filter's rows and every robustness number is known by
construction (the tables below), never computed with the code under test.

Statuses of sample 0 (c correct, i incorrect, n no_answer, t timeout):

    problem  id      base A/strict A/loose B/strict B/loose   trained A/strict A/loose B/strict B/loose
    p0       alg/1        c        c       c        c                 c        c       c        c
    p1       alg/2        i        c       i        i                 c        c       c        c
    p2       geo/3        n        c       i        c                 c        c       n        c
    p3       geo/4        c        c       n        c                 i        i       i        i
    p4       num/5        i        i       i        i                 i        c       i        i
    p5       num/15       c        c       t        c                 c        c       c        c
"""

from __future__ import annotations

import json
from pathlib import Path

from rlvr_audit.core.types import Generation, Problem, Sampling
from rlvr_audit.store.run import Run, new_manifest

IDS = ["alg/1", "alg/2", "geo/3", "geo/4", "num/5", "num/15"]
HOSTILE = "</script><img src=x onerror=alert(1)>"
CODES = {"c": "correct", "i": "incorrect", "n": "no_answer", "t": "timeout"}

BASE = {
    ("A", "strict"): "cincic",
    ("A", "loose"): "ccccic",
    ("B", "strict"): "ciinit",
    ("B", "loose"): "ciccic",
}
TRAINED = {
    ("A", "strict"): "ccciic",
    ("A", "loose"): "cccicc",
    ("B", "strict"): "ccniic",
    ("B", "loose"): "ccciic",
}
BENCHMARK = {"name": "toy", "size": len(IDS), "hash": "toyhash1"}


def problems() -> list[Problem]:
    questions = {1: f"What is 1 + 1? {HOSTILE}"}
    return [
        Problem(pid, questions.get(i, f"question {i}: what is {i} + {i}?"), str(2 * i)) for i, pid in enumerate(IDS)
    ]


def completion(role: str, template: str, pid: str) -> str:
    """The completion text of every (run, template, problem); one of them is hostile."""
    if role == "trained" and template == "A" and pid == "alg/1":
        return f"so the answer is {HOSTILE} and \\boxed{{0}}"
    return f"{role} under {template} solves {pid}"


def make_report_run(
    path: Path,
    role: str,
    statuses: dict[tuple[str, str], str],
    *,
    benchmark: dict | None = None,
    label: str | None = None,
    as_claimed: dict | None = None,
) -> Run:
    templates = sorted({t for t, _ in statuses})
    manifest = new_manifest(
        model={
            "id": f"org/{role}-model",
            "name": f"{role}-model",
            "revision": ("a" if role == "base" else "b") * 40,
            "weights_hash": None,
        },
        benchmark={**(benchmark or BENCHMARK), "source": "test"},
        templates={
            t: {"hash": f"hash-{t}", "kind": "chat", "max_tokens": 64, "recommended_profile": "strict"}
            for t in templates
        },
        sampling=Sampling(n=1, temperature=0.0, max_tokens=64, seed=0),
        backend={"name": "hf", "library_versions": {"transformers": "4.99.0", "torch": "2.13.0"}},
        command=f"rlvr-audit baseline --model org/{role}-model",
        as_claimed=as_claimed,
        label=label,
    )
    run = Run.create(path, manifest, problems())
    with run.generation_writer() as out:
        for t in templates:
            for pid in IDS:
                finish = "length" if (role, t, pid) == ("base", "B", "alg/1") else "stop"
                out.write(Generation(pid, t, 0, completion(role, t, pid), finish_reason=finish).to_dict())
    for profile in sorted({p for _, p in statuses}):
        with run.grade_writer(profile) as out:
            for (t, p), column in statuses.items():
                if p != profile:
                    continue
                for pid, code in zip(IDS, column):
                    status = CODES[code]
                    extracted = None if status == "no_answer" else (HOSTILE if pid == "alg/2" else f"{t}{p}{pid}")
                    out.write(
                        {
                            "problem_id": pid,
                            "template": t,
                            "sample": 0,
                            "status": status,
                            "extracted": extracted,
                            "detail": None,
                            "version": "1",
                            "fingerprint": f"fp-{profile}-1",
                        }
                    )
    return Run.open(path)


def make_pair(root: Path, *, trained_label: str | None = None) -> tuple[Run, Run]:
    claimed = {"template": "A", "profile": "strict"}
    base = make_report_run(root / "base", "base", BASE)
    trained = make_report_run(root / "trained", "trained", TRAINED, label=trained_label, as_claimed=claimed)
    return base, trained


def probe_doc(model_id: str = "org/base-model", revision: str = "a" * 40) -> dict:
    """A probe.json as `rlvr-audit contamination` writes it (figures by hand)."""

    def est(mean, low, high):
        return {"mean": mean, "low": low, "high": high, "n": 6}

    figures = {"n": 6, "exact_match": est(50.0, 16.7, 83.3), "rouge_l": est(80.0, 70.0, 90.0), "answer_accuracy": None}
    control = {"n": 6, "exact_match": est(0.0, 0.0, 0.0), "rouge_l": est(20.0, 15.0, 25.0), "answer_accuracy": None}
    return {
        "schema": "rlvr-audit.contamination",
        "schema_version": 1,
        "model": {"id": model_id, "revision": revision, "weights_hash": None},
        "benchmark": dict(BENCHMARK),
        "ratios": [0.6],
        "reference_ratio": 0.6,
        "per_ratio": {"0.6": figures},
        "control": {
            "benchmark": {"name": "random-calculation", "size": 6, "hash": "rc"},
            "per_ratio": {"0.6": control},
        },
        "verdict": {
            "label": "memorised",
            "ratio": 0.6,
            "sentence": "memorised: 50.0% exact match vs 0.0% on the control at ratio 0.6",
            "rule": "memorised when the CI of the difference lies above 5 points",
        },
    }


def write_probe(path: Path, doc: dict) -> Path:
    path.mkdir(parents=True)
    (path / "probe.json").write_text(json.dumps(doc), encoding="utf-8")
    return path
