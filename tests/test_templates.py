"""Templates: exact rendered texts (GRADERS.md section 9), hashes, overrides, bad files."""

from __future__ import annotations

import dataclasses

import pytest

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Problem
from rlvr_audit.templates import (
    describe_templates,
    get_template,
    load_templates,
    parse_template,
    render,
)

# Braces and a backslash in the question must come through untouched.
Q = r"Find $x$ if $\frac{x}{2} = {3}$."
PROBLEM = Problem(id="p1", question=Q, answer="6")

BOXED = r"Please reason step by step, and put your final answer within \boxed{}."
R1_TEXT = (
    "A conversation between User and Assistant. The User asks a question, and the Assistant "
    "solves it. The Assistant first thinks about the reasoning process in the mind and then "
    "provides the User with the answer. The reasoning process is enclosed within <think> "
    "</think> and answer is enclosed within <answer> </answer> tags, respectively, i.e., "
    "<think> reasoning process here </think> <answer> answer here </answer>."
)
R1_BASE_TEXT = (
    "A conversation between User and Assistant. The user asks a question, and the Assistant "
    "solves it. The assistant first thinks about the reasoning process in the mind and then "
    "provides the user with the answer. The reasoning process and answer are enclosed within "
    "<think> </think> and <answer> </answer> tags, respectively, i.e., <think> reasoning "
    "process here </think> <answer> answer here </answer>."
)
SOBER = (
    "Solve the following math problem efficiently and clearly.  The last line of your "
    "response should be of the following format: 'Therefore, the final answer is: "
    "$\\boxed{ANSWER}$. I hope it is correct' (without quotes) where ANSWER is just the final "
    "number or expression that solves the problem. Think step by step before answering."
)
DAPO_HEAD = (
    "Solve the following math problem step by step. The last line of your response should be "
    "of the form Answer: $Answer (without quotes) where $Answer is the answer to the problem."
)
QWEN_STOPS = ("</s>", "<|im_end|>", "<|endoftext|>")

# name -> (expected raw text, stop, include_stop)
RAW_CASES = {
    "qwen25-math-cot": (
        f"<|im_start|>system\n{BOXED}<|im_end|>\n<|im_start|>user\n{Q}<|im_end|>\n<|im_start|>assistant\n",
        QWEN_STOPS,
        False,
    ),
    "qwen-boxed": (
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
        f"{Q}\n{BOXED}<|im_end|>\n<|im_start|>assistant\n",
        QWEN_STOPS,
        False,
    ),
    "no-template": (Q, (), False),
    "r1": (f"{R1_TEXT}\nUser: {Q}\nAssistant: <think>", ("</answer>",), True),
    "r1-base": (f"{R1_BASE_TEXT}\n\n<|user|>\n{Q}\n<|assistant|>\n<think>", ("</answer>",), True),
    "deepseek-math": (f"User: {Q}\n{BOXED}\n\nAssistant:", QWEN_STOPS, False),
    "mathstral": (f"{Q}\n{BOXED}", QWEN_STOPS, False),
}

# name -> (expected messages, prefill)
CHAT_CASES = {
    "qwen-math-chat": ((("user", Q),), ""),
    "sober": ((("user", f"{SOBER}\n\n{Q}"),), ""),
    "dapo": (
        (("user", f'{DAPO_HEAD}\n\n{Q}\n\nRemember to put your answer on its own line after "Answer:".'),),
        "",
    ),
    "spurious-table4": (
        (("system", "You are a helpful Assistant."), ("user", f"Math Problem: {Q}")),
        "",
    ),
    "python-prefix": ((("user", Q),), "Let's solve this using Python."),
}

PROFILES = {
    "qwen25-math-cot": "qwen25-math",
    "qwen-math-chat": "qwen25-math",
    "qwen-boxed": "qwen25-math",
    "r1": "r1zero-tag",
    "minerva-4shot": "minerva",
    "dapo": "dapo",
    "sober": "sober",
}


@pytest.mark.parametrize("name", sorted(RAW_CASES))
def test_raw_templates_render_exact_text(name):
    text, stop, include_stop = RAW_CASES[name]
    prompt = render(get_template(name), PROBLEM)
    assert prompt.kind == "raw"
    assert prompt.messages is None
    assert prompt.text == text
    assert prompt.stop == stop
    assert prompt.include_stop is include_stop
    assert prompt.prefill == ""


@pytest.mark.parametrize("name", sorted(CHAT_CASES))
def test_chat_templates_render_exact_messages(name):
    messages, prefill = CHAT_CASES[name]
    prompt = render(get_template(name), PROBLEM)
    assert prompt.kind == "chat"
    assert prompt.text is None
    assert prompt.messages == messages
    assert prompt.prefill == prefill


def test_minerva_4shot_structure():
    tpl = get_template("minerva-4shot")
    text = render(tpl, PROBLEM).text
    blocks = text.split("\n\nProblem:\n")
    assert text.startswith("Problem:\nFind the domain of the expression")
    assert len(blocks) == 5  # four exemplars and the query
    assert blocks[-1] == f"{Q}\n\nSolution:"
    finals = ["[2,5)", "24", "16", r"-\frac{2}{3}"]
    for block, final in zip(blocks[:4], finals):
        problem, solution = block.split("\n\nSolution: ")
        assert solution.endswith(f"Final Answer: The final answer is ${final}$. I hope it is correct.")
        assert "Problem:" not in solution  # the stop string must not cut an exemplar
    assert blocks[0].split("\n\nSolution: ")[0].endswith("$.}")  # the stray brace
    assert tpl.stop == ("Problem:",)


def test_every_builtin_is_covered_and_renders():
    templates = load_templates()
    covered = set(RAW_CASES) | set(CHAT_CASES) | {"minerva-4shot"}
    assert covered == set(templates)
    for tpl in templates.values():
        prompt = render(tpl, PROBLEM)
        rendered = prompt.text if prompt.kind == "raw" else prompt.messages[-1][1]
        assert Q in rendered and "{question}" not in rendered
        assert tpl.recommended_profile and tpl.max_tokens > 0 and tpl.description


@pytest.mark.parametrize("name,profile", sorted(PROFILES.items()))
def test_recommended_profiles(name, profile):
    assert get_template(name).recommended_profile == profile


def test_only_table4_is_unverified():
    assert [t.name for t in load_templates().values() if not t.verified] == ["spurious-table4"]


def test_hash_is_stable_and_sensitive():
    tpl = get_template("qwen25-math-cot")
    assert tpl.hash == get_template("qwen25-math-cot").hash
    assert len({t.hash for t in load_templates().values()}) == len(load_templates())
    changes = [
        {"text": tpl.text.replace("step by step", "step-by-step")},
        {"prefill": "To"},
        {"stop": tpl.stop[:-1]},
        {"include_stop": True},
    ]
    for change in changes:
        assert dataclasses.replace(tpl, **change).hash != tpl.hash, change
    # Metadata does not change the prompt, so it does not change the hash.
    assert dataclasses.replace(tpl, description="x", max_tokens=5, path="y").hash == tpl.hash


def _write(path, body):
    path.write_text(body, encoding="utf-8")
    return path


def test_user_dir_adds_and_overrides(tmp_path):
    _write(tmp_path / "mine.toml", 'name = "mine"\nkind = "raw"\ntext = "Q: {question}\\nA:"\n')
    _write(
        tmp_path / "override.toml",
        'name = "qwen25-math-cot"\nkind = "chat"\nuser = "Solve: {question}"\n',
    )
    templates = load_templates([tmp_path])
    assert render(templates["mine"], PROBLEM).text == f"Q: {Q}\nA:"
    assert render(templates["qwen25-math-cot"], PROBLEM).messages == (("user", f"Solve: {Q}"),)
    assert templates["qwen25-math-cot"].path == str(tmp_path / "override.toml")
    # The built-in is untouched for callers without the directory.
    assert get_template("qwen25-math-cot").kind == "raw"
    # A single file works too; later sources win.
    assert get_template("mine", [tmp_path / "mine.toml"]).name == "mine"


BAD_FILES = {
    "syntax": ('name = "x\nkind = raw', "invalid TOML"),
    "kind": ('name = "x"\nkind = "text"\ntext = "{question}"', "'kind'"),
    "no-placeholder": ('name = "x"\nkind = "raw"\ntext = "no slot"', "{question}"),
    "chat-with-text": ('name = "x"\nkind = "chat"\ntext = "{question}"', "not 'text'"),
    "unknown-key": ('name = "x"\nkind = "raw"\ntext = "{question}"\nstops = []', "unknown key"),
    "stop-type": ('name = "x"\nkind = "raw"\ntext = "{question}"\nstop = "a"', "'stop'"),
    "max-tokens": ('name = "x"\nkind = "raw"\ntext = "{question}"\nmax_tokens = 0', "max_tokens"),
    "no-name": ('kind = "raw"\ntext = "{question}"', "'name'"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_template_files_raise_audit_error(tmp_path, case):
    body, needle = BAD_FILES[case]
    path = _write(tmp_path / f"{case}.toml", body)
    with pytest.raises(AuditError) as info:
        load_templates([tmp_path])
    assert str(path) in info.value.message
    assert needle in info.value.message


def test_duplicate_names_in_one_dir(tmp_path):
    for stem in ("a", "b"):
        _write(tmp_path / f"{stem}.toml", 'name = "dup"\nkind = "raw"\ntext = "{question}"')
    with pytest.raises(AuditError, match="defined twice"):
        load_templates([tmp_path])


def test_unknown_template_and_missing_dir():
    with pytest.raises(AuditError) as info:
        get_template("nope")
    assert "qwen25-math-cot" in info.value.fix and "--templates-dir" in info.value.fix
    with pytest.raises(AuditError, match="does not exist"):
        load_templates(["/nonexistent/templates"])


def test_parse_template_direct():
    tpl = parse_template('name = "t"\nkind = "chat"\nsystem = "S"\nuser = "{question}?"', "mem")
    assert render(tpl, PROBLEM).messages == (("system", "S"), ("user", Q + "?"))
    assert tpl.stop == () and tpl.path == "mem"


def test_describe_templates_rows():
    rows = describe_templates()
    assert [r["name"] for r in rows] == sorted(load_templates())
    row = next(r for r in rows if r["name"] == "r1")
    assert row["kind"] == "raw" and row["max_tokens"] == 3000 and row["profile"] == "r1zero-tag"
    assert row["hash"] == get_template("r1").hash[:8]
    assert next(r for r in rows if r["name"] == "spurious-table4")["description"].startswith("[unverified]")
