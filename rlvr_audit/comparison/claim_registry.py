"""The claims registry: published numbers with their paper, model, benchmark, setting and
source, stored as JSON data files beside this module (one file per paper).

Two kinds of claim file:
- "gains": a paper's baseline and its claimed gains per training setting, possibly in
  several published versions (`versions[*].gains`);
- "baseline": corrected measurements of a base model (`numbers[*].value`, optional `sd`);
- "contamination": a memorisation probe's published figures (`numbers[*]` with `measure`,
  `ratio`, and their own `model` / `benchmark` when they differ from the file's), plus
  qualitative `findings`. `rlvr-audit contamination` measures these; `compare` does not.

Every number carries `verified`: false marks a number this build could not check against
the publication; `note` says why. Nothing here is computed: the files are the registry.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from rlvr_audit.core.errors import AuditError

_REQUIRED = ("name", "kind", "paper", "model", "benchmark", "setting")


@lru_cache(maxsize=1)
def _load_all() -> tuple[dict[str, Any], ...]:
    claims = []
    for entry in sorted(resources.files("rlvr_audit.claims").iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".json"):
            continue
        data = json.loads(entry.read_text(encoding="utf-8"))
        missing = [k for k in _REQUIRED if k not in data]
        if missing:  # a packaging bug, not user input
            raise RuntimeError(f"claim file {entry.name} lacks {', '.join(missing)}")
        claims.append(data)
    return tuple(claims)


def load_claims() -> list[dict[str, Any]]:
    """Every claim in the registry (copies; safe to modify)."""
    return [json.loads(json.dumps(c)) for c in _load_all()]


def claim_names() -> list[str]:
    return [c["name"] for c in _load_all()]


def get_claim(name: str) -> dict[str, Any]:
    """The claim called `name`; an AuditError listing the known names otherwise."""
    for claim in load_claims():
        if claim["name"] == name:
            return claim
    raise AuditError(f"'{name}' is not a known claim", f"use one of: {', '.join(claim_names())}")


def baselines_for(model: str, benchmark: str) -> list[dict[str, Any]]:
    """Corrected baseline numbers for (model, benchmark), across papers: dicts with
    claim, paper, label, value, sd, template, profile, verified, standardized (the number
    marked as the standardised re-evaluation, for `--baseline-policy standardized`)."""
    out = []
    for claim in load_claims():
        if claim["kind"] != "baseline" or claim["model"] != model or claim["benchmark"] != benchmark:
            continue
        for number in claim.get("numbers", []):
            out.append(
                {
                    "claim": claim["name"],
                    "paper": claim["paper"],
                    "label": number.get("label"),
                    "value": float(number["value"]),
                    "sd": number.get("sd"),
                    "template": number.get("template") or claim["setting"].get("template"),
                    "profile": number.get("profile") or claim["setting"].get("profile"),
                    "verified": bool(number.get("verified", False)),
                    "standardized": bool(number.get("standardized", False)),
                }
            )
    return out


def contamination_figures(model: str, benchmark: str) -> list[dict[str, Any]]:
    """Published probe figures (kind "contamination") for (model, benchmark): dicts with
    claim, paper, cite ("Wu et al. 2025"), label, measure, ratio, value, verified."""
    out = []
    for claim in load_claims():
        if claim["kind"] != "contamination":
            continue
        for number in claim.get("numbers", []):
            if (number.get("model") or claim["model"]) != model:
                continue
            if (number.get("benchmark") or claim["benchmark"]) != benchmark:
                continue
            out.append(
                {
                    "claim": claim["name"],
                    "paper": claim["paper"],
                    "cite": f"{claim.get('authors', '').split(',')[0]} et al. {claim.get('year', '')}".strip(),
                    "label": number.get("label"),
                    "measure": number.get("measure"),
                    "ratio": number.get("ratio"),
                    "value": float(number["value"]),
                    "verified": bool(number.get("verified", False)),
                }
            )
    return out


def describe_claims() -> list[dict[str, Any]]:
    """Rows for `rlvr-audit list claims`: one per published number."""
    rows = []
    for claim in load_claims():
        base = {
            "claim": claim["name"],
            "arxiv": claim.get("arxiv") or "-",
            "model": claim["model"],
            "benchmark": claim["benchmark"],
        }
        setting = f"{claim['setting'].get('template')}:{claim['setting'].get('profile')}"
        if claim["kind"] == "gains":
            b = claim["baseline"]
            rows.append(
                {
                    **base,
                    "number": "baseline",
                    "value": b["value"],
                    "setting": setting,
                    "verified": b.get("verified", False),
                }
            )
            for version in claim.get("versions", []):
                for reward, gain in version["gains"].items():
                    rows.append(
                        {
                            **base,
                            "number": f"gain {reward} [{version['version']}]",
                            "value": f"{gain:+.1f}",
                            "setting": setting,
                            "verified": version.get("verified", False),
                        }
                    )
        elif claim["kind"] == "contamination":
            for number in claim.get("numbers", []):
                rows.append(
                    {
                        **base,
                        "model": number.get("model") or claim["model"],
                        "benchmark": number.get("benchmark") or claim["benchmark"],
                        "number": number.get("label"),
                        "value": number["value"],
                        "setting": f"contamination probe, prefix {number.get('ratio', claim['setting'].get('ratio'))}",
                        "verified": number.get("verified", False),
                    }
                )
        else:
            for number in claim.get("numbers", []):
                value = f"{number['value']}" + (f" ± {number['sd']}" if number.get("sd") is not None else "")
                rows.append(
                    {
                        **base,
                        "number": number.get("label"),
                        "value": value,
                        "setting": f"{number.get('template') or claim['setting'].get('template')}:"
                        f"{number.get('profile') or claim['setting'].get('profile')}",
                        "verified": number.get("verified", False),
                    }
                )
    return rows
