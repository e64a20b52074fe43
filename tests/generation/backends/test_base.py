"""Helpers every backend shares: prompt rendering, stop-string cutting, seeds, checks."""

from __future__ import annotations

import pytest

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Prompt, Sampling
from rlvr_audit.generation.backends.base import (
    cut_at_stop,
    encode_prompt,
    prompt_seeds,
    render_prompt,
    sample_seed,
)


@pytest.mark.parametrize(
    "text, stop, include, expected",
    [
        ("a b\n\nc", ("\n\n",), False, ("a b", True)),
        ("a b\n\nc", ("\n\n",), True, ("a b\n\n", True)),
        ("x Problem: y </s>", ("</s>", "Problem:"), False, ("x ", True)),  # earliest wins
        ("abc", ("bc", "b"), True, ("abc", True)),  # same start: the longer match is kept whole
        ("abc", ("c", "b"), False, ("a", True)),
        ("abc", ("z",), False, ("abc", False)),
        ("abc", (), False, ("abc", False)),
        ("abc", ("",), False, ("abc", False)),
    ],
)
def test_cut_at_stop(text, stop, include, expected):
    assert cut_at_stop(text, stop, include) == expected


def test_render_raw_and_chat(tiny_model):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    assert render_prompt(tok, Prompt("raw", text="Q: 1+1?", prefill=" A:")) == "Q: 1+1? A:"
    chat = render_prompt(tok, Prompt("chat", messages=(("user", "hi"),), prefill="Sure"))
    assert chat.endswith("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nSure")
    assert (
        encode_prompt(tok, Prompt("chat", messages=(("user", "hi"),)))
        == tok(render_prompt(tok, Prompt("chat", messages=(("user", "hi"),))), add_special_tokens=False)["input_ids"]
    )
    tok.chat_template = None
    with pytest.raises(AuditError, match="no chat template"):
        render_prompt(tok, Prompt("chat", messages=(("user", "hi"),)))


@pytest.mark.parametrize(
    "prompt, message",
    [
        (Prompt("raw"), "no text"),
        (Prompt("chat"), "no messages"),
    ],
)
def test_incomplete_prompts_are_refused(prompt, message):
    with pytest.raises(AuditError, match=message):
        render_prompt(object(), prompt)


@pytest.mark.parametrize(
    "settings, flag",
    [
        ({"n": 0}, "--samples"),
        ({"max_tokens": 0}, "--max-tokens"),
        ({"temperature": -1}, "--temperature"),
        ({"top_p": 0}, "--top-p"),
    ],
)
def test_bad_sampling_names_the_flag(settings, flag):
    # Sampling refuses impossible settings when it is built, before any backend sees them.
    with pytest.raises(AuditError) as err:
        Sampling(**settings)
    assert flag in err.value.one_line()


def test_seeds_are_per_prompt_and_stable():
    prompts = [Prompt("raw", text=str(i)) for i in range(4)]
    derived = prompt_seeds(prompts, Sampling(seed=5), None)
    assert derived == prompt_seeds(prompts, Sampling(seed=5), None)
    assert len(set(derived)) == 4 and derived != prompt_seeds(prompts, Sampling(seed=6), None)
    assert prompt_seeds(prompts, Sampling(), [1, 2, 3, 4]) == [1, 2, 3, 4]
    assert sample_seed(1, 0) != sample_seed(1, 1) != sample_seed(2, 0)
    with pytest.raises(AuditError, match="one seed per prompt"):
        prompt_seeds(prompts, Sampling(), [1])
