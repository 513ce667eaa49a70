"""``tremorscope serve``: bad settings refused before it starts, a warning off the loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tremorscope.web.client import Client, free_port
from tremorscope.web.safety import allowed_hosts, host_name, request_problem
from tremorscope.web.server import default_data_dir
from tremorscope.web.uploads import UploadError, display_name, parse_options, stored_kind


def _serve(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tremorscope", "serve", *args],
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def _one_error_line(done: subprocess.CompletedProcess[str], words: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert words in lines[0]


def test_a_data_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    _one_error_line(_serve("--data", str(blocker), "--port", "0"), "--data")
    _one_error_line(_serve("--data", str(blocker / "sub"), "--port", "0"), "--data")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_data_folder_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    _one_error_line(_serve("--data", str(locked), "--port", "0"), "not writable")


def test_a_bad_or_busy_port_is_refused(tmp_path: Path) -> None:
    done = _serve("--data", str(tmp_path / "d"), "--port", "70000")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        _one_error_line(_serve("--data", str(tmp_path / "d"), "--port", str(port)), "in use")


def test_a_host_that_does_not_resolve_is_refused(tmp_path: Path) -> None:
    done = _serve("--data", str(tmp_path / "d"), "--host", "no-such-host.invalid", "--port", "0")
    _one_error_line(done, "--host")


def test_another_interface_only_when_asked_and_with_a_warning(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tremorscope", "serve", "--host", "0.0.0.0", "--port",
             str(port), "--data", str(tmp_path / "d")],
            stdout=out, stderr=out, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "serving" not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        text = log.read_text()
        assert "warning: listening on 0.0.0.0" in text
        assert Client(port).get("/api/settings").status == 200
    finally:
        process.terminate()
        process.wait(30)


def test_the_default_data_folder_is_per_user(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_data_dir() == tmp_path / "tremorscope"
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_data_dir() == Path.home() / ".local" / "share" / "tremorscope"


# ------------------------------------------------------------------------ the pure checks


def test_host_names_and_the_hosts_allowed() -> None:
    assert host_name("LocalHost:8765") == "localhost"
    assert host_name("[::1]:8765") == "[::1]"
    assert allowed_hosts("127.0.0.1") == {"127.0.0.1", "localhost", "[::1]"}
    assert "192.168.1.5" in allowed_hosts("192.168.1.5")
    hosts = allowed_hosts("127.0.0.1")
    assert request_problem("GET", {"host": "localhost:1"}, hosts) == (0, "")
    assert request_problem("GET", {"host": "a.example"}, hosts)[0] == 400
    cross = {"host": "localhost:1", "origin": "http://localhost:2"}
    assert request_problem("POST", cross, hosts)[0] == 403
    assert request_problem("GET", cross, hosts) == (0, "")
    site = {"host": "localhost:1", "sec-fetch-site": "cross-site"}
    assert request_problem("DELETE", site, hosts)[0] == 403


def test_the_stored_ending_comes_from_a_fixed_list() -> None:
    assert display_name("../../../../tmp/x.mp4") == "x.mp4"
    assert display_name("C:\\Users\\me\\clip.MOV") == "clip.MOV"
    assert display_name("\x00\n") == "upload"
    assert stored_kind("a.MOV", b"") == ("video", ".mov")
    assert stored_kind("a.csv", b"") == ("signal", ".csv")
    assert stored_kind("a.csv", b"\x00\x00\x00\x18ftypmp42") == ("video", ".mp4")
    assert stored_kind("a.weird", b"\x1a\x45\xdf\xa3") == ("video", ".mkv")
    assert stored_kind("a.mp4;rm -rf", b"") is None
    assert stored_kind("noending", b"hello") is None


def test_options_are_parsed_as_the_command_line_does() -> None:
    options = parse_options(
        {"person": ["2"], "context": ["rest"], "scale": ["12.5"],
         "region": ["1,2,30,40:left", "5,5,10,10", ""]}
    )  # fmt: skip
    assert options == {
        "person": 2, "context": "rest", "scale": 12.5,
        "regions": [["left", [1, 2, 30, 40]], ["region2", [5, 5, 10, 10]]], "annotated": False,
    }  # fmt: skip
    assert parse_options({"annotated": ["On"]})["annotated"] is True
    with pytest.raises(UploadError, match="give it once"):
        parse_options({"person": ["1", "2"]})
    with pytest.raises(UploadError, match="scale"):
        parse_options({"scale": ["inf"]})


def test_open_opens_the_page_in_the_browser(tmp_path: Path) -> None:
    opened = tmp_path / "opened.txt"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    browser.chmod(0o755)
    port = free_port()
    env = {**os.environ, "BROWSER": str(browser)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tremorscope", "serve", "--open", "--port", str(port),
         "--data", str(tmp_path / "d")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert opened.read_text().strip() == f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(30)
