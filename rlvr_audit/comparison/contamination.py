"""The contamination context of a comparison: what a probe of the base model says about the
benchmark the gains are measured on.

A gain measured on a benchmark the base model has memorised is partly recall. `compare`
puts the probe's figures at its reference ratio (exact match, ROUGE-L, answer accuracy,
and the control's), its verdict, and one line on what the verdict implies for the gain next
to the gains. The summary is a plain dict (schema "rlvr-audit.contamination-summary" v1,
docs/compare-json.md); nothing here runs a model or reads a file.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "SUMMARY_SCHEMA",
    "SUMMARY_SCHEMA_VERSION",
    "implication",
    "probe_matches",
    "summarise_probe",
]

SUMMARY_SCHEMA = "rlvr-audit.contamination-summary"
SUMMARY_SCHEMA_VERSION = 1

_MEASURES = ("exact_match", "rouge_l", "answer_accuracy")

_IMPLICATIONS = {
    "memorised": (
        "the base model reproduces this benchmark's problems, so part of any gain measured on it may be "
        "recall rather than reasoning; re-check the gain on a clean benchmark "
        "(rlvr-audit make-benchmark random-calculation)"
    ),
    "no sign of memorisation": (
        "the probe finds no verbatim recall of this benchmark, so memorisation does not explain the gain "
        "(the probe detects verbatim recall only)"
    ),
    "inconclusive": (
        "the probe cannot tell memorised from clean here: probe more problems (--limit) or with a control"
    ),
}


def implication(label: str) -> str:
    """What a probe verdict means for a gain measured on the probed benchmark."""
    return _IMPLICATIONS.get(label, _IMPLICATIONS["inconclusive"])


def _model_key(model: dict[str, Any]) -> tuple[Any, Any, Any]:
    # A hub model is pinned by its commit, a local directory by the hash of its weights.
    return model.get("id"), model.get("revision"), model.get("weights_hash")


def probe_matches(probe: dict[str, Any], model: dict[str, Any], benchmark: dict[str, Any]) -> bool:
    """Whether `probe` (a probe.json document) probed this model (id, revision, weights hash) on a
    benchmark of this name. The problem set may differ (a probe of 50 problems describes
    the same benchmark); `summarise_probe` says so."""
    return _model_key(probe.get("model") or {}) == _model_key(model) and (probe.get("benchmark") or {}).get(
        "name"
    ) == benchmark.get("name")


def _at(per_ratio: dict[str, Any], ratio: float) -> dict[str, Any]:
    figures = per_ratio.get(str(ratio)) or {}
    return {"n": figures.get("n"), **{m: figures.get(m) for m in _MEASURES}}


def summarise_probe(probe: dict[str, Any], *, source: str, benchmark: dict[str, Any] | None = None) -> dict[str, Any]:
    """The probe's figures at its reference ratio, its verdict and the implication, as
    stored in compare's JSON under "contamination". `benchmark`: the compared runs'
    benchmark identity, to note a probe made on other problems of the same benchmark."""
    ratio = probe["reference_ratio"]
    control = probe.get("control")
    v = probe["verdict"]
    notes = []
    probed = probe.get("benchmark") or {}
    if benchmark is not None and probed.get("hash") != benchmark.get("hash"):
        notes.append(
            f"the probe covered {probed.get('size')} problems of {probed.get('name')}, "
            f"not the compared runs' {benchmark.get('size')} (benchmark hashes differ)"
        )
    return {
        "schema": SUMMARY_SCHEMA,
        "schema_version": SUMMARY_SCHEMA_VERSION,
        "source": source,
        "model": probe.get("model"),
        "benchmark": probed,
        "ratio": ratio,
        "target": _at(probe["per_ratio"], ratio),
        "control": ({"benchmark": control.get("benchmark"), **_at(control["per_ratio"], ratio)} if control else None),
        "verdict": v["label"],
        "sentence": v["sentence"],
        "rule": v["rule"],
        "implication": implication(v["label"]),
        "notes": notes,
    }
