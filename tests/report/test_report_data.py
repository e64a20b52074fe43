"""The report's data builder and page writer on hand-made runs (report_fixtures.py): every
expected row set and number is worked out by hand from the status table there."""

from __future__ import annotations

import json
import re

import pytest
from report_fixtures import BASE, HOSTILE, IDS, TRAINED, make_pair, make_report_run, probe_doc, write_probe

from rlvr_audit.cli.app import main
from rlvr_audit.comparison.gains import compare_runs
from rlvr_audit.core.errors import AuditError
from rlvr_audit.report.html_page import inline_json, page_data, render_page
from rlvr_audit.report.html_report import build_report_data, write_html_report
from rlvr_audit.report.problem_filters import select_problems
from rlvr_audit.workflows.report import expand_runs, make_report


@pytest.fixture
def pair(tmp_path):
    return make_pair(tmp_path / "runs")


@pytest.fixture
def data(pair):
    return build_report_data(list(pair), n_boot=200)


def _ids(indices: str) -> list[str]:
    return [IDS[int(i)] for i in indices]


# Each row: (run, template, profile, filters) -> the problems listed, from the table in report_fixtures.
FILTER_CASES = [
    ("base", "A", "strict", {"disagree": True}, "12"),  # A: strict vs loose differ on p1 (i/c), p2 (n/c)
    ("base", "B", "strict", {"disagree": True}, "235"),  # B: p2 i/c, p3 n/c, p5 t/c
    ("trained", "A", "strict", {"disagree": True}, "4"),
    ("trained", "B", "loose", {"disagree": True}, "2"),  # the template decides, not the profile chosen
    ("base", "A", "strict", {"flips": True}, "35"),  # strict: A vs B differ on p3 (c/n), p5 (c/t); p2 n/i agrees
    ("base", "B", "loose", {"flips": True}, "1"),
    ("trained", "A", "strict", {"flips": True}, "2"),
    ("trained", "A", "loose", {"flips": True}, "4"),
    ("trained", "A", "strict", {"differs": True}, "123"),  # base cincic vs trained ccciic
    ("trained", "A", "loose", {"differs": True}, "34"),
    ("trained", "B", "strict", {"differs": True}, "15"),  # p2 i/n and p3 n/i: both not correct
    ("trained", "B", "loose", {"differs": True}, "13"),
    ("base", "B", "strict", {"status": "timeout"}, "5"),
    ("trained", "A", "strict", {"status": "incorrect"}, "34"),
    ("base", "A", "strict", {"status": "no_answer"}, "2"),
    ("base", "A", "strict", {"status": "error"}, ""),
    ("base", "A", "strict", {"search": "geo"}, "23"),
    ("base", "A", "strict", {"search": "5"}, "45"),
    ("base", "A", "strict", {"search": "GEO/4"}, "3"),
    ("base", "B", "strict", {"disagree": True, "search": "num"}, "5"),
    ("base", "A", "strict", {"flips": True, "status": "correct"}, "35"),
    ("trained", "A", "strict", {"differs": True, "flips": True}, "2"),
    ("base", "A", "strict", {}, "012345"),
]


@pytest.mark.parametrize(("run", "template", "profile", "filters", "expected"), FILTER_CASES)
def test_filters_select_the_rows_built_in(data, run, template, profile, filters, expected):
    got = select_problems(data, run=run, template=template, profile=profile, **filters)
    assert got == _ids(expected)


def test_trained_and_base_differ_needs_a_trained_run(data):
    with pytest.raises(AuditError, match="trained run"):
        select_problems(data, run="base", template="A", profile="strict", differs=True)


def test_robustness_numbers(data):
    base, trained = data["runs"][0]["robustness"], data["runs"][1]["robustness"]
    strict = base["strict"]
    # A 3 of 6 = 50%, B 1 of 6: range 33.33, std of two values = half their difference
    assert strict["accuracy"] == {"A": 50.0, "B": pytest.approx(16.6667, abs=1e-4)}
    assert strict["spread"]["min"] == pytest.approx(16.6667, abs=1e-4) and strict["spread"]["max"] == 50.0
    assert strict["spread"]["range"] == pytest.approx(33.3333, abs=1e-4)
    assert strict["spread"]["std"] == pytest.approx(16.6667, abs=1e-4)
    # one pair per problem; p3 (c/n) and p5 (c/t) disagree: 4 of 6
    assert strict["consistency"] == {"rate": pytest.approx(66.6667, abs=1e-4), "problems": 6, "flipped": 2}
    assert strict["no_answer"] == {"A": pytest.approx(16.6667, abs=1e-4), "B": pytest.approx(16.6667, abs=1e-4)}
    loose = base["loose"]
    assert loose["spread"]["std"] == pytest.approx(8.3333, abs=1e-4)  # 83.33 vs 66.67
    assert loose["consistency"]["rate"] == pytest.approx(83.3333, abs=1e-4) and loose["no_answer"] == {
        "A": 0.0,
        "B": 0.0,
    }
    assert trained["strict"]["consistency"]["rate"] == pytest.approx(83.3333, abs=1e-4)  # only p2 flips
    assert trained["strict"]["no_answer"]["B"] == pytest.approx(16.6667, abs=1e-4)


def test_grid_and_comparison_come_from_the_library(pair, data):
    base_grid = data["runs"][0]["grid"]
    cell = next(c for c in base_grid["cells"] if (c["template"], c["profile"]) == ("A", "strict"))
    assert cell["accuracy"] == 50.0 and cell["parsable"] == pytest.approx(83.33, abs=0.01)
    assert base_grid["template_stats"]["B"]["truncated"] == pytest.approx(16.67, abs=0.01)  # alg/1 hit the limit
    # the robustness accuracies are the grid's
    for c in base_grid["cells"]:
        assert data["runs"][0]["robustness"][c["profile"]]["accuracy"][c["template"]] == pytest.approx(
            c["accuracy"], abs=0.01
        )
    expected = json.loads(json.dumps(compare_runs(pair[0], [pair[1]], n_boot=200).to_dict()))
    assert {k: v for k, v in data["comparison"].items() if k != "contamination"} == expected
    trained = data["comparison"]["trained"][0]
    assert trained["claimed"]["gain"] == pytest.approx(100 * 4 / 6 - 50.0, abs=1e-3)  # A/strict: 3 -> 4 of 6


def test_problems_and_browser_tables(data):
    assert data["problems"]["ids"] == IDS and data["problems"]["answer"][2] == "4"
    base, trained = data["browser"]["runs"]
    assert base["status"]["A"]["strict"] == BASE[("A", "strict")]
    assert trained["status"]["B"]["loose"] == TRAINED[("B", "loose")]
    assert trained["completion"]["A"][0].startswith("so the answer is " + HOSTILE)
    assert base["finish"]["B"][0] == "length" and base["extracted"]["A"]["strict"][2] is None


def test_provenance_fields(data):
    p = data["runs"][0]["provenance"]
    assert p["model"]["id"] == "org/base-model" and p["model"]["revision"] == "a" * 40
    assert p["templates"]["A"]["hash"] == "hash-A" and p["sampling"]["max_tokens"] == 64
    assert p["backend"]["name"] == "hf" and p["backend"]["library_versions"]["torch"] == "2.13.0"
    assert p["benchmark"]["hash"] == "toyhash1" and p["command"].startswith("rlvr-audit baseline")
    assert p["graders"]["strict"]["fingerprints"] == {"fp-strict-1": 12}  # 2 templates x 6 problems
    assert p["graders"]["loose"]["versions"] == {"1": 12}


def test_deterministic(pair):
    one = build_report_data(list(pair), n_boot=200)
    two = build_report_data(list(pair), n_boot=200)
    assert one == two and "generated_at" not in one
    assert json.dumps(one, allow_nan=False)  # valid JSON: no NaN anywhere


def test_base_can_be_any_run(pair):
    data = build_report_data(list(pair), base=pair[1], n_boot=200)
    assert [r["role"] for r in data["runs"]] == ["base", "trained"]
    assert data["runs"][0]["name"] == "trained" and data["comparison"]["base"]["run"] == "trained"


def test_restricting_profiles_and_templates(pair):
    data = build_report_data(list(pair), profiles=["strict"], templates=["A"], n_boot=200)
    assert data["runs"][0]["grid"]["profiles"] == ["strict"] and data["runs"][0]["grid"]["templates"] == ["A"]
    with pytest.raises(AuditError, match="nope"):
        build_report_data(list(pair), profiles=["nope"], n_boot=200)


def test_benchmark_mismatch_is_one_line(tmp_path, pair):
    other = make_report_run(tmp_path / "other", "trained", TRAINED, benchmark={"name": "toy", "size": 6, "hash": "h2"})
    with pytest.raises(AuditError) as info:
        build_report_data([pair[0], other], n_boot=200)
    line = info.value.one_line()
    assert "\n" not in line and "toyhash1" in line and "h2" in line and "same benchmark" in line


def test_a_path_with_no_run_is_one_line(tmp_path, capsys):
    (tmp_path / "empty" / "sub").mkdir(parents=True)
    with pytest.raises(AuditError, match="holds none"):
        expand_runs([tmp_path / "empty"])
    rc = main(["report", str(tmp_path / "empty"), "--html", str(tmp_path / "r.html")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and "holds none" in err[0]


def test_a_directory_expands_to_its_runs(tmp_path, pair):
    write_probe(tmp_path / "runs" / "base-probe", probe_doc())  # a probe run is left out
    runs, _ = expand_runs([tmp_path / "runs"])
    assert [r.name for r in runs] == ["base", "trained"]


def test_html_is_self_contained(tmp_path, data):
    write_html_report(data, tmp_path / "out" / "report.html")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert (tmp_path / "out" / "report.json").is_file()  # beside the page by default
    assert not re.search(r"""(src|href|action)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "<link" not in html and not re.search(r"<script[^>]*\bsrc=", html) and "url(http" not in html
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.html", "report.json"]  # no temp files
    assert html.count("<svg") >= 4  # two grids, the gains chart, the matched gains
    assert "<title>" in html  # tooltips


def test_hostile_text_stays_inert(tmp_path, pair):
    data = build_report_data(list(pair), n_boot=200)
    page = render_page(data)
    assert HOSTILE not in page and "<img" not in page
    start = page.index('<script type="application/json" id="report-data">') + len(
        '<script type="application/json" id="report-data">'
    )
    block = page[start : page.index("</script>", start)]
    assert json.loads(block) == json.loads(json.dumps(page_data(data)))  # the block closes where it should
    assert "\\u003c/script\\u003e" in inline_json({"x": HOSTILE})
    label = "rl</script><img src=x onerror=alert(2)>"
    hostile_pair = make_pair(tmp_path / "hostile", trained_label=label)
    page = render_page(build_report_data(list(hostile_pair), n_boot=200))
    assert label not in page and "<img" not in page and "rl&lt;/script&gt;&lt;img" in page


def test_contamination_is_shown_when_a_probe_is_beside_the_base(tmp_path, pair):
    write_probe(tmp_path / "runs" / "base-probe", probe_doc())
    data, _ = make_report([tmp_path / "runs" / "base", tmp_path / "runs" / "trained"], tmp_path / "r.html", n_boot=200)
    summary = data["contamination"]
    assert summary["verdict"] == "memorised" and summary["target"]["exact_match"]["mean"] == 50.0
    assert data["comparison"]["contamination"] == summary and "generated_at" in data
    assert "Contamination probe of the base model" in (tmp_path / "r.html").read_text(encoding="utf-8")
    data, _ = make_report([tmp_path / "runs"], tmp_path / "r2.html", n_boot=200, no_contamination=True)
    assert data["contamination"] is None


def test_cli_writes_page_and_json(tmp_path, pair, capsys):
    rc = main(
        [
            "report",
            str(tmp_path / "runs"),
            "--html",
            str(tmp_path / "a.html"),
            "--json",
            str(tmp_path / "a-data.json"),
            "--n-boot",
            "200",
            "--profile",
            "strict,loose",
        ]
    )
    assert rc == 0, capsys.readouterr().err
    out = capsys.readouterr().out
    assert "wrote" in out and "trained: adjusted" in out
    doc = json.loads((tmp_path / "a-data.json").read_text(encoding="utf-8"))
    assert doc["schema"] == "rlvr-audit.report" and doc["schema_version"] == 1
    assert [r["name"] for r in doc["runs"]] == ["base", "trained"]
    assert main(["report", str(tmp_path / "runs"), "--n-boot", "5"]) == 2


def test_one_run_with_several_samples(tmp_path):
    from rlvr_audit.core.types import Generation, Problem, Sampling
    from rlvr_audit.store.run import Run, new_manifest

    manifest = new_manifest(
        model={"id": "m"},
        benchmark={"name": "toy2", "size": 2, "hash": "h"},
        templates={"A": {"hash": "a"}, "B": {"hash": "b"}},
        sampling=Sampling(n=2, temperature=1.0),
    )
    run = Run.create(tmp_path / "one", manifest, [Problem("x", "q x", "1"), Problem("y", "q y", "2")])
    # sample 0 / sample 1 per (problem, template): A: x c/i, y i/i; B: x c/c, y c/n
    table = {("x", "A"): "ci", ("y", "A"): "ii", ("x", "B"): "cc", ("y", "B"): "cn"}
    with run.generation_writer() as out:
        out.write_many(Generation(pid, t, s, f"{pid}{t}{s}").to_dict() for (pid, t) in table for s in (0, 1))
    names = {"c": "correct", "i": "incorrect", "n": "no_answer"}
    with run.grade_writer("strict") as out:
        out.write_many(
            {"problem_id": pid, "template": t, "sample": s, "status": names[c], "extracted": None, "version": "1"}
            for (pid, t), codes in table.items()
            for s, c in enumerate(codes)
        )
    data = build_report_data([Run.open(run.path)], n_boot=200)
    assert data["comparison"] is None and data["runs"][0]["samples"] == 2
    rob = data["runs"][0]["robustness"]["strict"]
    # avg@n: A (1/2 + 0) / 2 = 25%, B (1 + 1/2) / 2 = 75%; sample 0: x c/c agree, y i/c flip -> 50%
    assert rob["accuracy"] == {"A": 25.0, "B": 75.0} and rob["consistency"]["rate"] == 50.0
    assert rob["no_answer"] == {"A": 0.0, "B": 25.0}  # 1 of B's 4 samples
    assert data["browser"]["runs"][0]["status"]["B"]["strict"] == "cc"  # sample 0 only
    assert select_problems(data, run="one", template="A", profile="strict", flips=True) == ["y"]
    assert "One run: nothing to compare" in render_page(data)


def test_runs_that_share_a_name_are_told_apart(tmp_path):
    a = make_report_run(tmp_path / "ckpt-1" / "eval", "base", BASE)
    b = make_report_run(tmp_path / "ckpt-2" / "eval", "trained", TRAINED)
    data = build_report_data([a, b], n_boot=200)
    assert [r["name"] for r in data["browser"]["runs"]] == ["eval (ckpt-1)", "eval (ckpt-2)"]
    assert select_problems(data, run="eval (ckpt-2)", template="A", profile="strict", differs=True) == _ids("123")


@pytest.mark.parametrize(("kwargs", "message"), [({"run": "nope"}, "no run"), ({"status": "odd"}, "unknown status")])
def test_filter_bad_input(data, kwargs, message):
    choice = {"run": "base", "template": "A", "profile": "strict", **kwargs}
    with pytest.raises(AuditError, match=message):
        select_problems(data, **choice)
