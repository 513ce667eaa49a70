"""Fixtures of the web app's tests: the real server as a child process, short real inputs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from webinputs import sensor_csv, tremor_clip

from tremorscope.web.client import Client, ServerProcess


@pytest.fixture(scope="session")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A sensor CSV, a 3 s real clip with a known head tremor, a text file named .mp4."""
    folder = tmp_path_factory.mktemp("web-inputs")
    notes = folder / "notes.mp4"
    notes.write_text("This is a shopping list, not a video.\n" * 20)
    return {
        "sensor": sensor_csv(folder / "wrist.csv"),
        "clip": tremor_clip(folder / "tremor.mp4"),
        "notes": notes,
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server of this module's tests, with a 1 MB upload limit."""
    root = tmp_path_factory.mktemp("web-server")
    with ServerProcess(root / "data", options=["--max-upload-mb", "1"]) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: ServerProcess) -> Client:
    return Client(server.port)
