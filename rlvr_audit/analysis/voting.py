"""Majority voting over one problem's sampled answers: the single rule behind maj@k in the
grid and the majority labels of training, so both give the same verdict on the same samples.

- Ballots: a sample votes with the answer its grade shows when the grade is `correct` or
  `incorrect`; `no_answer`, `timeout` and `error` grades, and blank answers, abstain.
- Clusters: greedy, in sample order. An answer joins the first cluster whose representative
  (its first member) it matches, else it starts a cluster. Under a profile, `answer`
  matches `representative` when the strings are equal or when the profile grades `answer`
  correct against the gold `representative`: the majority answer serves as a pseudo-gold
  (as in TTRL), so a cluster holds exactly the answers that gold would accept.
- Answers are the profile's shown forms (what a run stores), so an answer is re-extracted
  from ``\\boxed{answer}`` (or from the answer itself when the profile reads no boxes)
  before it is judged. A profile that reads neither (minerva, dapo, r1zero-tag want their
  own answer phrasing) stores the very string its comparator takes, so that string is
  judged as it is.
- The largest cluster wins; ties go to the cluster seen first. The vote is correct when the
  winner's representative was graded correct.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rlvr_audit.core.errors import AuditError

# (representative, answer) -> whether `answer` belongs to the representative's cluster.
Equivalence = Callable[[str, str], bool]

VOTING_STATUSES = ("correct", "incorrect")


@dataclass(frozen=True)
class Cluster:
    """Indices into the ballots; `members[0]` is the representative."""

    members: tuple[int, ...]

    @property
    def representative(self) -> int:
        return self.members[0]

    @property
    def votes(self) -> int:
        return len(self.members)


def ballot(status: str, extracted: str | None) -> str | None:
    """The answer a grade votes with: its extracted answer when it found one, else None."""
    return extracted if status in VOTING_STATUSES else None


def _votes(answer: str | None) -> bool:
    return answer is not None and bool(str(answer).strip())


def cluster_ballots(ballots: Sequence[str | None], same: Equivalence | None = None) -> list[Cluster]:
    """The clusters of one problem's ballots, most votes first (ties: first seen first).

    `same` is the equivalence (default: string equality); None and blank ballots abstain."""
    groups: list[list[int]] = []
    for i, answer in enumerate(ballots):
        if not _votes(answer):
            continue
        for group in groups:
            rep = ballots[group[0]]
            if rep == answer or (same is not None and same(rep, answer)):
                group.append(i)
                break
        else:
            groups.append([i])
    # sorted() is stable, so equal vote counts keep their order of first appearance.
    return [Cluster(tuple(g)) for g in sorted(groups, key=len, reverse=True)]


def majority_correct(ballots: Sequence[str | None], correct: Sequence[bool], same: Equivalence | None = None) -> bool:
    """Whether one problem's majority vote is correct (False when nobody voted)."""
    clusters = cluster_ballots(ballots, same)
    return bool(correct[clusters[0].representative]) if clusters else False


def maj_at_k(
    ballots: Sequence[Sequence[str | None]],
    correct: Sequence[Sequence[bool]],
    k: int,
    same: Equivalence | None = None,
) -> float:
    """maj@k over problems: the majority vote of each problem's first k ballots. Fraction 0-1."""
    if k < 1:
        raise AuditError(f"maj@k needs k >= 1, got {k}")
    if len(ballots) != len(correct):
        raise AuditError("maj@k: answers and correct have different numbers of problems")
    if not ballots:
        return float("nan")
    hits = [majority_correct(list(b)[:k], list(c)[:k], same) for b, c in zip(ballots, correct)]
    return float(np.mean(hits))


def profile_equivalence(profile: Any) -> Equivalence | None:
    """The equivalence of a grading profile (an object or a registered name), cached per
    pair; None (string equality) for a name this build does not know."""
    if isinstance(profile, str):
        from rlvr_audit.grading.registry import get_profile

        try:
            profile = get_profile(profile)
        except AuditError:
            return None
    cache: dict[tuple[str, str], bool] = {}

    def judged_same(representative: str, answer: str) -> bool:
        gold = profile.prepare_gold(representative)
        for text in ("\\boxed{" + answer + "}", answer):
            extraction = profile.extract(text)
            if extraction.found:
                return bool(profile.judge(extraction.answer, gold))
        return bool(profile.judge(answer, gold))

    def same(representative: str, answer: str) -> bool:
        key = (representative, answer)
        if key not in cache:
            try:
                cache[key] = judged_same(representative, answer)
            except Exception:  # a comparator failure means "not shown equal", never a crash
                cache[key] = False
        return cache[key]

    return same
