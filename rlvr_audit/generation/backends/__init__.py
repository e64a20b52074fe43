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

__all__ = ["BACKENDS", "Backend", "available_backends", "get_backend"]


def available_backends() -> list[str]:
    """Backends whose engine package is installed, in preference order."""
    return [name for name in BACKENDS if importlib.util.find_spec(_REQUIRES[name]) is not None]


def get_backend(name: str | None, model: str, **options: Any) -> Backend:
    """Create a backend for `model`. `name` None picks vllm when installed, else hf.

    The openai backend needs `base_url` (the server) among the options.
    """
    if name is None:
        name = "vllm" if importlib.util.find_spec("vllm") is not None else "hf"
    name = name.lower()
    if name not in BACKENDS:
        raise AuditError(f"unknown backend {name!r}", f"use one of: {', '.join(BACKENDS)}")
    if name == "openai" and not options.get("base_url"):
        raise AuditError(
            "the openai backend needs the server's address",
            "pass --base-url http://HOST:PORT/v1",
        )
    if name == "vllm":
        from rlvr_audit.generation.backends.vllm import VLLMBackend as cls
    elif name == "hf":
        from rlvr_audit.generation.backends.hf import HFBackend as cls
    else:
        from rlvr_audit.generation.backends.openai import OpenAIBackend as cls
    return cls(model, **options)
