"""Time an HTML report (`rlvr-audit report`) to usable in headless Chromium, and take the
overview and a filtered problem view as screenshots.

"Usable" = the overview is on screen and the problem browser's first page of rows is
rendered (the page sets html[data-ready="1"] after that); measured from the start of
navigation, in a fresh browser context each time (no cache), median of --repeats.

    python bench/report_load.py report.html [--repeats 3] [--shots DIR]

Needs playwright and a system Chromium (scripts/install.sh; $RLVR_AUDIT_CHROMIUM overrides).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--shots", type=Path, default=None, help="write overview.png and filtered.png here")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("RLVR_AUDIT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    url = args.report.resolve().as_uri()
    times, in_page = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for _ in range(args.repeats):
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            start = time.perf_counter()
            page.goto(url, wait_until="commit")
            page.wait_for_selector("html[data-ready='1']", state="attached", timeout=120_000)
            times.append(time.perf_counter() - start)
            in_page.append(page.evaluate("window.rlvrAuditReadyMs") / 1000)
            context.close()
        if args.shots:
            args.shots.mkdir(parents=True, exist_ok=True)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            page.wait_for_selector("html[data-ready='1']", state="attached")
            page.screenshot(path=str(args.shots / "overview.png"))
            page.select_option("#f-run", index=1 if page.locator("#f-run option").count() > 1 else 0)
            if not page.is_disabled("#f-differs"):
                page.check("#f-differs")
            page.locator("#problem-rows button[data-open]").first.click()
            page.evaluate("document.getElementById('browser').scrollIntoView()")
            page.screenshot(path=str(args.shots / "filtered.png"))
            page.close()
        browser.close()
    size = args.report.stat().st_size / 1e6
    print(f"{args.report}: {size:.1f} MB")
    print(
        f"usable (navigation start -> first page of rows), median of {len(times)}: {statistics.median(times):.2f} s "
        f"(each: {', '.join(f'{t:.2f}' for t in times)}); in-page clock {statistics.median(in_page):.2f} s"
    )


if __name__ == "__main__":
    main()
