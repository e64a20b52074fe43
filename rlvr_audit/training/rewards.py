"""Training rewards for `rlvr-audit train`, built on the grading profiles.

Each reward is a TRL reward function: ``f(prompts, completions, completion_ids=..., **columns)
-> list[float]``, where ``columns`` are the training dataset's columns (``problem_id``,
``answer``, ``solution``, ``label``) repeated once per completion, plus TRL's
``trainer_state`` / ``log_metric``. The rewards the Spurious Rewards paper studies:

- ``truth``: 1 when the profile grades the completion correct against the gold answer.
- ``majority``: the same, against the model's own majority-vote answer (``label`` column).
- ``incorrect``: as ``majority``, but training keeps only problems whose majority label is
  wrong, so the reward always points at a wrong answer.
- ``random``: Bernoulli(gamma), independent of the completion, seeded and reproducible.
- ``format``: 1 when the completion has a non-empty ``\\boxed{}`` answer (ttrl
  ``box_only_format``).
- ``one-shot``: ``truth``, on a single chosen problem.
- ``python``: 1 when the completion mentions "python" (code-style reasoning).
- a user function ``module:function`` (or ``path/to/file.py:function``).

Rewards that grade an answer (truth, majority, incorrect, one-shot) go through the grading
pool with a per-item time limit and the verdict cache (`reward_grading`). Grading never
raises into the trainer: a completion that errors or runs past the limit scores 0, and
every batch logs ``reward/grade_timeouts``, ``reward/grade_errors`` and
``reward/grade_seconds``.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rlvr_audit.core.errors import AuditError
from rlvr_audit.core.types import stable_hash
from rlvr_audit.training.reward_grading import DEFAULT_GRADE_TIMEOUT, RewardGrader

DEFAULT_PROFILE = "ttrl"

# name -> (what the signal needs, one-line description). Order is the display order.
REWARDS: dict[str, tuple[str, str]] = {
    "truth": ("gold answer", "1 if the profile grades the completion correct against the gold answer"),
    "majority": (
        "majority labels",
        "1 if the completion matches the model's own majority-vote answer (k samples)",
    ),
    "incorrect": (
        "majority labels",
        "1 if it matches a wrong majority-vote label; trains only on problems whose majority is wrong",
    ),
    "random": ("nothing", "Bernoulli(gamma), seeded and reproducible; ignores the completion"),
    "format": ("nothing", "1 if the completion has a non-empty \\boxed{} answer (ttrl box_only_format)"),
    "one-shot": ("gold answer", "truth, trained on one chosen problem (--one-shot-id)"),
    "python": ("nothing", "1 if the completion mentions 'python' (code-style reasoning)"),
}
LABEL_REWARDS = ("majority", "incorrect")
GRADED_REWARDS = ("truth", "one-shot", "majority", "incorrect")


@dataclass(frozen=True)
class RewardSpec:
    """A reward as the user chose it. `name` is a built-in name or "custom" (then
    `function` is "module:function"); `gamma` is random's P(reward = 1); `grade_timeout`
    is the CPU-second limit per grading step of one completion (graded rewards)."""

    name: str
    profile: str = DEFAULT_PROFILE
    gamma: float = 0.5
    seed: int = 0
    one_shot_id: str | None = None
    function: str | None = None
    grade_timeout: float = DEFAULT_GRADE_TIMEOUT

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def needs_labels(self) -> bool:
        return self.name in LABEL_REWARDS


def parse_reward(
    text: str,
    *,
    profile: str = DEFAULT_PROFILE,
    gamma: float | None = None,
    seed: int = 0,
    one_shot_id: str | None = None,
    grade_timeout: float | None = None,
) -> RewardSpec:
    """Turn `--reward` (and its companions) into a RewardSpec, checking them."""
    limit = DEFAULT_GRADE_TIMEOUT if grade_timeout is None else float(grade_timeout)
    if not limit > 0:
        raise AuditError(f"the grading time limit must be > 0 seconds (got {limit:g})", "pass --grade-timeout 5")
    name = text.strip()
    if ":" in name:
        load_user_reward(name)  # fail now, not after the model loaded
        return RewardSpec("custom", profile, 0.5, seed, None, name, limit)
    name = name.lower().replace("_", "-")
    if name == "oneshot":
        name = "one-shot"
    if name not in REWARDS:
        raise AuditError(
            f"'{text}' is not a known reward",
            f"use one of: {', '.join(REWARDS)}, or module:function for your own",
        )
    if gamma is not None and name != "random":
        raise AuditError(f"--gamma applies to the random reward, not '{name}'", "drop --gamma")
    g = 0.5 if gamma is None else float(gamma)
    if not 0.0 <= g <= 1.0:
        raise AuditError(f"gamma must be in [0, 1] (got {g})", "pass --gamma 0.5")
    if name == "one-shot" and not one_shot_id:
        raise AuditError("the one-shot reward needs a problem", "pass --one-shot-id ID")
    if name in GRADED_REWARDS:
        from rlvr_audit.grading.registry import get_profile

        get_profile(profile)  # unknown profile -> one-line error
    return RewardSpec(name, profile, g, seed, one_shot_id if name == "one-shot" else None, None, limit)


def describe_rewards() -> list[dict[str, str]]:
    """Rows for `rlvr-audit list rewards`."""
    rows = [{"name": name, "needs": needs, "description": desc} for name, (needs, desc) in REWARDS.items()]
    rows.append(
        {
            "name": "module:function",
            "needs": "your code",
            "description": "your own TRL reward f(prompts, completions, **columns) returning one float per completion",
        }
    )
    return rows


def load_user_reward(target: str) -> Callable[..., list[float]]:
    """Import "module:function" or "path/to/file.py:function"; a one-line AuditError if
    it cannot be found or is not callable."""
    module_name, _, func_name = target.rpartition(":")
    fix = "pass --reward module:function (an importable module or a .py file)"
    if not module_name or not func_name:
        raise AuditError(f"'{target}' is not of the form module:function", fix)
    try:
        if module_name.endswith(".py") or os.sep in module_name:
            path = Path(module_name).expanduser()
            if not path.is_file():
                raise AuditError(f"reward file {path} does not exist", fix)
            mod_id = "rlvr_audit_user_reward_" + stable_hash(str(path.resolve()), 8)
            spec = importlib.util.spec_from_file_location(mod_id, path)
            module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
            sys.modules[mod_id] = module
            spec.loader.exec_module(module)  # type: ignore[union-attr]
        else:
            module = importlib.import_module(module_name)
    except AuditError:
        raise
    except Exception as exc:  # any import failure is the user's to fix
        raise AuditError(f"cannot import reward module '{module_name}' ({type(exc).__name__}: {exc})", fix) from exc
    func = getattr(module, func_name, None)
    if func is None or not callable(func):
        raise AuditError(f"'{module_name}' has no callable '{func_name}'", fix)
    return func


# --- building blocks ------------------------------------------------------------------


def completion_text(completion: Any) -> str:
    """The text of a TRL completion: a string, or a list of messages (conversational)."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list) and completion:
        last = completion[-1]
        if isinstance(last, dict):
            return str(last.get("content") or "")
    return str(completion)


def format_reward(text: str) -> float:
    """ttrl `box_only_format`: 1.0 when the last `boxed` yields a non-empty answer."""
    from rlvr_audit.grading.blocks.formats import ttrl_format_reward

    return float(ttrl_format_reward(text))


def mentions_python(text: str) -> bool:
    return "python" in text.lower()


def random_rewards(gamma: float, seed: int, call: int, rank: int, n: int) -> list[float]:
    """n Bernoulli(gamma) draws keyed by (seed, call, rank): the same run reproduces them
    whatever the model wrote."""
    import numpy as np

    rng = np.random.default_rng([int(seed) & 0xFFFFFFFF, call, rank])
    return [1.0 if u < gamma else 0.0 for u in rng.random(n)]


# --- the TRL reward function -----------------------------------------------------------


class Reward:
    """A TRL reward function for one RewardSpec. Also logs the format and code rates of
    every batch (TRL's `log_metric`), so they appear next to TRL's own metrics, and for
    graded rewards the grading timeouts, errors and seconds.

    `profile` grades with that Profile instead of the registry's `spec.profile` (one the
    registry does not know); `workers` sizes the grading pool (None: all cores)."""

    def __init__(
        self,
        spec: RewardSpec,
        *,
        log_rates: bool = True,
        profile: Any = None,
        workers: int | None = None,
    ):
        self.spec = spec
        self.log_rates = log_rates
        self.calls = 0
        self.rank = int(os.environ.get("RANK", "0") or 0)
        self.__name__ = spec.name.replace("-", "_") if spec.name != "custom" else "custom"
        self._user = load_user_reward(spec.function) if spec.function else None
        self.grader = (
            RewardGrader(profile or spec.profile, timeout=spec.grade_timeout, workers=workers)
            if spec.name in GRADED_REWARDS
            else None
        )

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any], completion_ids: Any = None, **kw: Any):
        texts = [completion_text(c) for c in completions]
        call = self.calls
        self.calls += 1
        name = self.spec.name
        log = kw.get("log_metric") if self.log_rates else None
        if self.grader is not None:
            rewards = self._graded(texts, kw, log)
        elif name == "random":
            rewards = random_rewards(self.spec.gamma, self.spec.seed, call, self.rank, len(texts))
        elif name == "format":
            rewards = [format_reward(t) for t in texts]
        elif name == "python":
            rewards = [1.0 if mentions_python(t) else 0.0 for t in texts]
        else:
            rewards = list(self._user(prompts=prompts, completions=completions, completion_ids=completion_ids, **kw))
        if log is not None and texts:
            log("format_rate", sum(format_reward(t) for t in texts) / len(texts))
            log("code_rate", sum(mentions_python(t) for t in texts) / len(texts))
        return rewards

    def _graded(self, texts: list[str], kw: dict[str, Any], log: Any) -> list[float]:
        """Rewards of a graded reward: against the gold (truth, one-shot) or the label."""
        name = self.spec.name
        column = "answer" if name in ("truth", "one-shot") else "label"
        golds = kw.get(column)
        if golds is None:
            raise AuditError(f"the {name} reward needs the dataset column {column}")
        # majority labels are answers already, so the solution must not replace them
        sols = kw.get("solution") if column == "answer" else None
        graded = self.grader.grade(texts, golds, sols)  # type: ignore[union-attr]
        if log is not None:
            log("reward/grade_timeouts", float(graded.timeouts))
            log("reward/grade_errors", float(graded.errors))
            log("reward/grade_seconds", graded.seconds)
        return graded.rewards


def build_reward(spec: RewardSpec) -> Reward:
    """The TRL reward function for `spec`; a graded reward's workers start right away."""
    reward = Reward(spec)
    if reward.grader is not None:
        reward.grader.start()
    return reward
