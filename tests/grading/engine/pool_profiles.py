"""Test-only profiles that misbehave on purpose (imported by the pool tests; the worker
processes unpickle them by module name)."""

from __future__ import annotations

import os
import time

from rlvr_audit.grading.base import Extraction, Profile


class EchoProfile(Profile):
    """Extracts the stripped completion; correct when it equals the gold."""

    name = "echo"
    version = "1"

    def extract(self, completion: str) -> Extraction:
        text = completion.strip()
        return Extraction(text or None, bool(text))

    def judge(self, extracted, gold: str) -> bool:
        return extracted == gold


class NastyProfile(EchoProfile):
    """Misbehaves on magic answers: hangs, raises, eats memory or kills its process."""

    name = "nasty"

    def extract(self, completion: str) -> Extraction:
        if completion == "hang-extract":
            time.sleep(3600)
        return super().extract(completion)

    def judge(self, extracted, gold: str) -> bool:
        if extracted == "hang":
            while True:  # busy, not sleeping: the worker must be killed
                pass
        if extracted == "boom":
            raise ValueError("boom")
        if extracted == "eat":
            blob = bytearray(64 * 2**30)  # far over the worker's memory limit
            return len(blob) > 0
        if extracted == "die":
            os._exit(3)
        return super().judge(extracted, gold)


ECHO = EchoProfile()
NASTY = NastyProfile()
