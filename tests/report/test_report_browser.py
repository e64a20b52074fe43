"""The report page in a real headless Chromium (Playwright): each filter lists the rows the
hand-made runs were built to give (report_fixtures.py), a problem shows its completions and
grades with base and trained side by side, search by id, hostile model text stays text, and
a 2 runs x 10 templates x 500 problems report stays quick and lazy.

Needs the `playwright` package (extra report-tests, in dev) and a Chromium on PATH
(`apt-get install chromium`; scripts/install.sh does it) or in $RLVR_AUDIT_CHROMIUM; without
either the tests skip and say which is missing. `playwright install` is never used."""

from __future__ import annotations

import os
import shutil
import time

import pytest
from report_fixtures import HOSTILE, IDS, completion, make_pair

from rlvr_audit.core.types import Generation, Problem, Sampling
from rlvr_audit.report.html_report import build_report_data, write_html_report
from rlvr_audit.store.run import Run, new_manifest

pytestmark = pytest.mark.slow


def _chromium_path() -> str | None:
    for candidate in (
        os.environ.get("RLVR_AUDIT_CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[report-tests]'): browser tests skipped")
    path = _chromium_path()
    if path is None:
        pytest.skip(
            "Chromium is not installed (apt-get install chromium, or set RLVR_AUDIT_CHROMIUM): browser tests skipped"
        )
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page_of(browser):
    """Open a report file; every page records dialogs (an alert would mean script ran) and errors."""
    opened = []

    def open_report(path):
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.dialogs, page.errors = [], []
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.goto(path.as_uri())
        page.wait_for_selector("html[data-ready='1']", state="attached", timeout=30000)
        opened.append(page)
        return page

    yield open_report
    for page in opened:
        page.close()


@pytest.fixture
def report(tmp_path):
    base, trained = make_pair(tmp_path / "runs", trained_label="rl</script><img src=x onerror=alert(2)>")
    path = tmp_path / "report.html"
    write_html_report(build_report_data([base, trained], n_boot=200), path)
    return path


def rows(page) -> list[str]:
    return [r.get_attribute("data-id") for r in page.locator("#problem-rows tr").all()]


def choose(page, *, run=None, template=None, profile=None, status=None, search=None, **checks):
    if run is not None:
        page.select_option("#f-run", index=run)
    if template is not None:
        page.select_option("#f-template", label=template)
    if profile is not None:
        page.select_option("#f-profile", label=profile)
    if status is not None:
        page.select_option("#f-status", value=status)
    for name, on in checks.items():
        page.set_checked(f"#f-{name}", on)
    if search is not None:
        page.fill("#f-search", search)


def _ids(indices: str) -> list[str]:
    return [IDS[int(i)] for i in indices]


# (run index, template, profile, filters) -> rows; the same cases as test_report_data's, by hand.
CASES = [
    (0, "A", "strict", {"disagree": True}, "12"),
    (0, "B", "strict", {"disagree": True}, "235"),
    (1, "A", "strict", {"disagree": True}, "4"),
    (0, "A", "strict", {"flips": True}, "35"),
    (1, "A", "loose", {"flips": True}, "4"),
    (1, "A", "strict", {"differs": True}, "123"),
    (1, "B", "strict", {"differs": True}, "15"),
    (1, "B", "loose", {"differs": True}, "13"),
    (0, "B", "strict", {"status": "timeout"}, "5"),
    (1, "A", "strict", {"status": "incorrect"}, "34"),
    (0, "A", "strict", {"search": "geo"}, "23"),
    (0, "B", "strict", {"disagree": True, "search": "num"}, "5"),
    (1, "A", "strict", {"differs": True, "flips": True}, "2"),
]


def test_filters_show_the_rows_built_in(page_of, report):
    page = page_of(report)
    assert rows(page) == IDS[: len(IDS)] and page.inner_text("#browser-count") == "6 of 6 problems"
    for run, template, profile, filters, expected in CASES:
        choose(
            page,
            run=run,
            template=template,
            profile=profile,
            status="",
            search="",
            disagree=False,
            flips=False,
            **({"differs": False} if run else {}),
        )
        choose(page, **filters)
        assert rows(page) == _ids(expected), (run, template, profile, filters)
        assert page.inner_text("#browser-count") == f"{len(expected)} of 6 problems"
    choose(page, run=0, flips=False, differs=False, disagree=False, status="", search="")
    assert page.is_disabled("#f-differs")  # the base run has no base to differ from
    assert not page.dialogs and not page.errors


def test_a_problem_shows_completions_and_grades(page_of, report, tmp_path):
    page = page_of(report)
    assert page.locator("pre.completion").count() == 0  # completions render only when a problem is opened
    choose(page, run=1, template="A", profile="strict", search="alg/2")
    assert rows(page) == ["alg/2"]
    page.click("#problem-rows button[data-open]")
    detail = page.locator("#problem-detail")
    assert detail.get_attribute("data-id") == "alg/2"
    base_side = detail.locator("[data-side=base]")
    trained_side = detail.locator("[data-side=trained]")
    assert base_side.locator("pre.completion").inner_text() == completion("base", "A", "alg/2")
    assert trained_side.locator("pre.completion").inner_text() == completion("trained", "A", "alg/2")
    # alg/2 under A: base strict incorrect, loose correct; trained both correct (report_fixtures table)
    assert base_side.locator("tr[data-profile=strict] [data-status]").get_attribute("data-status") == "incorrect"
    assert base_side.locator("tr[data-profile=loose] [data-status]").get_attribute("data-status") == "correct"
    assert trained_side.locator("tr[data-profile=strict] [data-status]").get_attribute("data-status") == "correct"
    assert trained_side.locator("tr[data-profile=strict] .extracted").inner_text() == HOSTILE  # shown as text
    assert detail.locator(".gold").inner_text() == "2"
    # every template of the trained run, completions on demand
    block = detail.locator(".all-completions details[data-template=B]")
    block.locator("summary").click()
    assert block.locator("pre.completion").inner_text() == completion("trained", "B", "alg/2")
    page.screenshot(path=str(tmp_path / "problem.png"), full_page=True)
    assert (tmp_path / "problem.png").stat().st_size > 10_000
    assert not page.dialogs and not page.errors


def test_hostile_text_stays_text(page_of, report):
    page = page_of(report)
    choose(page, run=1, template="A", profile="strict", search="alg/1")
    page.click("#problem-rows button[data-open]")
    trained = page.locator("#problem-detail [data-side=trained] pre.completion")
    assert trained.inner_text() == completion("trained", "A", "alg/1")  # holds HOSTILE
    choose(page, search="alg/2")
    page.click("#problem-rows button[data-open]")
    assert HOSTILE in page.locator("#problem-detail .question").inner_text()  # the question of alg/2
    assert page.locator("img").count() == 0  # no element was made from model text or run names
    assert not page.dialogs and not page.errors


def test_overview_sections(page_of, report, tmp_path):
    page = page_of(report)
    table = page.locator("[data-testid=comparison-table]")
    assert "rl</script><img src=x onerror=alert(2)>" in table.inner_text()  # a run name, as text
    assert page.locator("[data-testid=provenance-0]").count() == 1
    assert page.locator("svg.chart title").count() >= 8  # tooltips on heatmap cells and bars
    page.screenshot(path=str(tmp_path / "overview.png"))
    assert not page.dialogs and not page.errors


def _big_run(path, role: str, templates: list[str], n_problems: int) -> Run:
    """A run with long completions, graded by two profiles (statuses by a fixed rule)."""
    problems = [Problem(f"prob/{i}", f"question {i} " * 20, str(i)) for i in range(n_problems)]
    manifest = new_manifest(
        model={"id": f"org/{role}"},
        benchmark={"name": "big", "size": n_problems, "hash": "bighash", "source": "test"},
        templates={t: {"hash": t} for t in templates},
        sampling=Sampling(n=1),
    )
    run = Run.create(path, manifest, problems)
    text = "Let us compute step by step. " * 80
    with run.generation_writer() as out:
        out.write_many(
            Generation(p.id, t, 0, f"{role} {t} {text}", "stop").to_dict() for t in templates for p in problems
        )
    for k, profile in enumerate(("strict", "loose")):
        with run.grade_writer(profile) as out:
            for j, t in enumerate(templates):
                for i, p in enumerate(problems):
                    status = "correct" if (i + j + k + len(role)) % 3 else "incorrect"
                    out.write(
                        {
                            "problem_id": p.id,
                            "template": t,
                            "sample": 0,
                            "status": status,
                            "extracted": str(i),
                            "detail": None,
                            "version": "1",
                        }
                    )
    return Run.open(path)


def test_two_runs_ten_templates_500_problems_stay_quick(page_of, tmp_path):
    templates = [f"t{j}" for j in range(10)]
    base = _big_run(tmp_path / "base", "base", templates, 500)
    trained = _big_run(tmp_path / "trained", "trained", templates, 500)
    path = tmp_path / "big.html"
    write_html_report(build_report_data([base, trained], n_boot=200), path)
    start = time.perf_counter()
    page = page_of(path)
    elapsed = time.perf_counter() - start
    assert page.locator("#problem-rows tr").count() == 50  # one page of rows, not 500
    assert page.locator("pre.completion").count() == 0
    assert elapsed < 15, f"{elapsed:.1f} s to a usable page"  # ~1 s here; generous for slow CI machines
    page.click("#next")
    assert page.locator("#problem-rows tr").first.get_attribute("data-id") == "prob/50"
