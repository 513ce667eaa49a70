"""The page in a real headless browser (Debian's chromium and chromedriver, through Selenium).

A real clip is chosen through the file input, a region drawn with the mouse on its first frame,
the progress bar seen, the report read in the page with every figure rendered; the server is
restarted and the analysis reopened from the history; the page is checked at a laptop's and a
phone's width. Without chromium or chromedriver these tests skip, unless
``TREMORSCOPE_REQUIRE_CHROMIUM=1`` (CI) makes their absence a failure. Screenshots go to the
folder ``TREMORSCOPE_WEB_SCREENSHOTS`` names (``benchmarks/web_screenshots.py`` sets it to
``docs``), else to the test's temporary folder.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from webinputs import HEAD_BOX, TREMOR_HZ

from tremorscope.web.client import Client, ServerProcess

LAPTOP = (1280, 900)
PHONE = (390, 844)


def _binary(name: str) -> str:
    found = shutil.which(name) or f"/usr/bin/{name}"
    if Path(found).is_file() and os.access(found, os.X_OK):
        return found
    if os.environ.get("TREMORSCOPE_REQUIRE_CHROMIUM") == "1":
        pytest.fail(f"{name} is required (TREMORSCOPE_REQUIRE_CHROMIUM=1) but not installed")
    pytest.skip(f"{name} is not installed: the page cannot be driven")


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    chromium, chromedriver = _binary("chromium"), _binary("chromedriver")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--hide-scrollbars", f"--user-data-dir={profile}",
                 f"--window-size={LAPTOP[0]},{LAPTOP[1]}"):  # fmt: skip
        options.add_argument(flag)
    browser = webdriver.Chrome(service=Service(chromedriver), options=options)
    browser.set_window_size(*LAPTOP)
    try:
        yield browser
    finally:
        browser.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    named = os.environ.get("TREMORSCOPE_WEB_SCREENSHOTS")
    folder = Path(named) if named else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _wait(condition, timeout_s: float = 60.0, every_s: float = 0.1):
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"not met in {timeout_s} s: {condition}")
        time.sleep(every_s)


def _shown(driver, element_id: str) -> bool:
    return driver.execute_script(f"return !document.getElementById('{element_id}').hidden")


def _report_text(driver) -> dict[str, str]:
    """The report's text and figure counts, from inside its iframe, once all are rendered."""
    driver.switch_to.frame(driver.find_element("id", "report"))
    try:

        def rendered():
            body = driver.execute_script(
                "const b = document.body; return b && b.dataset.figuresExpected !== undefined"
                " ? [b.dataset.figuresExpected, b.dataset.figuresRendered, b.innerText] : null"
            )
            return body if body and body[0] == body[1] and body[0] != "0" else None

        expected, shown, text = _wait(rendered)
    finally:
        driver.switch_to.default_content()
    return {"expected": expected, "rendered": shown, "text": text}


def _draw(driver, box: tuple[int, int, int, int]) -> None:
    """Drag a box (video pixels) on the first-frame canvas with the mouse."""
    from selenium.webdriver.common.action_chains import ActionChains

    canvas = driver.find_element("id", "frame")
    # offsets are from the centre of the element's visible part: show all of it first
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    width, height = driver.execute_script(
        "const c = arguments[0], r = c.getBoundingClientRect();"
        "return [r.width / c.width, r.height / c.height];", canvas
    )  # fmt: skip
    size = canvas.size
    x, y, w, h = box
    start = (x * width - size["width"] / 2, y * height - size["height"] / 2)
    end = ((x + w) * width - size["width"] / 2, (y + h) * height - size["height"] / 2)
    actions = ActionChains(driver)
    actions.move_to_element_with_offset(canvas, round(start[0]), round(start[1])).click_and_hold()
    actions.move_to_element_with_offset(canvas, round(end[0]), round(end[1])).release()
    actions.perform()


def test_upload_progress_report_restart_and_history(
    driver, shots: Path, inputs, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    server = ServerProcess(data).start()
    base = f"http://127.0.0.1:{server.port}/"
    try:
        driver.get(base)
        _wait(lambda: driver.find_element("id", "context").text.count("\n") >= 4)
        driver.find_element("id", "file").send_keys(str(inputs["clip"]))
        _wait(lambda: _shown(driver, "regions-box"))
        size = driver.execute_script(
            "const c = document.getElementById('frame'); return [c.width, c.height]"
        )
        assert size == [176, 144]  # the first frame, decoded by the browser
        _draw(driver, HEAD_BOX)
        regions = driver.find_elements("css selector", "#regions li")
        assert len(regions) == 1
        drawn = [int(v) for v in regions[0].find_element("class name", "box").text.split(", ")]
        assert all(abs(a - b) <= 2 for a, b in zip(drawn, HEAD_BOX, strict=True)), drawn
        driver.find_element("id", "context").send_keys("rest")
        driver.find_element("id", "annotated").click()
        driver.execute_script("document.getElementById('drop').scrollIntoView()")
        driver.save_screenshot(str(shots / "web-upload.png"))

        driver.find_element("id", "submit").click()
        seen: list[tuple[str, float]] = []

        def finished() -> bool:
            state = driver.execute_script(
                "const c = document.getElementById('current');"
                "return [c.hidden, c.dataset.status || '',"
                " document.getElementById('progress').value,"
                " !document.getElementById('result').hidden]"
            )
            if not state[0]:
                seen.append((state[1], state[2]))
            return state[3]

        _wait(finished, timeout_s=150, every_s=0.05)
        assert seen, "the progress bar never showed"
        assert {status for status, _ in seen} & {"queued", "running"}
        report = _report_text(driver)
        (analysis,) = Client(server.port).get("/api/analyses").json()
        shown = Client(server.port).analysis(analysis["id"])
        (region,) = shown["result"]["regions"]
        frequency = region["finding"]["rhythmic"]["frequency_hz"]
        assert abs(frequency - TREMOR_HZ) < 0.3
        assert f"{frequency:.2f} Hz" in report["text"]
        assert int(report["rendered"]) >= 4
        links = driver.find_elements("css selector", "#result-files a")
        wanted = {"analysis.json", "report.html", "tracks.csv", "annotated.mp4"}
        assert wanted <= {a.text for a in links}
        driver.save_screenshot(str(shots / "web-report.png"))
    finally:
        server.stop()

    again = ServerProcess(data, port=server.port).start()
    try:
        driver.get(base)
        row = _wait(lambda: driver.find_elements("css selector", "#history-rows tr"))[0]
        cells = row.find_elements("tag name", "td")
        assert cells[0].text == "tremor.mp4" and cells[3].text == "done"
        assert f"{frequency:.2f} Hz" in cells[2].text
        assert not _shown(driver, "result")
        row.find_element("class name", "open").click()
        _wait(lambda: _shown(driver, "result"))
        assert f"{frequency:.2f} Hz" in _report_text(driver)["text"]

        driver.set_window_size(*PHONE)
        driver.get(base)
        _wait(lambda: driver.find_elements("css selector", "#history-rows tr"))
        overflow = driver.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, f"the page is {overflow} px wider than a phone"
        driver.save_screenshot(str(shots / "web-phone.png"))
        driver.find_element("css selector", "#history-rows .open").click()
        _wait(lambda: _shown(driver, "result"))
        width = driver.execute_script("return document.getElementById('report').clientWidth")
        assert 300 <= width <= PHONE[0]
        driver.find_element("css selector", "#history-rows .delete").click()
        driver.switch_to.alert.accept()
        _wait(lambda: _shown(driver, "history-empty"))
        assert Client(again.port).get("/api/analyses").json() == []
        assert not any((data / "results").iterdir())
    finally:
        driver.set_window_size(*LAPTOP)
        again.stop()
