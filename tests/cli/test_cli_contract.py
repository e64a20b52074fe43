"""The CLI's contract, through the real CLI in a subprocess: exit codes (0 ok, 1 a gate
tripped, 2 bad input or usage, 3 an incomplete run, 130 interrupted), the first line of
stderr, and that a failing command leaves every file already written as it was.

One table holds the cases of issue 13's "Why" list that this part covers: claims checked
against their base (1), usage errors (3), corrupt files (8), wrong fixes in messages (9),
incomplete runs (exit 3), and no silent loss or change in the files `grade` and `import`
take in (4: torn last lines, duplicated records, conflicting golds, completions that are
not text)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from contract_runs import (
    baseline_args,
    cli_env,
    copy_run,
    damaged_files,
    edit_line,
    first_line,
    input_files,
    make_incomplete,
    run_cli,
    set_manifest,
    tree_hashes,
    write_problems,
)

N_PROBLEMS = 5
CLAIM_MODEL = "Qwen/Qwen2.5-Math-7B"
RECORD_FIX = "delete that line (or restore the file from a copy), then rerun the command that wrote it"
GZIP_FIX = "copy or download the file again (`gzip -t FILE` checks one), or pass it uncompressed"


@pytest.fixture(scope="module")
def env(tmp_path_factory) -> dict[str, str]:
    return cli_env(tmp_path_factory.mktemp("contract-usage-home"))


@pytest.fixture(scope="module")
def world(tmp_path_factory, tiny_model) -> dict[str, Path]:
    """Run directories made by a real `baseline` of the tiny model, copies that claim other
    identities, and copies damaged the ways the issue found them."""
    root = tmp_path_factory.mktemp("contract")
    env = cli_env(tmp_path_factory.mktemp("contract-home"))  # outside root: its cache may grow
    data = write_problems(root / "toy-math.jsonl", N_PROBLEMS)
    made = run_cli(baseline_args(tiny_model, data, root / "runs" / "base"), env)
    assert made.returncode == 0, made.stderr
    runs = root / "runs"
    base = runs / "base"
    w = {"root": root, "runs": runs, "model": tiny_model, "toy": data, "base": base}
    w["trained"] = copy_run(base, runs / "trained")
    set_manifest(w["trained"], model_id="rl-checkpoint")
    w["qwen"] = copy_run(base, runs / "qwen")
    set_manifest(w["qwen"], model_id=CLAIM_MODEL)
    for name, source in (("incomplete", "base"), ("incomplete_qwen", "qwen")):
        w[name] = copy_run(w[source], runs / name.replace("_", "-"))
        make_incomplete(w[name], keep=2)
    w["bad_json"] = copy_run(base, runs / "bad-json")
    edit_line(w["bad_json"] / "generations.jsonl", 1, b"garbage, not JSON")
    w["bad_sample"] = copy_run(base, runs / "bad-sample")
    line = (w["bad_sample"] / "generations.jsonl").read_bytes().split(b"\n")[1]
    edit_line(w["bad_sample"] / "generations.jsonl", 2, re.sub(rb'"sample": \d+', b'"sample": "x"', line))
    w["no_key"] = copy_run(base, runs / "no-key")
    edit_line(w["no_key"] / "generations.jsonl", 1, b'{"completion": "a record without a key"}')
    w["bad_status"] = copy_run(base, runs / "bad-status")
    grade = (w["bad_status"] / "grades" / "ttrl.jsonl").read_bytes().split(b"\n")[0]
    edit_line(w["bad_status"] / "grades" / "ttrl.jsonl", 1, re.sub(rb'"status": "\w+"', b'"status": "maybe"', grade))
    w["latin1_grades"] = copy_run(base, runs / "latin1-grades")
    edit_line(w["latin1_grades"] / "grades" / "ttrl.jsonl", 1, b'{"problem_id": "caf\xe9"}')
    w["latin1_manifest"] = copy_run(base, runs / "latin1-manifest")
    manifest = (w["latin1_manifest"] / "run.json").read_bytes()
    (w["latin1_manifest"] / "run.json").write_bytes(manifest.replace(b'"label": null', b'"label": "caf\xe9"'))
    w.update(damaged_files(root / "files"))
    w.update(input_files(root / "inputs"))
    w["env"] = env
    return w


@pytest.fixture(scope="module")
def gsm_run(world, shared_data) -> Path:
    """A real GSM8K base run (3 problems of the shared GSM8K file) of the tiny model."""
    out = world["runs"] / "gsm"
    made = run_cli(
        baseline_args(world["model"], shared_data / "benchmarks" / "gsm8k.jsonl", out, benchmark="gsm8k")
        + ["--limit", "3"],
        world["env"],
    )
    assert made.returncode == 0, made.stderr
    return out


GRADE = ["-p", "dapo", "--workers", "0", "--out", "{scratch}/grades"]  # grades go to scratch, not beside the input
IMPORT = ["--group-by", "run", "--out", "{scratch}/imported", "--no-grade"]
TORN_WARNING = "warning: {torn}: line 5 is torn (an unfinished write); 1 record kept out — pass --strict to refuse"
TORN_ERROR = "error: {torn}: line 5, the last, is torn (an unfinished write: no newline at the end, not valid JSON)"
DEDUPE_FIX = "pass --dedupe first|last to keep one"
SAME_P1 = "lines 2 and 4 hold the same record of id 'p1'"
GOLDS = "lines 1 and 4 give id 'p0' different gold answers ('1' and '7')"
NOT_TEXT = "write it as a JSON string, or pass --completion-field with the field that holds the completion"

# (id, args, exit code, first stderr line: its start, then fragments it contains).
CASES = [
    # 1. claims checked against their base
    (
        "claim/gsm8k-base",
        ["compare", "{gsm}", "--claim", "spurious-rewards"],
        2,
        [
            "error: gsm is not a base run of claim 'spurious-rewards': its model is ",
            f"the claim's is {CLAIM_MODEL}; its benchmark is gsm8k, the claim's is math500; "
            f"pass a run of {CLAIM_MODEL} on math500, or add --force to compare anyway",
        ],
    ),
    (
        "claim/tiny-model-base",
        ["compare", "{base}", "--claim", "spurious-rewards"],
        2,
        ["error: base is not a base run of claim 'spurious-rewards': its model is ", "add --force"],
    ),
    ("claim/forced", ["compare", "{gsm}", "--claim", "spurious-rewards", "--force", "--no-contamination"], 0, [""]),
    ("claim/matching-base", ["compare", "{qwen}", "--claim", "spurious-rewards", "--no-contamination"], 0, [""]),
    # 3. usage errors are exit 2 (not 1, the gate's), name the fix, and --debug goes anywhere
    *(
        (
            f"usage/misspelled-option-{where}",
            args,
            2,
            [
                "error: no such option --fail-if-adjusted-bellow; did you mean --fail-if-adjusted-below? "
                "(see `rlvr-audit compare --help`)"
            ],
        )
        for where, args in (
            ("plain", ["compare", "{base}", "{trained}", "--fail-if-adjusted-bellow", "2"]),
            ("debug-after", ["compare", "{base}", "{trained}", "--fail-if-adjusted-bellow", "2", "--debug"]),
            ("debug-before", ["--debug", "compare", "{base}", "{trained}", "--fail-if-adjusted-bellow", "2"]),
        )
    ),
    ("usage/unknown-claim", ["compare", "{base}", "--claim", "nope"], 2, ["error: 'nope' is not a known claim; use"]),
    (
        "usage/debug-after-subcommand-shows-the-traceback",
        ["compare", "{base}", "--claim", "nope", "--debug"],
        2,
        ["Traceback (most recent call last):"],
    ),
    ("usage/unknown-command", ["frobnicate"], 2, ["error: No such command 'frobnicate'. (see `rlvr-audit --help`)"]),
    ("usage/missing-argument", ["grade"], 2, ["error: Missing argument 'paths'. (see `rlvr-audit grade --help`)"]),
    (
        "usage/bad-number",
        ["compare", "{base}", "{trained}", "--fail-if-adjusted-below", "x"],
        2,
        ["error: Invalid value for '--fail-if-adjusted-below'"],
    ),
    (
        "gate/tripped",
        ["compare", "{base}", "{trained}", "--fail-if-adjusted-below", "50", "--json"],
        1,
        ["error: trained: adjusted gain +0.0 (CI [+0.0, +0.0]) is below the required +50.0"],
    ),
    ("gate/passes", ["compare", "{base}", "{trained}", "--fail-if-adjusted-below", "-50", "--json"], 0, [""]),
    # an incomplete run is exit 3
    (
        "incomplete/compare",
        ["compare", "{incomplete}", "{trained}"],
        3,
        ["error: run {incomplete} is incomplete: 3 of 5 generations are missing", "finish it first: rerun `"],
    ),
    (
        "incomplete/compare-claim",
        ["compare", "{incomplete_qwen}", "--claim", "spurious-rewards"],
        3,
        ["error: run {incomplete_qwen} is incomplete: 3 of 5 generations are missing"],
    ),
    ("incomplete/verify", ["verify", "{incomplete}"], 3, ["FAIL {incomplete}: generations: 3 missing generation(s)"]),
    ("damaged/verify", ["verify", "{bad_json}"], 1, ["FAIL {bad_json}: generations: 1 corrupt line(s): 1"]),
    # 8. corrupt files: file, line, what is wrong, the fix; exit 2
    (
        "corrupt/cut-gzip",
        ["grade", "{cut_gz}"],
        2,
        [f"error: cannot read {{cut_gz}}: the gzip stream ends early (the file is cut short); {GZIP_FIX}"],
    ),
    (
        "corrupt/not-gzip",
        ["grade", "{not_gz}"],
        2,
        [f"error: cannot read {{not_gz}}: it is not gzip data, though its name ends in .gz; {GZIP_FIX}"],
    ),
    (
        "corrupt/not-gzip-import",
        ["import", "{not_gz}", "--group-by", "id", "--out", "{scratch}/imported"],
        2,
        ["error: cannot read {not_gz}: it is not gzip data"],
    ),
    (
        "corrupt/flipped-gzip",
        ["grade", "{flipped_gz}"],
        2,
        ["error: cannot read {flipped_gz}: the gzip data is corrupt ("],
    ),
    (
        "corrupt/not-utf8-file",
        ["grade", "{not_utf8}"],
        2,
        ["error: {not_utf8}: line 2 is not valid JSON (not UTF-8); fix or delete that line"],
    ),
    *(
        (
            f"corrupt/garbage-generation-{command}",
            [command, "{bad_json}", *more],
            2,
            [
                "error: {bad_json}/generations.jsonl: line 1 is not valid JSON (Expecting value); fix or delete that line"
            ],
        )
        for command, more in (("compare", ["{trained}"]), ("grade", []))
    ),
    (
        "corrupt/sample-not-a-number",
        ["grade", "{bad_sample}"],
        2,
        [
            "error: {bad_sample}/generations.jsonl: line 2 is not a valid record (sample 'x' is not a whole number); "
            + RECORD_FIX
        ],
    ),
    (
        "corrupt/record-without-key",
        ["grade", "{no_key}"],
        2,
        [
            "error: {no_key}/generations.jsonl: line 1 is not a valid record (the record has no problem_id, "
            "template, sample); " + RECORD_FIX
        ],
    ),
    (
        "corrupt/unknown-grade-status",
        ["compare", "{bad_status}", "{trained}"],
        2,
        [
            "error: {bad_status}/grades/ttrl.jsonl: line 1 is not a valid record (status 'maybe' is not one of "
            "correct, incorrect, no_answer, timeout, error); " + RECORD_FIX
        ],
    ),
    (
        "corrupt/grades-not-utf8",
        ["compare", "{latin1_grades}", "{trained}"],
        2,
        ["error: {latin1_grades}/grades/ttrl.jsonl: line 1 is not valid JSON (not UTF-8); fix or delete that line"],
    ),
    *(
        (
            f"corrupt/manifest-not-utf8-{command}",
            [command, "{latin1_manifest}", *more],
            2,
            ["error: {latin1_manifest}/run.json is not UTF-8 text (byte ", "restore it from a copy"],
        )
        for command, more in (("compare", ["{trained}"]), ("grade", []))
    ),
    # 9. the fix a message names is the right one
    (
        "fix/unknown-profile",
        ["compare", "{base}", "{trained}", "--profile", "nope"],
        2,
        ["error: 'nope' is not a known profile; pass --profile with one of: dapo, ttrl"],
    ),
    (
        "fix/unknown-profile-claim",
        ["compare", "{qwen}", "--claim", "spurious-rewards", "--profile", "nope"],
        2,
        ["error: 'nope' is not a known profile; pass --profile with one of: dapo, ttrl"],
    ),
    (
        "fix/ungraded-profile",
        ["compare", "{base}", "{trained}", "--profile", "minerva"],
        2,
        ["error: base is not graded with profile 'minerva'; grade it first: rlvr-audit grade {base} --profile minerva"],
    ),
    (
        "fix/field-example-is-a-data-field",
        ["baseline", "-m", "{model}", "--data-file", "{toy}", "--field", "foo", "--out", "{scratch}/never"],
        2,
        ["error: --field 'foo' is not KEY=VALUE; pass e.g. --field question=problem"],
    ),
    (
        "fix/unknown-model-before-benchmark",
        ["baseline", "-m", "no-such-org/no-such-model", "--backend", "hf", "--out", "{scratch}/never"],
        2,
        ["error: cannot resolve no-such-org/no-such-model@main to a commit"],
    ),
    (
        "fix/no-group-by-field-option",
        ["import", "{toy}", "--group-by-field", "id", "--out", "{scratch}/never"],
        2,
        ["error: no such option --group-by-field; did you mean --group-by? (see `rlvr-audit import --help`)"],
    ),
    # 4. no silent loss or change: a torn tail is said (or refused), duplicates and conflicting golds refused
    ("loss/torn-tail-grade", ["grade", "{torn}", *GRADE], 0, [TORN_WARNING]),
    ("loss/torn-tail-grade-strict", ["grade", "{torn}", *GRADE, "--strict"], 2, [TORN_ERROR, "delete that line"]),
    ("loss/torn-tail-import", ["import", "{torn}", *IMPORT], 0, [TORN_WARNING]),
    ("loss/torn-tail-import-strict", ["import", "{torn}", *IMPORT, "--strict"], 2, [TORN_ERROR]),
    (
        "loss/duplicate-record-grade",
        ["grade", "{dup}", *GRADE],
        2,
        [f"error: {{dup}}: {SAME_P1}, which makes 2 samples where most ids have 1; {DEDUPE_FIX}, or"],
    ),
    (
        "loss/duplicate-record-import",
        ["import", "{dup}", *IMPORT],
        2,
        [f"error: {{dup}}: {SAME_P1} (run 'r'), which makes 2 samples where most ids have 1; {DEDUPE_FIX}, or"],
    ),
    (
        "loss/duplicate-key-grade",
        ["grade", "{dup_sample}", *GRADE],
        2,
        [f"error: {{dup_sample}}: lines 1 and 3 both hold id 'p0' sample 0; {DEDUPE_FIX}"],
    ),
    (
        "loss/duplicate-key-import",
        ["import", "{dup_sample}", *IMPORT, "--sample-field", "sample"],
        2,
        [f"error: {{dup_sample}}: lines 1 and 3 both hold id 'p0' sample 0 (run 'r'); {DEDUPE_FIX}"],
    ),
    *(
        (
            f"loss/dedupe-{mode}-{command}",
            [command, "{dup}", *(GRADE if command == "grade" else IMPORT), "--dedupe", mode],
            0,
            [f"warning: {{dup}}: 1 duplicate record dropped, --dedupe {mode} kept the {mode} of each (e.g. {SAME_P1}"],
        )
        for command in ("grade", "import")
        for mode in ("first", "last")
    ),
    *(
        (
            f"loss/conflicting-golds-{command}",
            [command, "{golds}", *more],
            2,
            [f"error: {{golds}}: {GOLDS}; correct the file, or pass --dedupe first|last"],
        )
        for command, more in (("grade", GRADE), ("import", IMPORT))
    ),
    *(
        (
            f"loss/conflicting-golds-dedupe-{mode}-grade",
            ["grade", "{golds}", *GRADE, "--dedupe", mode],
            0,
            [
                f"warning: {{golds}}: 1 id with conflicting gold answers, --dedupe {mode} grades each against its "
                f"{mode} gold (e.g. id 'p0': {shown})"
            ],
        )
        for mode, shown in (("first", "'1' from line 1, not '7'"), ("last", "'7' from line 4, not '1'"))
    ),
    (
        "loss/completion-number-grade",
        ["grade", "{num}", *GRADE],
        2,
        [f"error: {{num}}: line 2: the completion 'completion' is a number (3), not text; {NOT_TEXT}"],
    ),
    (
        "loss/completion-list-grade",
        ["grade", "{listed}", *GRADE],
        2,
        [f"error: {{listed}}: line 1: the completion 'completion' is a list ([\"Answer: 1\"]), not text; {NOT_TEXT}"],
    ),
    (
        "loss/completion-null-grade",
        ["grade", "{null}", *GRADE],
        2,
        ["error: {null}: line 2: the completion 'completion' is null; fill it in or delete that line"],
    ),
    (
        "loss/completion-number-import",
        ["import", "{num}", *IMPORT],
        2,
        [f"error: {{num}}: line 2: the completion 'completion' is a number (3), not text; {NOT_TEXT}"],
    ),
    (
        "loss/bad-dedupe",
        ["grade", "{dup}", *GRADE, "--dedupe", "any"],
        2,
        ["error: --dedupe 'any' is not first or last"],
    ),
]


def _fill(text: str, values: dict[str, Path]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), text)


@pytest.mark.slow
@pytest.mark.parametrize(("args", "code", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_case(world, request, tmp_path, args, code, expected):
    values = {**world, "scratch": tmp_path}
    if any("{gsm}" in a for a in args):
        values["gsm"] = request.getfixturevalue("gsm_run")
    before = tree_hashes(world["root"])
    proc = run_cli([_fill(a, values) for a in args], world["env"])
    line = first_line(proc.stderr)
    assert proc.returncode == code, proc.stderr
    start, *fragments = [_fill(e, values) for e in expected]
    assert line.startswith(start) if start else line == "", proc.stderr
    assert all(f in line for f in fragments), line
    if not line.startswith("Traceback"):
        assert "Traceback" not in proc.stderr
    assert tree_hashes(world["root"]) == before, "a command changed files it should only read"
    assert not (tmp_path / "never").exists()


@pytest.mark.slow
def test_forced_claim_labels_every_row_unmatched(world, gsm_run):
    proc = run_cli(["compare", str(gsm_run), "--claim", "spurious-rewards", "--force", "--json"], world["env"])
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert len(data["rows"]) == 12 and {r["note"] for r in data["rows"]} == {"unmatched base"}
    assert any("gsm8k" in m for m in data["base_mismatch"])
    table = run_cli(["compare", str(gsm_run), "--claim", "spurious-rewards", "--force"], world["env"])
    rows = [line for line in table.stdout.splitlines() if "blog-2025-05" in line or "arxiv-v1" in line]
    assert len(rows) == 12 and all("unmatched base" in row for row in rows)


@pytest.mark.slow
def test_a_measured_base_is_not_verified(world):
    proc = run_cli(["compare", str(world["qwen"]), "--claim", "spurious-rewards", "--json"], world["env"])
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["baseline"]["source"] == "measured" and data["baseline"]["verified"] is None
    assert data["base_mismatch"] == [] and all("note" not in r for r in data["rows"])


def _commands() -> list[list[str]]:
    from rlvr_audit.cli.app import app

    names = [c.name for c in app.registered_commands]
    groups = [[g.name, c.name] for g in app.registered_groups for c in g.typer_instance.registered_commands]
    return [[n] for n in names] + groups


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_every_command_keeps_the_usage_contract(env, command):
    helped = run_cli([*command, "--help"], env)
    assert helped.returncode == 0 and "Usage:" in helped.stdout, helped.stderr
    wrong = run_cli([*command, "--no-such-option"], env)
    assert wrong.returncode == 2
    assert first_line(wrong.stderr).startswith("error: no such option --no-such-option"), wrong.stderr
    debug_after = run_cli([*command, "--no-such-option", "--debug"], env)
    assert debug_after.returncode == 2 and first_line(debug_after.stderr) == first_line(wrong.stderr)


def test_the_readme_documents_the_exit_codes():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Exit codes", 1)[1].split("\n#", 1)[0]
    for code, meaning in (
        ("0", "success"),
        ("1", "gate"),
        ("2", "bad input"),
        ("3", "incomplete"),
        ("130", "interrupt"),
    ):
        assert re.search(rf"\b{code}\b[^\n]*{meaning}", section, re.IGNORECASE), (code, section)


def _item_grades(path: Path) -> dict[int, set[str]]:
    return {line["index"]: set(line["grades"]) for line in map(json.loads, path.read_text().splitlines())}


def test_grading_a_file_again_merges_profiles_and_refuses_another_input(env, tmp_path):
    gen = tmp_path / "gen.jsonl"
    gen.write_text(
        "".join(json.dumps({"id": f"p{i}", "completion": f"Answer: {i}", "answer": "1"}) + "\n" for i in range(3)),
        encoding="utf-8",
    )
    grades = tmp_path / "gen.grades.jsonl"
    for profile in ("dapo", "ttrl"):
        proc = run_cli(["grade", str(gen), "-p", profile, "--workers", "0", "--json"], env)
        assert proc.returncode == 0, proc.stderr
    assert _item_grades(grades) == {0: {"dapo", "ttrl"}, 1: {"dapo", "ttrl"}, 2: {"dapo", "ttrl"}}
    assert "(kept the grades of dapo)" in proc.stderr
    statuses = [json.loads(line)["grades"]["dapo"]["status"] for line in grades.read_text().splitlines()]
    assert statuses == ["incorrect", "correct", "incorrect"]  # dapo's entries survived ttrl's grading

    # a re-grade of one profile replaces only that profile's entries
    proc = run_cli(["grade", str(gen), "-p", "dapo", "--workers", "0", "--json"], env)
    assert proc.returncode == 0, proc.stderr
    assert _item_grades(grades) == {0: {"dapo", "ttrl"}, 1: {"dapo", "ttrl"}, 2: {"dapo", "ttrl"}}
    assert not list(tmp_path.glob(".*.tmp")), "the temp file of the atomic write is left behind"

    # the input changed: its old grades are not merged with the new ones
    before = grades.read_bytes()
    with gen.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": "p3", "completion": "Answer: 1", "answer": "1"}) + "\n")
    proc = run_cli(["grade", str(gen), "-p", "ttrl", "--workers", "0"], env)
    assert proc.returncode == 2
    assert first_line(proc.stderr) == (
        f"error: {grades} holds grades of another input, not of {gen} as it is now (sha256 "
        f"{hashlib.sha256(gen.read_bytes()).hexdigest()[:12]}...); delete {grades} to start it afresh, "
        "or pass --out DIR to write the grades elsewhere"
    )
    assert grades.read_bytes() == before and "Traceback" not in proc.stderr


# (case, grade's arguments, records counted, of them correct)
KEPT_CASES = [
    ("torn tail: 4 of 5", ["{torn}"], 4, 4),
    ("dedupe: 4 of 5", ["{dup}", "--dedupe", "first"], 4, 4),
    # both records of p0 answer 1; its golds are 1 (line 1) and 7 (line 4)
    ("golds, first: both p0 right", ["{golds}", "--dedupe", "first"], 4, 4),
    ("golds, last: both p0 wrong", ["{golds}", "--dedupe", "last"], 4, 2),
]


@pytest.mark.parametrize(("args", "n", "correct"), [c[1:] for c in KEPT_CASES], ids=[c[0] for c in KEPT_CASES])
def test_what_is_kept_out_is_not_counted(env, tmp_path, args, n, correct):
    files = input_files(tmp_path / "inputs")
    proc = run_cli(
        ["grade", *[_fill(a, files) for a in args], "-p", "dapo", "--workers", "0", "--json", "--out", str(tmp_path)],
        env,
    )
    assert proc.returncode == 0, proc.stderr
    (row,) = json.loads(proc.stdout)["rows"]
    assert (row["n"], row["correct"]) == (n, correct)
