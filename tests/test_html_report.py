"""The instructors' HTML page, in a real headless browser (Debian's chromium, via Playwright).

The page must render from a file with no network at all, show one coloured cell per
submission × stage as the JSON report says, open a failed cell's message on click, and
sort by score.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, sync_playwright

from conftest import REDIS
from crack.authoring.scenarios import load_scenarios

CHROMIUM = "/usr/bin/chromium"
# Debian's chromium as root in a container: no sandbox, no GPU, nothing phoning home.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """A batch of three (correct, wrong at ping, missing) as JSON, and its page via crack report."""
    from crack.authoring.solutions import materialize

    base = tmp_path_factory.mktemp("html")
    correct = materialize(REDIS, "python", "ping-multiple", base / "correct")
    scenario = {s.name: s for s in load_scenarios(REDIS)}["pong-as-bulk-string"]
    wrong = scenario.build(REDIS, base / "wrong")
    report = base / "batch.json"
    page = base / "grades.html"
    env = {**os.environ, "NO_COLOR": "1"}
    command = [sys.executable, "-m", "crack"]
    subprocess.run(
        [
            *command,
            "grade",
            str(correct),
            str(wrong),
            str(base / "missing"),
            "--challenge",
            "redis",
            "--until",
            "ping-multiple",
            "--jobs",
            "2",
            "--format",
            "json",
            "--output",
            str(report),
        ],
        env=env,
        capture_output=True,
        check=False,
        timeout=300,
    )
    converted = subprocess.run(
        [*command, "report", "html", str(report), "-o", str(page)], env=env, capture_output=True, text=True
    )
    assert converted.returncode == 0, converted.stderr
    return json.loads(report.read_text()), page


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: run scripts/install-system-deps.sh"
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM,
            headless=True,
            args=FLAGS,
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser: BrowserContext, graded: tuple[dict[str, Any], Path]) -> Iterator[Page]:
    _, path = graded
    page = browser.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    yield page
    # Self-contained: the only thing the browser ever loaded is the file itself.
    assert requests == [path.as_uri()]
    page.close()


def test_html_report_in_chromium(page: Page, graded: tuple[dict[str, Any], Path]) -> None:
    """One test, three checks: under xdist, each test would grade and launch a browser anew."""
    batch, _ = graded
    _grid_matches_the_report(page, batch)
    _clicking_a_failed_cell_shows_its_message_and_log(page, batch)
    _sorting_by_score(page)


def _grid_matches_the_report(page: Page, batch: dict[str, Any]) -> None:
    assert page.title() == "crack grade redis"
    assert page.locator("h1").inner_text() == "crack grade redis"
    rows = page.locator("table.grid tbody tr")
    assert rows.count() == 3
    names = [rows.nth(i).get_attribute("data-name") for i in range(3)]
    assert names == ["correct", "wrong", "missing"]
    for i, entry in enumerate(batch["submissions"]):
        cells = rows.nth(i).locator("td.cell")
        assert cells.count() == len(batch["stages"]) == 3
        shown = [
            (cells.nth(c).get_attribute("data-stage"), cells.nth(c).get_attribute("data-status"))
            for c in range(3)
        ]
        assert shown == [(stage["slug"], stage["status"]) for stage in entry["stages"]]
    statuses = [[s["status"] for s in e["stages"]] for e in batch["submissions"]]
    assert statuses == [["passed"] * 3, ["passed", "failed", "skipped"], ["skipped"] * 3]
    # Coloured by status: the computed background of a failed and a passed cell differ as styled.
    failed = rows.nth(1).locator("td.cell").nth(1)
    passed = rows.nth(0).locator("td.cell").nth(0)
    assert failed.evaluate("c => getComputedStyle(c).backgroundColor") == "rgb(198, 40, 40)"
    assert passed.evaluate("c => getComputedStyle(c).backgroundColor") == "rgb(46, 125, 50)"
    assert "not graded" in rows.nth(2).locator("td.result").inner_text()
    assert page.locator("#detail").is_hidden()


def _clicking_a_failed_cell_shows_its_message_and_log(page: Page, batch: dict[str, Any]) -> None:
    stage = batch["submissions"][1]["stages"][1]
    assert stage["status"] == "failed"
    page.locator('tr[data-name="wrong"] td.cell[data-stage="ping"]').click()
    detail = page.locator("#detail")
    assert detail.is_visible()
    assert "wrong · stage 2: Respond to PING (ping) — failed" in detail.locator("h2").inner_text()
    assert detail.locator("pre.message").inner_text() == stage["message"]
    assert "expected simple string" in stage["message"]
    assert "[ping]" in detail.locator("pre.log").inner_text()
    # Another cell replaces it; a skipped cell of a broken submission says why it was not graded.
    page.locator('tr[data-name="missing"] td.cell[data-stage="bind"]').click()
    assert "not graded:" in detail.locator("pre.message").inner_text()
    assert "missing: no such folder" in detail.locator("pre.message").inner_text()


def _sorting_by_score(page: Page) -> None:
    def order() -> list[str | None]:
        rows = page.locator("table.grid tbody tr")
        return [rows.nth(i).get_attribute("data-name") for i in range(rows.count())]

    score = page.locator('th button[data-sort="score"]')
    score.click()
    assert order() == ["correct", "wrong", "missing"]  # highest first
    score.click()
    assert order() == ["missing", "wrong", "correct"]
    page.locator('th button[data-sort="name"]').click()
    assert order() == ["wrong", "missing", "correct"]  # names, descending first
