"""Training data for `rlvr-audit train`: DeepScaleR (default), MATH train, a generated set
(`random-calculation[:n=N,steps=A-B,operands=A-B,seed=S]`, made offline; train on seed=1
and evaluate on seed=0 so the two sets differ), or a local file, turned into Problems and
then into TRL dataset rows (prompt + the columns rewards read).

Prompts come from the same templates as `baseline`, so labels, training and evaluation
see the same text. The default is `qwen25-math-cot` (ChatML with Qwen2.5-Math's
boxed-answer system message, sent raw), the prompt the Spurious Rewards runs train with.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import Problem, Prompt, stable_hash

DEFAULT_TEMPLATE = "qwen25-math-cot"
_FIX = "pass --data FILE (a local JSONL/Parquet file with question and answer columns)"


@dataclass(frozen=True)
class TrainSource:
    """A named hub training set. `revision` is what is asked for; the identity records the
    commit it resolved to where the local cache knows it, and always a content hash."""

    name: str
    hub_id: str
    split: str
    fields: tuple[tuple[str, str], ...]
    config: str | None = None
    revision: str = "main"
    answer_from_solution: bool = False
    description: str = ""


TRAIN_SOURCES: dict[str, TrainSource] = {
    s.name: s
    for s in (
        TrainSource(
            "deepscaler",
            "agentica-org/DeepScaleR-Preview-Dataset",
            "train",
            (("question", "problem"), ("answer", "answer"), ("solution", "solution")),
            description="DeepScaleR-Preview (~40k AIME/AMC/Omni-MATH/STILL problems); the paper's training set",
        ),
        TrainSource(
            "math",
            "DigitalLearningGmbH/MATH-lighteval",
            "train",
            (("question", "problem"), ("solution", "solution")),
            config="default",
            answer_from_solution=True,
            description="MATH train split (7.5k); gold = last \\boxed{} of the solution",
        ),
    )
}


def load_train_problems(data: str | None, *, limit: int | None = None) -> tuple[list[Problem], dict[str, Any]]:
    """(problems, identity) for `--data NAME|FILE`; None means DeepScaleR.

    Offline (or unreachable hub) without a local file -> one AuditError naming --data.
    """
    from rlvr_audit.benchmarks.generated import base_name, generated_rows, is_generated
    from rlvr_audit.benchmarks.rows import resolve_fields, rows_to_problems

    data = data or "deepscaler"
    path = Path(data).expanduser()
    source = TRAIN_SOURCES.get(data.lower())
    identity: dict[str, Any]
    fields: dict[str, str] = {}
    from_solution = False
    if source is None and is_generated(data):
        rows, where, generator = generated_rows(data)
        name = base_name(data)
        identity = {"source": where, "revision": None, "kind": "generated", "generator": generator}
    elif source is None and not path.exists():
        if any(data.lower().endswith(s) for s in (".jsonl", ".json", ".parquet", ".gz")):
            raise AuditError(f"training data file {path} does not exist", _FIX)
        known = ", ".join([*TRAIN_SOURCES, "random-calculation[:n=N,seed=S,...]"])
        raise AuditError(f"'{data}' is neither a training set ({known}) nor a file", _FIX)
    elif source is None:
        from rlvr_audit.benchmarks.sources import read_rows

        rows = read_rows(path)
        name, identity = "train", {"source": str(path.resolve()), "revision": None, "kind": "file"}
    else:
        from rlvr_audit.benchmarks.sources import load_hub_rows

        try:
            rows = load_hub_rows(source.name, source.hub_id, source.revision, source.split, source.config)
        except AuditError as exc:
            raise AuditError(
                f"training data '{source.name}' ({source.hub_id}) cannot be loaded "
                f"({exc.message.rpartition('(')[2].rstrip(')')})",
                _FIX,
            ) from exc
        name = source.name
        from rlvr_audit.generation.models import cached_dataset_commit

        identity = {
            "source": source.hub_id,
            "revision": source.revision,
            "commit": cached_dataset_commit(source.hub_id, source.revision),
            "split": source.split,
            "kind": "hub",
        }
        fields = dict(source.fields)
        from_solution = source.answer_from_solution
    if limit is not None:
        rows = rows[:limit]
    if not rows:
        raise AuditError(f"training data {data} holds no problems", _FIX)
    columns = sorted({k for row in rows for k in row})
    where = identity["source"]
    mapping = resolve_fields(columns, fields, None, where=where, answer_from_solution=from_solution)
    problems = list(rows_to_problems(name, rows, mapping, where=where))
    # The content hash is the identity that holds even when no commit is known (a moved
    # `main`, a local file): the same fields as a benchmark's hash.
    content = stable_hash([[p.id, p.question, p.answer] for p in problems])
    identity.update({"name": name, "rows": len(rows), "size": len(problems), "hash": content})
    return problems, identity


def problem_prompt(problem: Problem, template: str | None = None) -> Prompt:
    """The training prompt of `problem` under template `template` (default qwen25-math-cot)."""
    from rlvr_audit.templates import get_template, render

    return render(get_template(template or DEFAULT_TEMPLATE), problem)


def trl_prompt(prompt: Prompt) -> Any:
    """The TRL form of a Prompt: raw -> text ("standard" format); chat -> messages
    ("conversational"), which TRL renders with the model's chat template."""
    if prompt.kind == "raw":
        return (prompt.text or "") + prompt.prefill
    if prompt.prefill:
        raise AuditError("TRL cannot continue a prefilled assistant turn", "use a template without a prefill")
    return [{"role": role, "content": content} for role, content in prompt.messages or ()]


def dataset_rows(
    problems: list[Problem], template: str | None, labels: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """One row per problem: `prompt` plus the columns the rewards read. `label` is the
    majority answer ("" when there is none)."""
    rows = []
    for p in problems:
        lab = labels.get(p.id) if labels else None
        rows.append(
            {
                "prompt": trl_prompt(problem_prompt(p, template)),
                "problem_id": p.id,
                "answer": p.answer,
                "solution": p.solution or "",
                "label": (lab.majority or "") if lab is not None else "",
            }
        )
    return rows


def select_problems(
    problems: list[Problem], reward: str, labels: dict[str, Any] | None, one_shot_id: str | None
) -> list[Problem]:
    """The problems a reward trains on: incorrect -> only wrong majority labels; majority
    -> only problems with a label; one-shot -> the chosen problem."""
    if reward == "one-shot":
        chosen = [p for p in problems if p.id == one_shot_id or p.id.rpartition("-")[2] == one_shot_id]
        if not chosen:
            raise AuditError(
                f"no training problem has id '{one_shot_id}'", "pass --one-shot-id with an id from the data"
            )
        return chosen[:1]
    if reward in ("majority", "incorrect") and labels is not None:
        keep = [p for p in problems if labels.get(p.id) is not None and labels[p.id].majority]
        if reward == "incorrect":
            keep = [p for p in keep if not labels[p.id].is_correct]
        if not keep:
            raise AuditError(
                f"no problem is left to train the {reward} reward on", "use more problems (--limit) or a larger --k"
            )
        return keep
    return problems
