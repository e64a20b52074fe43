"""Training data: local files, the offline error, prompts, and which problems a reward keeps."""

from __future__ import annotations

import pytest

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Prompt
from rlvr_audit.training.data import dataset_rows, load_train_problems, select_problems, trl_prompt
from rlvr_audit.training.labels import Label


def test_local_file_loads(problem_file):
    problems, identity = load_train_problems(str(problem_file))
    assert [p.answer for p in problems] == ["2", "4", "6", "8"]
    assert identity["kind"] == "file" and identity["size"] == 4
    assert len(load_train_problems(str(problem_file), limit=2)[0]) == 2


@pytest.mark.parametrize("data", [None, "deepscaler", "math"])
def test_offline_hub_data_is_a_one_line_error_naming_data(data, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(AuditError) as info:
        load_train_problems(data)
    line = info.value.one_line()
    assert "--data FILE" in line and "offline" in line and "\n" not in line


@pytest.mark.parametrize("data", ["missing.jsonl", "not-a-set"])
def test_unknown_data_is_an_error(data):
    with pytest.raises(AuditError, match="--data"):
        load_train_problems(data)


def test_rows_carry_prompt_gold_and_label(problem_file):
    problems, _ = load_train_problems(str(problem_file))
    rows = dataset_rows(problems, None, {problems[0].id: Label("3", False, (("3", 2),))})
    assert "What is 1+1?" in rows[0]["prompt"] and "\\boxed{}" in rows[0]["prompt"]
    assert (rows[0]["answer"], rows[0]["label"], rows[1]["label"]) == ("2", "3", "")


def test_chat_prompt_becomes_messages():
    prompt = Prompt(kind="chat", messages=(("system", "s"), ("user", "u")))
    assert trl_prompt(prompt) == [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}]


LABELS = {"a": Label("1", True), "b": Label("5", False), "c": Label(None, False)}


@pytest.mark.parametrize(
    "reward,one_shot,expected",
    [
        ("truth", None, ["a", "b", "c"]),
        ("majority", None, ["a", "b"]),
        ("incorrect", None, ["b"]),
        ("one-shot", "c", ["c"]),
    ],
)
def test_select_problems(reward, one_shot, expected):
    from rlvr_audit.core.types import Problem

    problems = [Problem(pid, "q", "1") for pid in "abc"]
    labels = LABELS if reward in ("majority", "incorrect") else None
    assert [p.id for p in select_problems(problems, reward, labels, one_shot)] == expected


def test_incorrect_with_only_right_majorities_is_an_error():
    from rlvr_audit.core.types import Problem

    with pytest.raises(AuditError, match="no problem is left"):
        select_problems([Problem("a", "q", "1")], "incorrect", {"a": Label("1", True)}, None)
