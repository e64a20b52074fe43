"""The profile interface.

A profile grades in three steps, each a pure function of strings so that it can run in a
worker process and its results can be cached:

1. ``prepare_gold(answer, solution)`` -> the gold string the harness compares against
   (its own gold handling: normalised once, taken from the solution's last box, ...).
2. ``extract(completion)`` -> ``Extraction``: what the harness pulls out of the model's
   text, already in the form ``judge`` consumes (normalised where the harness normalises).
3. ``judge(extracted, gold)`` -> bool: the comparator. Expensive (symbolic) work lives
   here; the pool caches it by ``(profile, gold, extracted)`` and times it out from outside.

``grade_local`` runs all three in-process with no time limit (tests, rewards on tiny data).
"""

from __future__ import annotations

from dataclasses import dataclass

from rlvr_audit.core.types import Grade


@dataclass(frozen=True)
class GradeRequest:
    """What a profile needs to grade one completion."""

    completion: str
    answer: str
    solution: str | None = None


@dataclass(frozen=True)
class Extraction:
    """`answer` feeds `judge`; `found` is False when the harness found no answer
    (then a False verdict becomes status `no_answer`, not `incorrect`); `shown` is a
    human-readable form for reports (defaults to `answer`)."""

    answer: str | None
    found: bool
    shown: str | None = None


class Profile:
    """Base class; subclasses set the class attributes and override the three steps."""

    name: str = ""
    harness: str = ""  # the public harness whose verdicts this reproduces
    description: str = ""  # one line
    version: str = "1"  # bump when a verdict can change
    notes: str = ""  # where verdicts may differ from the original (library versions, guards)
    # `libraries`: distributions whose versions can change verdicts; unset = the built-in
    # table in grading.identity, or every math library for a plug-in.

    @property
    def fingerprint(self) -> str:
        """Digest of this profile's identity (`rlvr_audit.grading.identity`); part of every
        grade and cache key, so a new version or library never reuses an old verdict."""
        from rlvr_audit.grading.identity import fingerprint  # identity imports this module

        return fingerprint(self)

    def prepare_gold(self, answer: str, solution: str | None = None) -> str:
        return answer

    def extract(self, completion: str) -> Extraction:
        raise NotImplementedError

    def judge(self, extracted: str | None, gold: str) -> bool:
        raise NotImplementedError

    def make_grade(self, extraction: Extraction, verdict: bool) -> Grade:
        """Turn an extraction and a verdict into a Grade with the right status."""
        if verdict:
            status = "correct"
        elif not extraction.found:
            status = "no_answer"
        else:
            status = "incorrect"
        shown = extraction.shown if extraction.shown is not None else extraction.answer
        return Grade(self.name, self.version, status, shown, fingerprint=self.fingerprint)

    def grade_local(self, request: GradeRequest) -> Grade:
        """Grade in this process, with no time limit. Exceptions become status `error`."""
        try:
            gold = self.prepare_gold(request.answer, request.solution)
            extraction = self.extract(request.completion)
            verdict = self.judge(extraction.answer, gold)
        except Exception as exc:  # a grade always has a status
            return Grade(self.name, self.version, "error", None, f"{type(exc).__name__}: {exc}", self.fingerprint)
        return self.make_grade(extraction, verdict)
