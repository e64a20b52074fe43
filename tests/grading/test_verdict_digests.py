"""Each profile's verdicts on a fixed slice of the shared real outputs, pinned as a digest
next to the profile's version: a change in verdicts without a version bump fails here.

A profile's fingerprint (grading.identity) covers its version and library versions but
not its code, so this test is what makes "bump the version when verdicts change" hold.
When a change is intended: bump `<profile>.version`, then pin the new digest printed in
the failure next to the new version below.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from itertools import islice

import pytest

from rlvr_audit.grading.base import GradeRequest
from rlvr_audit.grading.engine.pool import grade_many
from rlvr_audit.grading.registry import get_profile

LINES_PER_FILE = 100  # 400 items: about a minute for all profiles on 2 cores
TIMEOUT_S = 60.0  # generous: a timeout here is the machine, not the profile (and fails apart)

# profile -> (version, sha256 of the sorted (index, status, extracted) list). Index runs
# over the first LINES_PER_FILE lines of every real-outputs file, files in name order.
PINNED: dict[str, tuple[str, str]] = {
    "qwen25-math": ("2", "76efc02a4c46102900d4cd51ead1f7055417a42f4140646dc51555f796227e17"),
    "ttrl": ("2", "ce773ee428e61454d6dd0a3f400c7a8186fde35df466b24755055b6408b2a997"),
    "math-verify": ("2", "3c3fc195bfc63dfb76261ffef6224bebb5d8bc0d0bdf45f32d73be3075c6a275"),
    "sober": ("2", "3c3fc195bfc63dfb76261ffef6224bebb5d8bc0d0bdf45f32d73be3075c6a275"),
    "minerva": ("1", "a33ffeb0c2ebc3af01450e97cbf04102e76993c8acdcf02409cd3180a9644789"),
    "hendrycks": ("1", "57e768f15b7d4ba0b1881708363dfbb7dd96592c038e5ef7e839d02bed7de9b5"),
    "prm800k": ("1", "fe641817b7a04724262a0ed7e3e4bb26a4b5c6eb77160b37bd2e62113fcb26c8"),
    "r1zero": ("1", "a646c8e13541f6497bb1a2d87ce6bfe4b8762f020492beb6a1922387f0d42e91"),
    "r1zero-fast": ("1", "fe641817b7a04724262a0ed7e3e4bb26a4b5c6eb77160b37bd2e62113fcb26c8"),
    "r1zero-tag": ("1", "077fe3ab263ff165701241cdc592f173f5c244601a82787473793c8eb40e859b"),
    "dapo": ("1", "ab24caac9b7c435c83ec66ecbb2afedfbf8163d3f764ad2c511fca9852732f67"),
}


def slice_requests(shared_data) -> list[GradeRequest]:
    """The fixed slice: the first LINES_PER_FILE records of each real-outputs file."""
    requests = []
    for path in sorted((shared_data / "real-outputs").glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in islice((line for line in fh if line.strip()), LINES_PER_FILE):
                record = json.loads(line)
                requests.append(GradeRequest(record["completion"], str(record["answer"])))
    return requests


def verdict_digest(grades: list) -> str:
    rows = sorted((i, g.status, g.extracted) for i, g in enumerate(grades))
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode("utf-8")).hexdigest()


@pytest.fixture(scope="module")
def slice_requests_once(shared_data):
    return slice_requests(shared_data)


@pytest.mark.parametrize("name", list(PINNED))
def test_verdicts_match_the_pinned_digest(name, slice_requests_once):
    batch = grade_many(slice_requests_once, [name], workers=2, timeout=TIMEOUT_S, progress=False)
    grades = [row[name] for row in batch.grades]
    failed = [(i, g.status, g.detail) for i, g in enumerate(grades) if g.status in ("timeout", "error")]
    assert not failed, f"{name}: {len(failed)} grades are not verdicts (machine overloaded?): {failed[:3]}"
    version, pinned = PINNED[name]
    digest = verdict_digest(grades)
    current = str(get_profile(name).version)
    if current == version:
        following = str(int(version) + 1) if version.isdigit() else f"{version}+1"
        assert digest == pinned, (
            f"{name}'s verdicts on the real-outputs slice changed but its version is still {version}: "
            f"bump {name}.version to {following}, then pin ({following!r}, {digest!r}) in PINNED"
        )
    else:
        pytest.fail(f"{name}.version is {current}, pinned {version}: pin ({current!r}, {digest!r}) in PINNED")


def test_every_profile_is_pinned():
    from rlvr_audit.grading.registry import DEFAULT_PROFILES

    assert sorted(PINNED) == sorted(DEFAULT_PROFILES)
