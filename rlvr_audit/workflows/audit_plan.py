"""The plan of a claim audit: what to evaluate, how, and where the runs go.

A plan comes from a TOML file (schema and example: docs/audit.md), from command-line
options, or both (an option overrides the file). `plan_from_dict` checks its shape and
values; `audit.check_plan` then checks what needs the registries and the disk. Nothing
here loads a model.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Sampling

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

__all__ = ["AuditPlan", "ModelRef", "ProbePlan", "RayPlan", "load_plan_file", "plan_from_dict"]

_LABEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# Top-level keys and tables of a plan file, with the keys each table may hold.
_SCHEMA: dict[str, tuple[str, ...] | None] = {
    "claim": None,
    "as_claimed": None,
    "out": None,
    "probe": ("enabled", "ratios", "control", "answer_tokens", "limit", "profile"),
    "base": ("model", "label", "revision"),
    "checkpoints": None,  # label -> path, or label -> {model, revision}
    "benchmark": ("name", "data_file", "limit", "fields"),
    "grid": ("templates", "profiles"),
    "sampling": ("temperature", "top_p", "max_tokens", "samples", "seed"),
    "backend": ("name", "tensor_parallel_size", "dtype", "max_model_len", "base_url", "options"),
    "compare": ("level", "n_boot", "seed"),
    "grading": ("workers", "timeout"),
    "ray": ("address", "num_cpus", "cpus_per_job"),
}


@dataclass(frozen=True)
class ModelRef:
    """One model of the audit: its label (the run's name and directory) and where it is."""

    label: str
    model: str
    revision: str | None = None


@dataclass(frozen=True)
class ProbePlan:
    """The contamination probe of the base model (`limit=None`: the benchmark's limit)."""

    ratios: tuple[float, ...] = (0.4, 0.6, 0.8)
    control: str | None = "random-calculation"
    answer_tokens: int = 1024
    limit: int | None = None
    profile: str = "qwen25-math"


@dataclass(frozen=True)
class RayPlan:
    """Where generation jobs run: "local" (a new cluster of `num_cpus`), "auto" (the running
    one), or an address (HOST[:PORT], ray://HOST[:PORT])."""

    address: str
    num_cpus: int | None = None
    cpus_per_job: float = 1.0


@dataclass(frozen=True)
class AuditPlan:
    """Everything one `rlvr-audit audit` does, resolved (paths absolute, defaults filled)."""

    base: ModelRef
    checkpoints: tuple[ModelRef, ...]
    out: Path
    claim: str | None = None
    as_claimed: tuple[str, str] | None = None
    benchmark: str = "math500"
    data_file: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    limit: int | None = None
    templates: tuple[str, ...] = ()
    profiles: tuple[str, ...] | None = None
    sampling: Sampling = field(default_factory=Sampling)
    backend: str | None = None
    backend_options: tuple[tuple[str, Any], ...] = ()
    probe: ProbePlan | None = None
    ray: RayPlan | None = None
    level: float = 0.95
    n_boot: int = 2000
    boot_seed: int = 0
    grade_workers: int | None = None
    grade_timeout: float = 5.0

    @property
    def models(self) -> tuple[ModelRef, ...]:
        return (self.base, *self.checkpoints)

    @property
    def tensor_parallel_size(self) -> int:
        return int(dict(self.backend_options).get("tensor_parallel_size") or 1)

    def run_dir(self, label: str) -> Path:
        return self.out / "runs" / label

    def to_dict(self) -> dict[str, Any]:
        """The resolved plan in the plan file's shape (what audit.json records)."""
        options = dict(self.backend_options)
        named = ("tensor_parallel_size", "dtype", "max_model_len", "base_url")
        backend = {"name": self.backend, **{k: options.pop(k) for k in named if k in options}}
        backend["options"] = {k: v for k, v in options.items() if k != "api_key"}
        s = self.sampling
        return {
            "claim": self.claim,
            "as_claimed": ":".join(self.as_claimed) if self.as_claimed else None,
            "out": str(self.out),
            "base": _ref_dict(self.base),
            "checkpoints": {c.label: _ref_dict(c) for c in self.checkpoints},
            "benchmark": {"name": self.benchmark, "data_file": self.data_file, "limit": self.limit}
            | ({"fields": dict(self.fields)} if self.fields else {}),
            "grid": {"templates": list(self.templates), "profiles": list(self.profiles or ["all"])},
            "sampling": {"temperature": s.temperature, "top_p": s.top_p, "max_tokens": s.max_tokens}
            | {"samples": s.n, "seed": s.seed},
            "backend": backend,
            "probe": {"enabled": True, **dataclasses.asdict(self.probe)} if self.probe else {"enabled": False},
            "compare": {"level": self.level, "n_boot": self.n_boot, "seed": self.boot_seed},
            "grading": {"workers": self.grade_workers, "timeout": self.grade_timeout},
            "ray": dataclasses.asdict(self.ray) if self.ray else None,
        }


def _ref_dict(ref: ModelRef) -> dict[str, Any]:
    return {"model": ref.model, "label": ref.label} | ({"revision": ref.revision} if ref.revision else {})


def load_plan_file(path: str | Path) -> dict[str, Any]:
    """A plan file's tables, as written (checked by `plan_from_dict`)."""
    path = Path(path)
    if not path.is_file():
        raise AuditError(f"plan file {path} does not exist", "pass a TOML plan (see docs/audit.md) or options only")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise AuditError(f"{path} is not valid TOML ({exc})", "fix the plan file (example: docs/audit.md)") from None


def merge_plans(plan: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """`plan` with `overrides` laid over it, table by table (an override wins)."""
    out = {k: dict(v) if isinstance(v, Mapping) else v for k, v in plan.items()}
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


def plan_from_dict(data: Mapping[str, Any], *, source: str = "the plan") -> AuditPlan:
    """An AuditPlan from a plan file's tables (and overrides); AuditError on a bad key or value."""
    from rlvr_audit.comparison.claim_registry import get_claim

    _check_keys(data, source)
    claim = _opt_str(data, "claim", source)
    setting = get_claim(claim)["setting"] if claim else {}
    base_t = _table(data, "base", source)
    bench_t = _table(data, "benchmark", source)
    default_base = get_claim(claim)["model"] if claim else None
    base_model = base_t.get("model") or default_base
    if not base_model:
        raise AuditError(f"{source} names no base model", "pass --base MODEL or set [base] model = ...")
    base = ModelRef(str(base_t.get("label") or "base"), _model_path(str(base_model)), base_t.get("revision"))
    checkpoints = _checkpoints(data.get("checkpoints") or {}, source)
    _check_labels(base, checkpoints, source)
    as_claimed = _as_claimed(data.get("as_claimed"), setting, source)
    grid = _table(data, "grid", source)
    templates = tuple(_names(grid.get("templates"), "grid.templates", source))
    profiles = _names(grid.get("profiles"), "grid.profiles", source) or None
    if profiles == ["all"]:
        profiles = None
    if not templates:  # the default grid, spelled out so audit.json says what ran
        from rlvr_audit.workflows.baseline import default_templates

        templates = default_templates()
    if as_claimed is not None:  # the claimed cell is always evaluated
        if as_claimed[0] not in templates:
            templates = (as_claimed[0], *templates)
        if profiles is not None and as_claimed[1] not in profiles:
            profiles = [as_claimed[1], *profiles]
    out = data.get("out")
    if not out:
        raise AuditError(f"{source} names no output directory", "pass --out DIR or set out = ... in the plan")
    default_bench = get_claim(claim)["benchmark"] if claim else "math500"
    return AuditPlan(
        base=base,
        checkpoints=checkpoints,
        out=Path(str(out)).expanduser().resolve(),
        claim=claim,
        as_claimed=as_claimed,
        benchmark=str(bench_t.get("name") or default_bench),
        data_file=str(Path(bench_t["data_file"]).expanduser().resolve()) if bench_t.get("data_file") else None,
        fields=tuple((str(k), str(v)) for k, v in (bench_t.get("fields") or {}).items()),
        limit=_opt_int(bench_t, "limit", f"{source} [benchmark]", minimum=1),
        templates=templates,
        profiles=tuple(profiles) if profiles is not None else None,
        sampling=_sampling(_table(data, "sampling", source), source),
        backend=_table(data, "backend", source).get("name"),
        backend_options=_backend_options(_table(data, "backend", source), source),
        probe=_probe(data.get("probe"), source),
        ray=_ray(data.get("ray"), source),
        level=float(_table(data, "compare", source).get("level", 0.95)),
        n_boot=_n_boot(_table(data, "compare", source), source),
        boot_seed=int(_table(data, "compare", source).get("seed", 0)),
        grade_workers=_opt_int(_table(data, "grading", source), "workers", f"{source} [grading]", minimum=1),
        grade_timeout=float(_table(data, "grading", source).get("timeout", 5.0)),
    )


def _check_keys(data: Mapping[str, Any], source: str) -> None:
    for key, value in data.items():
        if key not in _SCHEMA:
            raise AuditError(f"{source} has an unknown key '{key}'", f"use only: {', '.join(_SCHEMA)}")
        allowed = _SCHEMA[key]
        if allowed is None or not isinstance(value, Mapping):
            continue
        for sub in value:
            if sub not in allowed:
                raise AuditError(f"{source} [{key}] has an unknown key '{sub}'", f"use only: {', '.join(allowed)}")


def _table(data: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = data.get(key) or {}
    if not isinstance(value, Mapping):
        raise AuditError(f"{source}: '{key}' must be a table", f"write it as [{key}] with its keys (docs/audit.md)")
    return value


def _opt_str(data: Mapping[str, Any], key: str, source: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise AuditError(f"{source}: '{key}' must be a string, got {value!r}", f'write {key} = "..."')
    return value or None


def _opt_int(data: Mapping[str, Any], key: str, source: str, *, minimum: int) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise AuditError(f"{source}: {key} must be an integer >= {minimum}, got {value!r}", f"write {key} = {minimum}")
    return value


def _model_path(model: str) -> str:
    """A local directory as an absolute path (jobs may run elsewhere, in another cwd);
    hub ids and aliases as given (an alias wins over a same-named folder, as in resolve_model)."""
    from rlvr_audit.generation.models import ALIASES

    if model in ALIASES:
        return model
    path = Path(model).expanduser()
    return str(path.resolve()) if path.exists() or model.startswith((".", "/", "~")) or model.count("/") > 1 else model


def _checkpoints(raw: Any, source: str) -> tuple[ModelRef, ...]:
    if not isinstance(raw, Mapping) or not raw:
        raise AuditError(
            f"{source} names no checkpoint to audit", "pass --checkpoint LABEL=PATH, or a [checkpoints] table"
        )
    out = []
    for label, value in raw.items():
        if isinstance(value, str):
            out.append(ModelRef(str(label), _model_path(value)))
        elif isinstance(value, Mapping) and isinstance(value.get("model"), str) and set(value) <= {"model", "revision"}:
            out.append(ModelRef(str(label), _model_path(value["model"]), value.get("revision")))
        else:
            raise AuditError(
                f"{source}: checkpoint '{label}' must be a path or {{model = ..., revision = ...}}",
                f'write {label} = "PATH" under [checkpoints]',
            )
    return tuple(out)


def _check_labels(base: ModelRef, checkpoints: tuple[ModelRef, ...], source: str) -> None:
    labels = [base.label] + [c.label for c in checkpoints]
    for label in labels:
        if not _LABEL.match(label):
            raise AuditError(
                f"{source}: label '{label}' is not a plain name", "use letters, digits, '.', '_' and '-' only"
            )
    labels += [f"{base.label}-probe", f"{base.label}-probe-control"]  # the probe's run directories
    if len(set(labels)) != len(labels):
        raise AuditError(
            f"{source}: a label is used twice in {', '.join(labels)} (the last two are the probe's runs)",
            "give each model its own label",
        )


def _as_claimed(raw: Any, setting: Mapping[str, Any], source: str) -> tuple[str, str] | None:
    if raw:
        parts = str(raw).split(":")
        if len(parts) != 2 or not all(p.strip() for p in parts):
            raise AuditError(f"{source}: as_claimed '{raw}' is not TEMPLATE:PROFILE", "write e.g. qwen-math-chat:ttrl")
        return parts[0].strip(), parts[1].strip()
    if setting.get("template") and setting.get("profile"):
        return str(setting["template"]), str(setting["profile"])
    return None


def _names(raw: Any, key: str, source: str) -> list[str]:
    if raw is None:
        return []
    items = raw.split(",") if isinstance(raw, str) else raw
    if not isinstance(items, (list, tuple)) or not all(isinstance(n, str) for n in items):
        raise AuditError(f"{source}: {key} must be a list of names", f'write {key.split(".")[-1]} = ["a", "b"]')
    return [n.strip() for n in items if n.strip()]


def _sampling(table: Mapping[str, Any], source: str) -> Sampling:
    try:
        return Sampling(
            temperature=float(table.get("temperature", 0.0)),
            top_p=float(table.get("top_p", 1.0)),
            max_tokens=int(table.get("max_tokens", 3072)),
            n=int(table.get("samples", 1)),
            seed=int(table.get("seed", 0)),
        )
    except (TypeError, ValueError) as exc:
        raise AuditError(f"{source} [sampling]: {exc}", "use numbers for the sampling settings") from None


def _backend_options(table: Mapping[str, Any], source: str) -> tuple[tuple[str, Any], ...]:
    options = dict(table.get("options") or {})
    for key in ("tensor_parallel_size", "dtype", "max_model_len", "base_url", "api_key"):
        if table.get(key) is not None:
            options[key] = table[key]
    tp = options.get("tensor_parallel_size")
    if tp is not None and (isinstance(tp, bool) or not isinstance(tp, int) or tp < 1):
        raise AuditError(
            f"{source}: tensor_parallel_size must be an integer >= 1, got {tp!r}", "pass e.g. 1, 2, 4 or 8"
        )
    return tuple(options.items())


def _probe(raw: Any, source: str) -> ProbePlan | None:
    if raw is None or raw is False:
        return None
    if raw is True:
        return ProbePlan()
    if not isinstance(raw, Mapping):
        raise AuditError(f"{source}: probe must be true, false or a [probe] table", "write probe = true")
    if raw.get("enabled") is False:
        return None
    defaults = ProbePlan()
    control = raw.get("control", defaults.control)
    return ProbePlan(
        ratios=tuple(float(r) for r in raw.get("ratios", defaults.ratios)),
        control=None if control in (None, "", "none", False) else str(control),
        answer_tokens=int(raw.get("answer_tokens", defaults.answer_tokens)),
        limit=_opt_int(raw, "limit", f"{source} [probe]", minimum=1),
        profile=str(raw.get("profile", defaults.profile)),
    )


def _ray(raw: Any, source: str) -> RayPlan | None:
    if raw is None:
        return None
    table = {"address": raw} if isinstance(raw, str) else raw
    if not isinstance(table, Mapping) or not table.get("address"):
        raise AuditError(f"{source}: [ray] needs an address", 'write address = "auto", "local" or "HOST:6379"')
    cpus = table.get("cpus_per_job", 1.0)
    if isinstance(cpus, bool) or not isinstance(cpus, (int, float)) or cpus <= 0:
        raise AuditError(f"{source}: cpus_per_job must be a positive number, got {cpus!r}", "write cpus_per_job = 1")
    return RayPlan(
        address=str(table["address"]).strip(),
        num_cpus=_opt_int(table, "num_cpus", f"{source} [ray]", minimum=1),
        cpus_per_job=float(cpus),
    )


def _n_boot(table: Mapping[str, Any], source: str) -> int:
    n = table.get("n_boot", 2000)
    if isinstance(n, bool) or not isinstance(n, int) or n < 100:
        raise AuditError(f"{source}: n_boot {n!r} is too small for a CI", "use n_boot = 1000 or more")
    return n
