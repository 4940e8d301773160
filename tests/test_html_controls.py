"""The HTML report as an analyst works in it: filters, search and sort driven in headless Chromium (click, type)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, cli

# The shipped corpus against the Compact (the configuration): one article per agreement and rule, derived from the files.
AGREEMENTS = len(list((ROOT / "facts").glob("*.yaml")))
RULES = len([p for p in (ROOT / "rules" / "kyiv-security-compact-2022").glob("*.yaml")
             if p.name != "pack.yaml" and not p.name.endswith(".cases.yaml")])
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = [pytest.mark.ci, pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="headless Chromium and its driver are not installed (Debian packages chromium, chromium-driver; .ci/run installs them)",
)]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html") / "report.html"
    result = cli("check", "--format", "html", "-o", out)  # the shipped corpus against the Compact (the configuration)
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    pytest.importorskip("selenium", reason="selenium drives the browser (test extra)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1600,1000",
                 f"--user-data-dir={tmp_path_factory.mktemp('profile')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)  # no download: the driver is given
    try:
        yield driver
    finally:
        driver.quit()


class _Shown(dict):  # type: ignore[type-arg]
    def get_attribute(self, name: str) -> str:
        return str(self["id"] if name == "id" else self[name.removeprefix("data-")])


def _visible(driver: object, selector: str) -> list[_Shown]:
    """What a reader sees: the elements laid out on the page (one round trip, not one per element)."""
    found = driver.execute_script(  # type: ignore[attr-defined]
        "return Array.from(document.querySelectorAll(arguments[0])).filter(e => e.getClientRects().length > 0)"
        ".map(e => Object.assign({id: e.id}, e.dataset));", selector)
    return [_Shown(item) for item in found]


def test_filters_search_and_sort_change_what_is_shown(page: Path, browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    d = browser
    d.get(page.as_uri())  # type: ignore[attr-defined]
    assert not d.get_log("browser") if hasattr(d, "get_log") else True  # type: ignore[attr-defined]  # no CSP or script errors
    every = len(_visible(d, "article"))
    assert every == AGREEMENTS * RULES and d.find_element(By.ID, "controls").is_displayed()  # type: ignore[attr-defined]

    Select(d.find_element(By.ID, "f-status")).select_by_value("gap")  # type: ignore[attr-defined]
    gaps = _visible(d, "article")
    assert gaps and all(a.get_attribute("data-status") == "gap" for a in gaps)
    rows = _visible(d, "#matrix tbody tr")
    assert {r.get_attribute("data-id") for r in rows} == {a.get_attribute("id").split("--")[0][2:] for a in gaps}

    Select(d.find_element(By.ID, "f-status")).select_by_value("at_least_partial")  # type: ignore[attr-defined]
    floor = _visible(d, "article")
    assert floor and all(a.get_attribute("data-cell") == "at_least_partial" for a in floor)

    Select(d.find_element(By.ID, "f-status")).select_by_value("")  # type: ignore[attr-defined]
    Select(d.find_element(By.ID, "f-severity")).select_by_value("critical")  # type: ignore[attr-defined]
    search = d.find_element(By.ID, "f-search")  # type: ignore[attr-defined]
    search.click()
    search.send_keys("gb-2024")
    shown = _visible(d, "article")
    assert shown and all(a.get_attribute("data-severity") == "critical" and a.get_attribute("id").startswith("f-gb-2024--") for a in shown)
    assert [r.get_attribute("data-id") for r in _visible(d, "#matrix tbody tr")] == ["gb-2024"]
    assert d.find_element(By.ID, "f-count").text == f"{len(shown)} findings in 1 agreements"  # type: ignore[attr-defined]

    search.clear()
    search.send_keys(" ")  # clear() fires no input event; a keystroke does
    Select(d.find_element(By.ID, "f-severity")).select_by_value("")  # type: ignore[attr-defined]
    Select(d.find_element(By.ID, "f-sort")).select_by_value("score")  # type: ignore[attr-defined]
    scores = [float(r.get_attribute("data-score")) for r in _visible(d, "#matrix tbody tr")]
    assert len(scores) == AGREEMENTS and scores == sorted(scores, reverse=True)
    sections = [s.get_attribute("data-id") for s in _visible(d, "section.agreement")]
    assert sections == [r.get_attribute("data-id") for r in _visible(d, "#matrix tbody tr")]
    shot = ROOT / "tests" / "output" / "report-filtered.png"
    shot.parent.mkdir(exist_ok=True)
    d.save_screenshot(str(shot))  # type: ignore[attr-defined]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_without_script_the_page_is_complete(page: Path) -> None:
    html = page.read_text()
    assert '<form id="controls" hidden>' in html  # the controls appear only with the script
    assert html.count("<article ") == AGREEMENTS * RULES and html.count("<script>") == 1
