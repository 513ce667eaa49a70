"""A server restart keeps what is finished and takes up again what is not."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

import pytest
from webinputs import TREMOR_HZ, sensor_csv

from tremorscope.web.client import Client, ServerProcess


@pytest.mark.parametrize(
    "sig",
    [signal.SIGTERM, signal.SIGINT, signal.SIGKILL],
    ids=["stopped", "ctrl-c-to-the-group", "killed"],
)
def test_a_restart_keeps_finished_analyses_and_finishes_the_queued(
    tmp_path: Path, inputs, sig: int
) -> None:
    data = tmp_path / "data"
    server = ServerProcess(data).start()
    try:
        client = Client(server.port)
        finished = client.upload(inputs["sensor"]).json()["id"]
        before = client.wait(finished, timeout_s=120)
        assert before["status"] == "done"
        waiting = [client.upload(inputs["clip"]).json()["id"]]
        waiting += [
            client.upload(sensor_csv(tmp_path / f"w{i}.csv", 5.0 + i, 8.0)).json()["id"]
            for i in range(2)
        ]
        states = {client.analysis(i)["status"] for i in waiting}
        assert states <= {"queued", "running"}
    finally:
        server.stop(sig)
    assert server.process is not None and server.process.poll() is not None

    again = ServerProcess(data, port=server.port).start()
    try:
        client = Client(again.port)
        kept = client.analysis(finished)
        assert kept["status"] == "done" and kept["result"] == before["result"]
        assert client.get(f"/api/analyses/{finished}/report").status == 200
        ended = [client.wait(i, timeout_s=180) for i in waiting]
        assert [e["status"] for e in ended] == ["done"] * 3
        listed = [a["id"] for a in client.get("/api/analyses").json()]
        assert sorted(listed) == sorted([finished, *waiting])
    finally:
        again.stop()


def _pool_workers(server_pid: int) -> list[int]:
    """The server's worker processes: its spawned children after the first (the queue manager)."""
    children = []  # each thread's children (the queue's thread starts the processes)
    for task in Path(f"/proc/{server_pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):
            children += (task / "children").read_text().split()
    spawned = []
    for pid in map(int, children):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"spawn_main" in command:
            spawned.append(pid)
    return sorted(spawned)[1:]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_a_worker_that_dies_fails_its_analysis_and_the_server_goes_on(
    tmp_path: Path, inputs
) -> None:
    with ServerProcess(tmp_path / "data") as server:
        client = Client(server.port)
        victim = client.upload(inputs["clip"]).json()["id"]
        deadline = time.monotonic() + 60
        while client.analysis(victim)["status"] == "queued" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.process is not None
        workers = _pool_workers(server.process.pid)
        while not workers and time.monotonic() < deadline:  # the pool starts its process late
            time.sleep(0.05)
            workers = _pool_workers(server.process.pid)
        assert workers, "no worker process found"
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        ended = client.wait(victim, timeout_s=60)
        assert ended["status"] == "failed"
        assert ended["error"] == "tremor.mp4: the worker process died while analysing it"
        after = client.wait(client.upload(inputs["sensor"]).json()["id"], timeout_s=120)
        assert after["status"] == "done"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_deleting_a_running_analysis_stops_its_worker(tmp_path: Path, inputs) -> None:
    import subprocess

    long_clip = tmp_path / "long.mp4"  # a minute of the clip: still running when deleted
    subprocess.run(
        ["ffmpeg", "-v", "error", "-stream_loop", "19", "-i", str(inputs["clip"]), "-c", "copy",
         str(long_clip)],
        check=True,
    )  # fmt: skip
    with ServerProcess(tmp_path / "data") as server:
        client = Client(server.port)
        victim = client.upload(long_clip).json()["id"]
        deadline = time.monotonic() + 60
        while client.analysis(victim)["progress"] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)  # until its worker measures frames
        assert server.process is not None
        (worker,) = _pool_workers(server.process.pid)
        assert client.analysis(victim)["progress"] < 0.5
        assert client.request("DELETE", f"/api/analyses/{victim}").status == 204
        after = client.wait(client.upload(inputs["sensor"]).json()["id"], timeout_s=120)
        assert after["status"] == "done"
        assert not Path(f"/proc/{worker}").exists()  # stopped, not left to finish the minute
        assert not (server.data / "results" / victim).exists()
        assert not (server.data / "uploads" / victim).exists()


def test_with_two_workers_the_other_running_analysis_runs_again(tmp_path: Path, inputs) -> None:
    with ServerProcess(tmp_path / "data", options=["--workers", "2"]) as server:
        client = Client(server.port)
        victim, other = (client.upload(inputs["clip"]).json()["id"] for _ in range(2))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(
            client.analysis(i)["status"] == "queued" for i in (victim, other)
        ):
            time.sleep(0.05)
        assert client.request("DELETE", f"/api/analyses/{victim}").status == 204
        ended = client.wait(other, timeout_s=150)
        assert ended["status"] == "done", ended["error"]  # put back, measured whole
        assert abs(ended["result"]["dominant"]["rhythmic"]["frequency_hz"] - TREMOR_HZ) < 0.3
