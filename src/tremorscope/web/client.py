"""A small client of the web app's API (standard library only), and the server as a child process.

For scripts, benchmarks and tests::

    with ServerProcess(data="/tmp/ts-data") as server:
        client = Client(server.port)
        analysis_id = client.upload("clip.mp4", person="1")["id"]
        print(client.wait(analysis_id)["status"])
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tremorscope.web.store import UNFINISHED

#: Seconds a request may take.
TIMEOUT_S = 60.0


@dataclass
class Reply:
    """An answer of the server.

    Attributes
    ----------
    status : int
        HTTP status.
    headers : dict
        Headers, lower-case names.
    body : bytes
        The body.

    """

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body read as JSON."""
        return json.loads(self.body)


def multipart_body(
    file_name: str, content: bytes, fields: Iterable[tuple[str, str]] = ()
) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body with the option fields and one file.

    Parameters
    ----------
    file_name : str
        The name the file is sent under (any text: the server uses it for display only).
    content : bytes
        The file's bytes.
    fields : iterable of (str, str)
        Option fields (a name may repeat, e.g. ``region``).

    Returns
    -------
    tuple
        The body and its ``Content-Type`` header.

    """
    boundary = f"tremorscope-{uuid.uuid4().hex}"
    parts = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
            f"{value}\r\n".encode()
        )
    quoted = file_name.replace('"', "%22")
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Client:
    """Requests to a server on this machine.

    Parameters
    ----------
    port : int
        The server's port.
    host : str
        Its address (the ``Host`` header sent is ``host:port`` unless a request gives one).

    """

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.port, self.host = port, host

    def request(
        self,
        method: str,
        path: str,
        body: bytes | Iterable[bytes] | None = None,
        headers: dict[str, str] | None = None,
        *,
        chunked: bool = False,
    ) -> Reply:
        """Send one request (``path`` as given, not normalised) and read the answer."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_S)
        try:
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            sent = {"Host": f"{self.host}:{self.port}", **(headers or {})}
            if isinstance(body, bytes) and not chunked:
                sent.setdefault("Content-Length", str(len(body)))
            if chunked:
                sent["Transfer-Encoding"] = "chunked"
            for name, value in sent.items():
                connection.putheader(name, value)
            connection.endheaders()
            # the server may answer before reading it all (a refused upload)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                _send(connection, body, chunked)
            response = connection.getresponse()
            answer = Reply(
                response.status,
                {k.lower(): v for k, v in response.getheaders()},
                response.read(),
            )
        finally:
            connection.close()
        return answer

    def get(self, path: str, **headers: str) -> Reply:
        """``GET path``."""
        return self.request("GET", path, headers=headers)

    def upload(
        self, path: str | Path, name: str | None = None, fields: Sequence[tuple[str, str]] = ()
    ) -> Reply:
        """``POST /api/analyses`` with a file (sent under ``name``, by default its own)."""
        path = Path(path)
        body, content_type = multipart_body(name or path.name, path.read_bytes(), fields)
        return self.request("POST", "/api/analyses", body, {"Content-Type": content_type})

    def analysis(self, analysis_id: str) -> dict[str, Any]:
        """``GET /api/analyses/ID`` as a dict."""
        reply = self.get(f"/api/analyses/{analysis_id}")
        if reply.status != 200:
            raise LookupError(f"{analysis_id}: {reply.status} {reply.body[:200]!r}")
        return reply.json()

    def wait(self, analysis_id: str, timeout_s: float = 180.0, every_s: float = 0.3) -> dict:
        """Poll an analysis until it is done or failed; its last state.

        Raises
        ------
        TimeoutError
            When it is still queued or running after ``timeout_s`` seconds.

        """
        deadline = time.monotonic() + timeout_s
        while True:
            shown = self.analysis(analysis_id)
            if shown["status"] not in UNFINISHED:
                return shown
            if time.monotonic() > deadline:
                raise TimeoutError(f"{analysis_id} still {shown['status']} after {timeout_s} s")
            time.sleep(every_s)


def _send(connection: http.client.HTTPConnection, body: Any, chunked: bool) -> None:
    if body is None:
        return
    pieces = [body] if isinstance(body, bytes) else body
    for piece in pieces:
        if chunked:
            connection.send(f"{len(piece):X}\r\n".encode() + piece + b"\r\n")
        else:
            connection.send(piece)
    if chunked:
        connection.send(b"0\r\n\r\n")


def free_port() -> int:
    """A TCP port free on the loopback interface at this moment."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """``python -m tremorscope serve`` in a child process (its own process group).

    Parameters
    ----------
    data : str or Path
        The data folder.
    port : int, optional
        The port (default a free one).
    options : sequence of str
        More options for ``serve`` (``--max-upload-mb``, ``--workers``, ...).
    log : Path, optional
        Where the server's output goes (default ``serve.log`` beside the data folder).

    """

    def __init__(
        self,
        data: str | Path,
        port: int | None = None,
        options: Sequence[str] = (),
        log: Path | None = None,
    ) -> None:
        self.data = Path(data)
        self.port = port or free_port()
        self.options = tuple(options)
        self.log = log or self.data.parent / f"serve-{self.data.name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, ready_s: float = 60.0) -> ServerProcess:
        """Start the server and wait until it answers."""
        import tremorscope

        source = str(Path(tremorscope.__file__).resolve().parents[1])
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")]),
        }
        command = [sys.executable, "-m", "tremorscope", "serve", "--port", str(self.port)]
        command += ["--data", str(self.data), *self.options]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=log, env=env, start_new_session=True
            )
        deadline = time.monotonic() + ready_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server ended: {self.log.read_text()[-2000:]}")
            try:
                if Client(self.port).get("/api/settings").status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"the server did not answer in {ready_s} s")

    def stop(self, sig: int = signal.SIGTERM, wait_s: float = 30.0) -> int | None:
        """Send ``sig`` to the server's process group and wait for it; its exit code."""
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, sig)
        try:
            return self.process.wait(wait_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return self.process.wait(wait_s)

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
