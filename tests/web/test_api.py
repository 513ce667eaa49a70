"""The JSON API against the real server (a child process), with the safety cases of issue 17."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import pytest
from webinputs import SENSOR_HZ, TREMOR_HZ, sensor_csv, tree

from tremorscope.options import UNKNOWN_KIND_PROBLEM
from tremorscope.web.client import Client, ServerProcess, multipart_body


def _upload(client: Client, path: Path, name: str | None = None, fields=()) -> str:
    reply = client.upload(path, name, fields)
    assert reply.status in (201, 202), reply.body
    return reply.json()["id"]


def _new_files(server: ServerProcess, before: set[str]) -> set[str]:
    return {f for f in tree(server.data) - before if not f.startswith("index.sqlite")}


def test_a_sensor_recording_is_measured_and_its_files_served(client: Client, inputs) -> None:
    analysis_id = _upload(client, inputs["sensor"], fields=[("context", "rest")])
    shown = client.wait(analysis_id, timeout_s=120)
    assert shown["status"] == "done", shown["error"]
    assert shown["progress"] == 1.0
    assert shown["options"]["context"] == "rest"
    assert abs(shown["result"]["dominant"]["rhythmic"]["frequency_hz"] - SENSOR_HZ) < 0.1
    assert "6.00 Hz" in shown["finding"]
    assert {"analysis.json", "report.html", "windows.csv"} <= set(shown["files"])
    report = client.get(f"/api/analyses/{analysis_id}/report")
    assert report.status == 200 and report.headers["content-type"].startswith("text/html")
    assert b"6.00 Hz" in report.body
    assert f"<b>{inputs['sensor'].name}</b>".encode() in report.body  # named as it came
    assert shown["result"]["source"]["path"] == inputs["sensor"].name
    download = client.get(f"/api/analyses/{analysis_id}/files/analysis.json")
    assert download.status == 200 and "attachment" in download.headers["content-disposition"]
    assert json.loads(download.body) == shown["result"]
    listed = {a["id"]: a for a in client.get("/api/analyses").json()}
    assert listed[analysis_id]["status"] == "done" and "result" not in listed[analysis_id]


def test_a_real_clip_is_measured_with_a_region_and_its_first_frame_served(
    client: Client, inputs
) -> None:
    fields = [("region", "56,16,64,64:head"), ("scale", "10")]
    analysis_id = _upload(client, inputs["clip"], fields=fields)
    frame = client.get(f"/api/analyses/{analysis_id}/first-frame")
    assert frame.status == 200 and frame.headers["content-type"] == "image/png"
    picture = cv2.imdecode(np.frombuffer(frame.body, np.uint8), cv2.IMREAD_COLOR)
    assert picture.shape == (144, 176, 3)
    shown = client.wait(analysis_id, timeout_s=150)
    assert shown["status"] == "done", shown["error"]
    (region,) = shown["result"]["regions"]
    assert region["name"] == "head"
    assert abs(region["finding"]["rhythmic"]["frequency_hz"] - TREMOR_HZ) < 0.3
    assert {"tracks.csv", "tracks.nc", "report.html"} <= set(shown["files"])
    assert "annotated.mp4" not in shown["files"]  # only when asked for


def test_the_annotated_video_is_drawn_when_asked_for(client: Client, inputs, tmp_path) -> None:
    from tremorscope.video import probe_video

    analysis_id = _upload(client, inputs["clip"], fields=[("annotated", "on")])
    shown = client.wait(analysis_id, timeout_s=240)
    assert shown["status"] == "done", shown["error"]
    assert shown["options"]["annotated"] is True
    download = client.get(f"/api/analyses/{analysis_id}/files/annotated.mp4")
    assert download.status == 200
    saved = tmp_path / "annotated.mp4"
    saved.write_bytes(download.body)
    drawn, source = probe_video(saved), probe_video(inputs["clip"])
    assert drawn.n_frames == source.n_frames and drawn.width == source.width - source.width % 2


def test_a_traversing_file_name_writes_nothing_outside_data(
    server: ServerProcess, client: Client, inputs, tmp_path: Path
) -> None:
    root = server.data.parent
    outside_before = tree(root) - {f for f in tree(root) if f.startswith("data")}
    target = Path("/tmp/x.mp4")
    existed = target.exists()
    before = tree(server.data)
    names = ["../../../../tmp/x.mp4", "..\\..\\..\\tmp\\x.csv", "/etc/cron.d/x.csv"]
    ids = [_upload(client, inputs["sensor"], name) for name in names]
    for analysis_id in ids:
        client.wait(analysis_id, timeout_s=120)
    assert tree(root) - {f for f in tree(root) if f.startswith("data")} == outside_before
    assert existed or not target.exists()
    new = _new_files(server, before)
    allowed = {"uploads", "results"}
    assert new and all(f.split("/")[0] in allowed for f in new)
    assert all(f.split("/")[1] in ids for f in new if "/" in f)
    uploads = {f for f in new if f.startswith("uploads/") and f.count("/") == 2}
    assert {Path(f).name for f in uploads} <= {"input.mp4", "input.csv"}
    shown = [client.analysis(i)["name"] for i in ids]
    assert shown == ["x.mp4", "x.csv", "x.csv"]


BAD_IDS = [
    "../../../../etc/passwd",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2findex.sqlite",
    "0123456789ABCDEF0123456789ABCDEF",
    "0123456789abcdef0123456789abcde",
    "0123456789abcdef0123456789abcdef",
    "x" * 300,
]


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize("tail", ["", "/report", "/files/analysis.json", "/first-frame"])
def test_a_traversing_or_unknown_id_gives_404(client: Client, bad: str, tail: str) -> None:
    assert client.get(f"/api/analyses/{bad}{tail}").status == 404


@pytest.mark.parametrize("bad", BAD_IDS)
def test_deleting_a_traversing_id_gives_404_and_removes_nothing(
    server: ServerProcess, client: Client, bad: str
) -> None:
    before = tree(server.data)
    assert client.request("DELETE", f"/api/analyses/{bad}").status == 404
    assert _new_files(server, before) == set() and before <= tree(server.data)


def test_a_file_name_outside_the_results_gives_404(client: Client, inputs) -> None:
    analysis_id = _upload(client, inputs["sensor"])
    client.wait(analysis_id, timeout_s=120)
    base = f"/api/analyses/{analysis_id}/files"
    for name in ["..%2F..%2Findex.sqlite", "../../index.sqlite", "%2e%2e", ".", "nothing.csv"]:
        assert client.get(f"{base}/{name}").status == 404, name
    assert client.get(f"{base}/windows.csv").status == 200


def test_an_oversized_upload_is_refused_with_413_and_leaves_nothing(
    server: ServerProcess, client: Client
) -> None:
    before = tree(server.data)
    big = np.random.default_rng(1).bytes(3 * 1024 * 1024)  # the limit is 1 MB
    body, content_type = multipart_body("big.mp4", big)
    declared = client.request("POST", "/api/analyses", body, {"Content-Type": content_type})
    assert declared.status == 413 and "limit" in declared.json()["error"]
    pieces = [body[i : i + 65536] for i in range(0, len(body), 65536)]
    streamed = client.request(
        "POST", "/api/analyses", pieces, {"Content-Type": content_type}, chunked=True
    )
    assert streamed.status == 413
    assert _new_files(server, before) == set()
    assert client.get("/api/settings").status == 200


def _cli_error(path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "tremorscope", "analyze", path.name],
        capture_output=True, text=True, cwd=path.parent, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    return line.removeprefix("tremorscope: error: ")


def test_a_file_that_is_no_video_ends_failed_with_the_cli_message(client: Client, inputs) -> None:
    analysis_id = _upload(client, inputs["notes"])
    shown = client.wait(analysis_id, timeout_s=120)
    assert shown["status"] == "failed"
    assert shown["error"] == _cli_error(inputs["notes"])
    assert shown["result"] is None and shown["files"] == []
    assert client.get(f"/api/analyses/{analysis_id}/report").status == 404
    assert client.get("/api/settings").status == 200  # the server stays up
    sensor = client.wait(_upload(client, inputs["sensor"]), timeout_s=120)
    assert sensor["status"] == "done"


def test_a_file_of_an_unknown_kind_ends_failed_at_once(client: Client, tmp_path: Path) -> None:
    odd = tmp_path / "letter.docx"
    odd.write_bytes(b"PK\x03\x04 not a recording")
    reply = client.upload(odd)
    assert reply.status == 201
    shown = client.analysis(reply.json()["id"])
    assert shown["status"] == "failed"
    assert shown["error"] == f"letter.docx: {UNKNOWN_KIND_PROBLEM}"


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ([("person", "0")], "person: must be 1 or more"),
        ([("person", "two")], "person: 'two' is not a whole number"),
        ([("context", "asleep")], "context: unknown context 'asleep'"),
        ([("scale", "-3")], "scale: must be positive"),
        ([("region", "1,2,3")], "region: '1,2,3': use X,Y,W,H[:NAME]"),
        ([("region", "1,2,3,4:no/slash")], "a region name uses letters"),
        ([("colour", "red")], "unknown field 'colour'"),
        ([("annotated", "maybe")], "annotated: 'maybe' is neither yes nor no"),
    ],
)
def test_a_bad_option_is_refused_with_400_and_one_line(
    server: ServerProcess, client: Client, inputs, fields, words: str
) -> None:
    before = tree(server.data)
    reply = client.upload(inputs["sensor"], fields=fields)
    assert reply.status == 400
    message = reply.json()["error"]
    assert words in message and "\n" not in message
    assert _new_files(server, before) == set()


def test_a_request_without_a_file_is_refused(client: Client) -> None:
    body, content_type = multipart_body("x.csv", b"")
    body = body.replace(b'name="file"', b'name="other"')
    reply = client.request("POST", "/api/analyses", body, {"Content-Type": content_type})
    assert reply.status == 400
    reply = client.request("POST", "/api/analyses", b"{}", {"Content-Type": "application/json"})
    assert reply.status == 400 and "multipart" in reply.json()["error"]


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example", "", "10.0.0.1"]
)
def test_a_foreign_host_header_gives_400(client: Client, host: str) -> None:
    reply = client.get("/api/analyses", Host=host.format(port=client.port))
    assert reply.status == 400
    assert client.get("/", Host=host.format(port=client.port)).status == 400


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "[::1]:{port}"])
def test_the_loopback_names_are_accepted(client: Client, host: str) -> None:
    page = client.get("/", Host=host.format(port=client.port))
    assert page.status == 200 and b"tremorscope" in page.body
    assert "default-src 'self'" in page.headers["content-security-policy"]


def test_a_change_from_another_origin_is_refused(
    server: ServerProcess, client: Client, inputs
) -> None:
    before = tree(server.data)
    body, content_type = multipart_body("wrist.csv", inputs["sensor"].read_bytes())
    headers = {"Content-Type": content_type, "Origin": "http://evil.example"}
    assert client.request("POST", "/api/analyses", body, headers).status == 403
    assert _new_files(server, before) == set()
    same = {"Content-Type": content_type, "Origin": f"http://127.0.0.1:{client.port}"}
    analysis_id = client.request("POST", "/api/analyses", body, same).json()["id"]
    foreign = {"Origin": "http://evil.example"}
    assert client.request("DELETE", f"/api/analyses/{analysis_id}", None, foreign).status == 403
    assert client.analysis(analysis_id)["id"] == analysis_id


def test_delete_removes_the_row_the_upload_and_the_results(
    server: ServerProcess, client: Client, inputs
) -> None:
    analysis_id = _upload(client, inputs["sensor"])
    assert client.wait(analysis_id, timeout_s=120)["status"] == "done"
    assert (server.data / "results" / analysis_id / "analysis.json").is_file()
    assert client.request("DELETE", f"/api/analyses/{analysis_id}").status == 204
    assert client.get(f"/api/analyses/{analysis_id}").status == 404
    assert not (server.data / "uploads" / analysis_id).exists()
    assert not (server.data / "results" / analysis_id).exists()
    assert analysis_id not in {a["id"] for a in client.get("/api/analyses").json()}
    assert client.request("DELETE", f"/api/analyses/{analysis_id}").status == 404


def test_deleting_a_queued_analysis_drops_it_when_its_turn_comes(
    server: ServerProcess, client: Client, inputs
) -> None:
    first = _upload(client, inputs["clip"])
    second = _upload(client, inputs["sensor"])
    assert client.request("DELETE", f"/api/analyses/{second}").status == 204
    assert client.wait(first, timeout_s=150)["status"] == "done"
    assert client.get(f"/api/analyses/{second}").status == 404
    assert not (server.data / "results" / second).exists()


def test_ten_uploads_at_once_are_all_accepted_and_all_finish(
    client: Client, tmp_path: Path
) -> None:
    files = [sensor_csv(tmp_path / f"wrist{i}.csv", 4.0 + 0.5 * i, 8.0) for i in range(10)]
    with ThreadPoolExecutor(10) as pool:
        replies = list(pool.map(client.upload, files))
    assert [r.status for r in replies] == [202] * 10
    ids = [r.json()["id"] for r in replies]
    assert len(set(ids)) == 10
    listed = {a["id"] for a in client.get("/api/analyses").json()}
    assert set(ids) <= listed
    ended = [client.wait(i, timeout_s=240) for i in ids]
    assert [e["status"] for e in ended] == ["done"] * 10
    found = [e["result"]["dominant"]["rhythmic"]["frequency_hz"] for e in ended]
    assert np.allclose(found, [4.0 + 0.5 * i for i in range(10)], atol=0.1)


def test_deleting_a_running_analysis_leaves_nothing_when_it_ends(
    server: ServerProcess, client: Client, inputs
) -> None:
    running = _upload(client, inputs["clip"])
    while client.analysis(running)["status"] == "queued":
        time.sleep(0.02)
    assert client.request("DELETE", f"/api/analyses/{running}").status == 204
    after = _upload(client, inputs["sensor"])  # one worker: it runs once the deleted one ended
    assert client.wait(after, timeout_s=150)["status"] == "done"
    assert client.get(f"/api/analyses/{running}").status == 404
    assert not (server.data / "results" / running).exists()
    assert not (server.data / "uploads" / running).exists()
