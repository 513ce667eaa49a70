"""``tremorscope serve``: the settings checked, the socket bound, the app served by uvicorn."""

from __future__ import annotations

import os
import socket
import threading
import webbrowser
from pathlib import Path

from tremorscope.errors import OptionError
from tremorscope.options import output_folder_problem
from tremorscope.web.safety import is_loopback

#: Where the server listens unless told otherwise: this machine only.
DEFAULT_HOST = "127.0.0.1"
#: The port it listens on unless told otherwise.
DEFAULT_PORT = 8765
#: The largest upload accepted unless told otherwise, in megabytes.
DEFAULT_MAX_UPLOAD_MB = 2048
#: Analyses run at once unless told otherwise.
DEFAULT_WORKERS = 1


def default_data_dir() -> Path:
    """The per-user data folder.

    ``$XDG_DATA_HOME/tremorscope``, or ``~/.local/share/tremorscope`` without that variable.
    """
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tremorscope"


def exposure_warning(host: str) -> str | None:
    """The warning for a server reachable from other machines (None on the loopback)."""
    if is_loopback(host):
        return None
    return (
        f"warning: listening on {host}, not only this machine: anyone who can reach it can "
        "upload files and read every analysis (there is no login)"
    )


def check_data(data: Path) -> Path:
    """The data folder, made if missing.

    Raises
    ------
    OptionError
        When it cannot be made or written (``--data``).

    """
    problem = output_folder_problem(data)
    if problem:
        raise OptionError("--data", data, problem)
    try:
        data.mkdir(parents=True, exist_ok=True)
        probe = data / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise OptionError("--data", data, f"cannot be written ({exc.strerror})") from None
    return data


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port``.

    Raises
    ------
    OptionError
        For a port out of range (``--port``), a host that does not resolve to an address of
        this machine (``--host``), or a port in use.

    """
    if not 0 <= port <= 65535:
        raise OptionError("--port", str(port), "must be from 1 to 65535")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host.strip("[]"), port, type=socket.SOCK_STREAM
        )[0]
    except socket.gaierror as exc:
        raise OptionError("--host", host, f"does not resolve ({exc.strerror})") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno in (98, 48):  # EADDRINUSE on Linux, macOS
            raise OptionError("--port", str(port), "is in use by another program") from None
        raise OptionError("--host", host, f"cannot listen there ({exc.strerror})") from None
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    """The page's address for a bound socket."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def serve(
    host: str,
    port: int,
    data: Path,
    *,
    max_upload_mb: float,
    workers: int,
    open_browser: bool = False,
    say=print,
) -> None:
    """Check the settings, then serve the app until interrupted.

    Parameters
    ----------
    host : str
        Interface to listen on.
    port : int
        Port (0: any free one, printed).
    data : Path
        The data folder (uploads, results, ``index.sqlite``).
    max_upload_mb : float
        The largest upload accepted, in megabytes.
    workers : int
        Analyses run at once (1 or 2).
    open_browser : bool
        Open the page in the default browser once listening.
    say : callable
        Prints a line for the user.

    Raises
    ------
    OptionError
        For a setting that cannot be used, before anything is served.

    """
    if not max_upload_mb > 0:
        raise OptionError("--max-upload-mb", str(max_upload_mb), "must be positive")
    data = check_data(data)
    sock = bind(host, port)

    import uvicorn

    from tremorscope.web.app import Settings, create_app
    from tremorscope.web.store import Store
    from tremorscope.web.work import Work

    store = Store(data)
    work = Work(store, workers)
    app = create_app(store, work, Settings(host, int(max_upload_mb * 1024 * 1024)))
    warning = exposure_warning(host)
    if warning:
        say(warning)
    url = url_of(sock)
    say(f"serving {url} (data in {data}); Ctrl+C stops")
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
