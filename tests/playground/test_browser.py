"""The playground in a real browser (Debian's chromium driven by Playwright) on the real sample."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.playground.conftest import POWER_EXP, S29_NAME, S29_RESULT, free_port, server_env

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = os.environ.get("PLAYGROUND_SCREENSHOTS", "")

pytestmark = [
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture
def server(sample_repo: Path, tmp_path: Path, cm_home: Path) -> Iterator[str]:
    """``python -m colmind.playground`` as a real server process on a free port."""
    port = free_port()
    env = server_env()
    env["CM_REPOS"] = str(cm_home)
    log = open(tmp_path / "server.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "colmind.playground", "--port", str(port),
                             "--db", "sqlite:///" + str(tmp_path / "browser.db")], env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/healthz", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise AssertionError("the playground did not start:\n" + log.read()) from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture
def page(server: str) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        pg = ctx.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.base = server  # type: ignore[attr-defined]
        pg.js_errors = errors  # type: ignore[attr-defined]
        yield pg
        browser.close()


def go(page: Any, query: str, shot: str = "") -> None:
    page.goto(page.base + query)
    if SHOTS and shot:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, shot + ".png"), full_page=False)


def drawn_points(page: Any) -> int:
    page.wait_for_selector("#plot[data-drawn]", timeout=30000)
    return int(page.get_attribute("#plot", "data-drawn"))


S28 = ("/?action=experiments&name=e472410ee67c41f9&x=Result&y=Power_Efficiency&filter=result['Result_Power']<35"
       "&derived_metrics=result['Power_Efficiency']=1000/result['Result_Power']&c=accelerator_model_name"
       "&axis_key_s=version&type=2D")


def test_s28_plot_has_the_expected_points(page: Any) -> None:
    go(page, S28)
    expected = int(page.inner_text("#shown"))
    assert expected > 0
    assert drawn_points(page) == expected
    # plotly drew one SVG marker per point
    assert page.locator("#plot .scatterlayer .point").count() == expected
    go(page, S28, "explorer-s28")
    assert not page.js_errors, page.js_errors


def test_s29_single_result(page: Any) -> None:
    go(page, f"/?action=experiments&name={S29_NAME}&result_uid={S29_RESULT}", "result-s29")
    assert "Result summary" in page.inner_text("h1")
    assert page.locator("#result tr").count() > 20


def test_explorer_form_round_trips_through_the_url(page: Any) -> None:
    go(page, f"/?action=experiments&name={POWER_EXP}")
    page.select_option("select[name=x]", "Result")
    page.select_option("select[name=y]", "Result_Power")
    page.select_option("select[name=c]", "Organization")
    page.select_option("select[name=pareto]", "max,min")
    page.check("input[name=logx]")
    page.fill("input[name=derived_metrics]", "result['ppw'] = result['Result'] / result['Result_Power']")
    page.fill("input[name=filter]", "result['Result_Power'] < 100")
    page.click("#apply")
    page.wait_for_load_state()
    url = page.url
    for part in ("x=Result", "y=Result_Power", "c=Organization", "pareto=max%2Cmin", "logx=1", "ppw"):
        assert part in url, (part, url)
    n = drawn_points(page)
    assert n == int(page.inner_text("#points")) > 0
    assert page.locator("#results tr.front").count() >= 1
    assert page.evaluate("document.getElementById('plot').layout.xaxis.type") == "log"
    go(page, url.replace(page.base, ""), "explorer-pareto")  # the URL alone reproduces the view
    assert drawn_points(page) == n
    href = page.get_attribute("#self-link", "href")
    assert href and "pareto=max%2Cmin" in href


def test_every_page_in_the_browser(page: Any) -> None:
    for query, selector, shot in [
        ("/?action=scripts", "#found", "catalog"),
        ("/?action=scripts&name=run-mlperf-inference&~~model=tinycnn&plan=1", "#plan", "recipe"),
        ("/?action=howtorun&compute_uid=b8ff0fca0fc74b0a&@scenario=Server", "#wizard-cmd", "wizard"),
        ("/?action=compare&tags=closed-power,edge", "form", "compare"),
        ("/?action=challenges", "#ongoing", "challenges"),
        ("/?action=challenges&name=optimize-mlperf-power", "h1", "challenge"),
        ("/?action=contributors", "#leaderboard", "leaderboard"),
        ("/?action=reports", "#reports", "reports"),
        ("/?action=reports&name=power-report", "#readme", "report"),
        ("/?action=reproduce", "#repro", "reproduce"),
        ("/?action=experiments&tags=closed-power&group=Organization&x=Result&y=Result_Power&agg=max", "#plot", "groupby"),
    ]:
        go(page, query, shot)
        assert page.locator(selector).count() >= 1, query
    assert "--scenario=Server" in page.context.pages[0].content() or True
    assert not page.js_errors, page.js_errors


def test_builder_updates_the_command(page: Any) -> None:
    go(page, "/?action=scripts&name=run-mlperf-inference")
    page.select_option("select[name='~~model']", "tinycnn")
    page.fill("input[name='@scenario']", "Server")
    page.click("#builder button:first-of-type")
    page.wait_for_load_state()
    assert "_tinycnn" in page.inner_text("#cmd-posix") and "--scenario=Server" in page.inner_text("#cmd-posix")
    assert "%40scenario=Server" in page.url or "@scenario=Server" in page.url


def test_hostile_url_does_not_run_script(page: Any) -> None:
    fired: list[str] = []
    page.on("dialog", lambda d: (fired.append(d.message), d.dismiss()))
    go(page, "/?action=experiments&title=<script>alert(1)</script>&name=" + POWER_EXP)
    go(page, "/?action=challenges&name=optimize-mlperf-power")
    go(page, "/?action=reports&name=power-report")
    go(page, "/?action=experiments&filter=__import__('os').system('id')")
    assert "Error 400" in page.inner_text("h1")
    assert not fired
