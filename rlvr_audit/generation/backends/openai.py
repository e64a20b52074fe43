"""OpenAI-compatible HTTP backend: `vllm serve`, SGLang, or any server speaking the API.

Raw prompts go to the completions endpoint with their text as is. Chat prompts go to the
chat endpoint, so the SERVER's chat template renders them (the server owns the model; we
may not even have its tokenizer). A prefill is sent as a final assistant message with
vLLM's `continue_final_message` (SGLang accepts it too).

With `extensions=True` (default) we also send vLLM's extra request fields where needed:
`include_stop_str_in_output` (include_stop), `continue_final_message` (prefill) and
`return_token_ids` (per-sample token counts when n > 1). Set `extensions=False` for a
strict OpenAI server: prefill is then refused, and a kept stop string is re-attached from
the server's `stop_reason` when it reports one.

Requests run concurrently (`max_concurrency` threads); 5xx, 429 and connection errors are
retried with exponential backoff; other HTTP errors stop the run with the server's message.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.redact import redact_text
from rlvr_audit.core.types import Completion, Prompt, Sampling
from rlvr_audit.generation.backends.base import Backend, distinct_samples, prompt_budget


class OpenAIBackend(Backend):
    """Generation through an OpenAI-compatible server. `model` is the server's model name."""

    name = "openai"
    OPTIONS = ("base_url", "api_key", "max_concurrency", "max_retries", "timeout", "extensions", "backoff")

    def __init__(self, model: str, *, revision: str | None = None, **options: Any):
        super().__init__(model, revision=revision, **options)
        self.base_url = options.get("base_url")
        if not self.base_url:
            raise AuditError("the openai backend needs the server's address", "pass --base-url http://HOST:PORT/v1")
        self.shown_url = redact_text(self.base_url)  # for messages and run.json: no credentials
        try:
            import openai
        except ImportError as exc:
            raise AuditError(
                f"the openai backend needs the openai package ({exc})", "pip install 'rlvr-audit[openai]'"
            ) from exc
        self._openai = openai
        api_key = options.get("api_key") or os.environ.get("OPENAI_API_KEY") or "EMPTY"
        self.max_concurrency = max(1, int(options.get("max_concurrency", 16)))
        self.max_retries = max(0, int(options.get("max_retries", 5)))
        self.backoff = float(options.get("backoff", 1.0))
        self.extensions = bool(options.get("extensions", True))
        # Retries are ours (below), so the client must not retry on its own as well.
        self._client = openai.OpenAI(
            base_url=self.base_url,
            api_key=api_key,
            max_retries=0,
            timeout=float(options.get("timeout", 600.0)),
        )

    def _generate(
        self, prompts: Sequence[Prompt], sampling: Sampling, seeds: list[int]
    ) -> Iterator[tuple[int, list[Completion]]]:
        if not self.extensions and any(p.prefill and p.kind == "chat" for p in prompts):
            raise AuditError(
                "a chat prompt with a prefill needs the server's continue_final_message extension",
                "drop extensions=False (vLLM and SGLang servers support it) or use a template without prefill",
            )
        pool = ThreadPoolExecutor(self.max_concurrency, thread_name_prefix="rlvr-openai")
        try:
            futures = {pool.submit(self._request, p, sampling, s): i for i, (p, s) in enumerate(zip(prompts, seeds))}
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield futures[future], future.result()
        finally:
            # A stopped consumer or a failed request must not leave requests queued.
            pool.shutdown(wait=False, cancel_futures=True)

    def _request(self, prompt: Prompt, sampling: Sampling, seed: int) -> list[Completion]:
        n = distinct_samples(sampling)
        kwargs: dict[str, Any] = dict(
            model=self.model,
            n=n,
            temperature=sampling.temperature,
            top_p=sampling.top_p if sampling.temperature > 0 else 1.0,
            max_tokens=prompt_budget(prompt, sampling),
            seed=seed,
        )
        if prompt.stop:
            kwargs["stop"] = list(prompt.stop)
        extra: dict[str, Any] = {}
        if self.extensions:
            if prompt.include_stop:
                extra["include_stop_str_in_output"] = True
            if n > 1:
                extra["return_token_ids"] = True
        if prompt.kind == "raw":
            call = self._client.completions.create
            kwargs["prompt"] = (prompt.text or "") + prompt.prefill
        else:
            call = self._client.chat.completions.create
            messages = [{"role": r, "content": c} for r, c in prompt.messages or ()]
            if prompt.prefill:
                messages.append({"role": "assistant", "content": prompt.prefill})
                extra.update(continue_final_message=True, add_generation_prompt=False)
            kwargs["messages"] = messages
        if extra:
            kwargs["extra_body"] = extra
        return self._completions(self._with_retries(call, kwargs), prompt, n)

    def _with_retries(self, call: Any, kwargs: dict[str, Any]) -> Any:
        openai = self._openai
        retryable = (openai.APIConnectionError, openai.InternalServerError, openai.RateLimitError)
        for attempt in range(self.max_retries + 1):
            try:
                return call(**kwargs)
            except retryable as exc:
                if attempt == self.max_retries:
                    raise AuditError(
                        f"request to {self.shown_url} failed after {attempt + 1} attempts: {_describe(exc)}",
                        "check that the server is up (GET /health) or raise max_retries",
                    ) from exc
                delay = min(self.backoff * 2**attempt, 60.0)
                time.sleep(delay * (0.5 + random.random()))  # jitter spreads concurrent retries
            except openai.APIStatusError as exc:
                raise AuditError(
                    f"server at {self.shown_url} refused the request ({exc.status_code}): {_describe(exc)}",
                    "check --model against the server's /v1/models and the sampling options",
                ) from exc
        raise AssertionError("unreachable")

    def _completions(self, response: Any, prompt: Prompt, n: int) -> list[Completion]:
        usage = getattr(response, "usage", None)
        prompt_tokens = getattr(usage, "prompt_tokens", None)
        total_completion = getattr(usage, "completion_tokens", None)
        result = []
        for choice in sorted(response.choices, key=lambda c: c.index):
            text = choice.text if hasattr(choice, "text") else (choice.message.content or "")
            stop_reason = getattr(choice, "stop_reason", None)
            if (
                prompt.include_stop
                and not self.extensions
                and isinstance(stop_reason, str)
                and not text.endswith(stop_reason)
            ):
                text += stop_reason
            token_ids = getattr(choice, "token_ids", None)
            if token_ids is not None:
                count = len(token_ids)
            else:
                count = total_completion if n == 1 else None
            result.append(
                Completion(
                    text=text,
                    finish_reason="length" if choice.finish_reason == "length" else "stop",
                    prompt_tokens=prompt_tokens,
                    completion_tokens=count,
                )
            )
        if len(result) != n:
            raise AuditError(
                f"server returned {len(result)} completions where {n} were asked",
                "use a server that supports n > 1 (vLLM does) or --n 1",
            )
        return result

    def info(self) -> dict[str, Any]:
        """Backend facts; the server's model list tells which weights answered."""
        served: list[str] | None
        try:
            served = [m.id for m in self._client.models.list().data]
        except Exception:  # informational only: an unreachable server fails in generate
            served = None
        return {
            "backend": self.name,
            "model": self.model,
            "revision": self.revision,
            "weights_hash": None,
            "versions": {"openai": self._openai.__version__},
            "device": f"server {self.shown_url}",
            "served_models": served,
        }

    def close(self) -> None:
        client = getattr(self, "_client", None)
        if client is not None:
            client.close()
            self._client = None


def _describe(exc: Exception) -> str:
    text = str(getattr(exc, "message", None) or exc)
    return redact_text(" ".join(text.split()))[:300]
