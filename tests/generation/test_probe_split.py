"""Splitting problems for the contamination probe at token boundaries."""

from __future__ import annotations

import pytest

from rlvr_audit.core.errors import AuditError
from rlvr_audit.generation.probe import check_ratio, split_problem


class WordTokenizer:
    """A stand-in with hand-checkable ids: one token per space-led word."""

    def __init__(self, lossy: bool = False):
        self.vocab: dict[str, int] = {}
        self.lossy = lossy  # decode lower-cases, like a normalising tokenizer

    def __call__(self, text, add_special_tokens=False):
        pieces, word = [], ""
        for ch in text:
            if ch == " " and word:
                pieces.append(word)
                word = ""
            word += ch
        if word:
            pieces.append(word)
        return {"input_ids": [self.vocab.setdefault(p, len(self.vocab)) for p in pieces]}

    def decode(self, ids, **_):
        inverse = {v: k for k, v in self.vocab.items()}
        text = "".join(inverse[i] for i in ids)
        return text.lower() if self.lossy else text


TEXT = "Find the sum of x such that x^2 = 4."  # 10 words -> 10 tokens


@pytest.mark.parametrize(
    ("ratio", "prefix_tokens", "remainder"),
    [
        (0.4, 4, " x such that x^2 = 4."),
        (0.6, 6, " that x^2 = 4."),
        (0.8, 8, " = 4."),
        (0.01, 1, " the sum of x such that x^2 = 4."),  # at least one token of prefix
        (0.99, 9, " 4."),  # at least one token of remainder
    ],
)
def test_split_at_round_ratio_times_tokens(ratio, prefix_tokens, remainder):
    s = split_problem(WordTokenizer(), "p1", TEXT, ratio)
    assert s.status == "ok"
    assert (s.total_tokens, s.prefix_tokens, s.remainder_tokens) == (10, prefix_tokens, 10 - prefix_tokens)
    assert s.remainder == remainder
    assert s.prefix + s.remainder == TEXT


def test_one_token_problems_are_too_short_not_dropped():
    s = split_problem(WordTokenizer(), "p2", "Compute.", 0.6)
    assert s.status == "too_short" and not s.ok and s.total_tokens == 1


def test_a_prefix_that_does_not_start_the_text_steps_back():
    # Decoding lower-cases: only the 1-token prefix "find" fails too ("Find" != "find"),
    # so no clean split exists for a text whose first word is capitalised...
    assert split_problem(WordTokenizer(lossy=True), "p3", TEXT, 0.6).status == "no_clean_split"
    # ...while a lower-case text with one capitalised word later splits before that word.
    text = "find the sum of all x such that X is 4"
    s = split_problem(WordTokenizer(lossy=True), "p4", text, 0.8)  # 11 tokens: k=9 would end in " X"
    assert s.status == "ok" and s.prefix == "find the sum of all x such that" and s.prefix_tokens == 8
    assert s.remainder == " X is 4" and s.remainder_tokens == 3


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.2, "x"])
def test_ratios_outside_the_open_interval_are_refused(bad):
    with pytest.raises(AuditError) as err:
        check_ratio(bad)
    assert "--ratios" in err.value.one_line()


def test_real_tokenizer_splits_join_to_the_text(tiny_model):
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model)
    texts = [TEXT, "Let $f(x) = \\frac{3x-2}{x-2}$. What is $f(-2)$?", "Évaluer π·r² pour r = 3 ½."]
    for text in texts:
        n = len(tok(text, add_special_tokens=False)["input_ids"])
        for ratio in (0.4, 0.6, 0.8):
            s = split_problem(tok, "p", text, ratio)
            assert s.status == "ok"
            assert s.prefix + s.remainder == text
            assert s.total_tokens == n and s.prefix_tokens + s.remainder_tokens == n
            assert s.prefix_tokens <= max(1, round(ratio * n))
