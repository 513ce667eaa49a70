"""The web app under load: 10 uploads at once, each accepted, queued and finished, none lost.

Starts ``tremorscope serve`` (a child process, a fresh data folder), posts N uploads at the
same moment from N threads (sensor recordings of 20 s at 100 Hz, each with its own rhythm;
with ``--clip FILE`` that video instead), then polls the list until every analysis has ended.
Prints how many were accepted (202), how many the index listed right after (queued or
running), how many finished done or failed, how many were lost (accepted but missing from the
list, or never ending), the slowest upload's answer time, the time to the last finish, and
whether each sensor's main frequency is the one it was made with.

Run: ``python benchmarks/web_load.py [--n 10] [--workers 1] [--clip FILE]``; about 30 s.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from tremorscope.synth.signals import synthetic_signal, write_signal_csv
from tremorscope.web.client import Client, ServerProcess
from tremorscope.web.store import UNFINISHED


def sensor_csv(path: Path, freq: float, seconds: float = 20.0) -> Path:
    t, values, _ = synthetic_signal(seconds, 100.0, freq, amplitude=0.5, noise=0.01)
    return write_signal_csv(path, t, values, prefix="pos")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10, help="uploads at once")
    parser.add_argument("--workers", type=int, default=1, help="the server's --workers")
    parser.add_argument("--clip", type=Path, help="upload this video N times instead")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="tremorscope-web-load-") as folder:
        root = Path(folder)
        freqs = [4.0 + 0.5 * i for i in range(args.n)]
        files = [args.clip] * args.n if args.clip else [
            sensor_csv(root / f"wrist{i}.csv", f) for i, f in enumerate(freqs)
        ]  # fmt: skip
        started = time.perf_counter()
        with ServerProcess(root / "data", options=["--workers", str(args.workers)]) as server:
            up = time.perf_counter() - started
            client = Client(server.port)

            def post(path: Path) -> tuple[int, str | None, float]:
                t0 = time.perf_counter()
                reply = client.upload(path)
                body = reply.json() if reply.status < 500 else {}
                return reply.status, body.get("id"), time.perf_counter() - t0

            t0 = time.perf_counter()
            with ThreadPoolExecutor(args.n) as pool:
                replies = list(pool.map(post, files))
            posted = time.perf_counter() - t0
            ids = [i for status, i, _ in replies if status == 202 and i]
            listed = {a["id"]: a for a in client.get("/api/analyses").json()}
            queued = sum(listed.get(i, {}).get("status") in UNFINISHED for i in ids)
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                listed = {a["id"]: a for a in client.get("/api/analyses").json()}
                if all(listed.get(i, {}).get("status") not in UNFINISHED for i in ids):
                    break
                time.sleep(0.5)
            finished = time.perf_counter() - t0
            ended = [listed.get(i) for i in ids]
            done = sum(e is not None and e["status"] == "done" for e in ended)
            failed = sum(e is not None and e["status"] == "failed" for e in ended)
            lost = len(ids) - done - failed
            right = None
            if not args.clip:
                found = [client.analysis(i)["result"] for i in ids]
                hz = [r["dominant"]["rhythmic"]["frequency_hz"] if r else np.nan for r in found]
                right = sum(abs(h - f) < 0.1 for h, f in zip(hz, freqs, strict=True))

    print(f"server ready in {up:.1f} s, {args.workers} worker(s), {args.n} uploads at once")
    print(
        f"accepted {len(ids)}/{args.n}, queued or running right after {queued}, "
        f"finished {done} done + {failed} failed, lost {lost}"
    )
    print(
        f"all posted in {posted:.2f} s (slowest answer {max(r[2] for r in replies):.2f} s), "
        f"all finished {finished:.1f} s after the first post "
        f"({finished / max(len(ids), 1):.1f} s per analysis)"
    )
    if right is not None:
        print(f"main frequency as made: {right}/{len(ids)}")


if __name__ == "__main__":
    main()
