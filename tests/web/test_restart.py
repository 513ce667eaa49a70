"""A server restart keeps what is finished and takes up again what is not."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from webinputs import sensor_csv

from tremorscope.web.client import Client, ServerProcess


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "killed"])
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
