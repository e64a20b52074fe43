"""The Ray executor: each generation job of an audit as one Ray task.

`--ray local` starts a cluster on this machine (`ray.init(num_cpus=N)`); `--ray auto`
connects to the running one (RAY_ADDRESS, else the last `ray start`); `--ray HOST[:PORT]`
(GCS, default port 6379) or `ray://HOST[:PORT]` (Ray Client, default 10001) connect to
that cluster. The address is checked with a socket connect and a short timeout before
`ray.init`, which can hang on an address that does not answer.

Each task asks for the GPUs its model needs (`tensor_parallel_size` for vllm on a cluster
with GPUs, one for hf, none on CPU or for the openai backend). A GPU job runs in a worker
process of its own (`max_calls=1`: the process exits after the job, so all its GPU memory
is freed); CPU jobs reuse workers (a fresh process re-imports torch). No placement group is used, so vLLM's tensor parallelism starts its own worker
processes on the task's GPUs. Workers get this process's thread, cache and backend
settings through `runtime_env`; secrets are not forwarded. Jobs write into the shared
output directory; grading and comparison happen on the driver.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.redact import is_secret_key
from rlvr_audit.workflows.audit_jobs import Job, run_job
from rlvr_audit.workflows.audit_plan import AuditPlan

__all__ = ["RayAddress", "RayExecutor", "check_reachable", "gpus_per_job", "parse_address", "worker_env"]

GCS_PORT = 6379
CLIENT_PORT = 10001
CONNECT_TIMEOUT_S = 3.0
# Settings a worker must share with the driver (threads, offline caches, vLLM on CPU).
_FORWARD_PREFIXES = ("OMP_", "MKL_", "HF_", "TRANSFORMERS_", "VLLM_", "TOKENIZERS_", "RLVR_AUDIT_", "WANDB_")
_SECRET_WORDS = ("TOKEN", "KEY", "SECRET", "PASSWORD")
_FIX = "start it with `ray start --head --port=6379` on that host, check the address, or use --ray local"


@dataclass(frozen=True)
class RayAddress:
    """A parsed --ray value: `init` is what ray.init gets; host/port what is checked."""

    init: str
    host: str | None = None
    port: int | None = None


def parse_address(text: str) -> RayAddress:
    """'local' | 'auto' | HOST[:PORT] | ray://HOST[:PORT] -> RayAddress ('auto' resolved)."""
    text = text.strip()
    if text == "local":
        return RayAddress("local")
    if text == "auto":
        return _resolve_auto()
    client = text.startswith("ray://")
    rest = text[len("ray://") :] if client else text
    host, sep, port_text = rest.rpartition(":") if ":" in rest else (rest, "", "")
    port = CLIENT_PORT if client else GCS_PORT
    if sep:
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise AuditError(f"--ray {text}: '{port_text}' is not a port", "pass --ray HOST:6379 (or auto, local)")
        port = int(port_text)
    if not host or "/" in host:
        raise AuditError(f"--ray {text} is not a Ray address", "pass --ray auto, --ray local or --ray HOST:6379")
    return RayAddress(f"ray://{host}:{port}" if client else f"{host}:{port}", host, port)


def _resolve_auto() -> RayAddress:
    """The cluster Ray itself would pick for 'auto': RAY_ADDRESS, else the last `ray start`
    on this machine (or a single running head)."""
    env = os.environ.get("RAY_ADDRESS", "").strip()
    if env and env != "auto":
        return parse_address(env)
    try:
        from ray._private.services import canonicalize_bootstrap_address_or_die
    except ImportError:
        raise _no_ray() from None
    try:
        found = canonicalize_bootstrap_address_or_die("auto")
    except (ConnectionError, ValueError) as exc:
        raise AuditError(
            f"--ray auto found no running Ray cluster ({str(exc).splitlines()[0]})",
            "start one with `ray start --head`, pass its address (--ray HOST:6379), or use --ray local",
        ) from None
    return parse_address(found)


def check_reachable(address: RayAddress, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """AuditError unless something accepts a TCP connection at the address (fast; ray.init
    on a dead address can hang)."""
    if address.host is None:
        return
    try:
        with socket.create_connection((address.host, address.port), timeout=timeout):
            pass
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or type(exc).__name__)
        raise AuditError(f"the Ray cluster at {address.host}:{address.port} does not answer ({reason})", _FIX) from None


def worker_env(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The driver's environment variables a Ray worker gets (no secrets, and not
    CUDA_VISIBLE_DEVICES, which Ray sets per task)."""
    env = os.environ if environ is None else environ
    out = {}
    for key, value in env.items():
        secret = is_secret_key(key) or any(w in key.upper() for w in _SECRET_WORDS)
        if key.startswith(_FORWARD_PREFIXES) and not secret:
            out[key] = value
    return out


def gpus_per_job(backend: str, tensor_parallel_size: int, cluster_gpus: float) -> int:
    """GPUs one job asks for: none on a cluster without GPUs or for the openai backend (the
    server owns the model), `tensor_parallel_size` for vllm, one for hf."""
    if cluster_gpus <= 0 or backend == "openai":
        return 0
    return tensor_parallel_size if backend == "vllm" else 1


def _no_ray() -> AuditError:
    return AuditError("--ray needs Ray, which is not installed", "pip install 'rlvr-audit[ray]' (or drop --ray)")


def _ray_task(job: Job, argv: list[str]) -> dict[str, Any]:
    """A job in a Ray worker: run it, and say where it ran."""
    import ray

    record = run_job(job, executor="ray", progress=False, argv=argv)
    context = ray.get_runtime_context()
    record["ray"] = {"node_id": context.get_node_id(), "gpu_ids": [str(g) for g in ray.get_gpu_ids()]}
    return record


class RayExecutor:
    """Connect (or start a local cluster), run jobs as tasks, disconnect."""

    def __init__(self, plan: AuditPlan):
        assert plan.ray is not None
        self.plan = plan
        self.address = parse_address(plan.ray.address)
        self.ray: Any = None
        self.info: dict[str, Any] = {"kind": "ray", "address": plan.ray.address}

    def connect(self) -> None:
        """Check the address answers, then ray.init; AuditError (one line) otherwise."""
        check_reachable(self.address)
        try:
            import ray
        except ImportError:
            raise _no_ray() from None
        runtime_env = {"env_vars": worker_env()}
        kwargs: dict[str, Any] = {"runtime_env": runtime_env, "log_to_driver": True}
        if self.address.init == "local":
            kwargs.update(num_cpus=self.plan.ray.num_cpus or os.cpu_count() or 1, include_dashboard=False)
        try:
            ray.init(address=self.address.init, **kwargs)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise AuditError(f"could not connect to Ray at {self.address.init} ({exc})", _FIX) from None
        self.ray = ray
        from rlvr_audit.generation.backends import choose_backend

        resources = ray.cluster_resources()
        backend = choose_backend(self.plan.backend)
        gpus = gpus_per_job(backend, self.plan.tensor_parallel_size, float(resources.get("GPU", 0)))
        self.resources = {"num_cpus": self.plan.ray.cpus_per_job, "num_gpus": gpus}
        self.info.update(
            resolved=self.address.init,
            cluster={k: v for k, v in resources.items() if k in ("CPU", "GPU", "memory")},
            nodes=sum(1 for n in ray.nodes() if n.get("Alive")),
            backend=backend,
            per_job=self.resources,
        )
        if gpus > resources.get("GPU", 0):
            raise AuditError(
                f"each job asks for {gpus} GPUs (tensor_parallel_size) but the cluster has {resources.get('GPU', 0):g}",
                "pass a smaller --tensor-parallel-size, or add nodes with GPUs",
            )

    def run(self, jobs: Sequence[Job], on_record: Callable[[dict[str, Any]], None]) -> list[dict[str, Any]]:
        """Submit every job, then collect records as tasks finish (`on_record` on each)."""
        ray = self.ray
        fresh = 1 if self.resources["num_gpus"] else 0  # 0: a worker runs any number of tasks
        task = ray.remote(max_calls=fresh, **self.resources)(_ray_task)
        pending = {task.remote(job, list(sys.argv)): job for job in jobs}
        records = []
        try:
            while pending:
                done, _ = ray.wait(list(pending), num_returns=1)
                job = pending.pop(done[0])
                try:
                    record = ray.get(done[0])
                except Exception as exc:  # the worker died (OOM, node lost): the job failed
                    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                    record = {"label": job.label, "kind": job.kind, "model": job.model, "run": job.run_dir}
                    record.update(executor="ray", status="failed", error=f"{type(exc).__name__}: {first}")
                records.append(record)
                on_record(record)
        finally:
            for ref in pending:  # interrupted: stop what still runs; its finished records are on disk
                ray.cancel(ref, force=True)
        return records

    def close(self) -> None:
        if self.ray is not None:
            self.ray.shutdown()
            self.ray = None
