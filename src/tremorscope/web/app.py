"""The web app: the page and the JSON API under it (Starlette).

==========================================  ================================================
``GET /``                                    the page (its script and style under ``/static``)
``POST /api/analyses``                       upload (multipart: ``file``, options) -> ``{"id"}``
``GET /api/analyses``                        every analysis, newest first
``GET /api/analyses/ID``                     status, progress, error, result (analysis JSON)
``GET /api/analyses/ID/report``              the HTML report
``GET /api/analyses/ID/files/NAME``          a result file (``analysis.json``, CSVs, ...)
``GET /api/analyses/ID/first-frame``         the video's first frame (PNG)
``DELETE /api/analyses/ID``                  the analysis, its upload and results removed
``GET /api/settings``                        the upload limit, the contexts, the version
==========================================  ================================================
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_multipart.exceptions import MultipartParseError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from tremorscope.config import CONTEXTS
from tremorscope.errors import InputError
from tremorscope.options import UNKNOWN_KIND_PROBLEM, file_head
from tremorscope.report.outputs import LAYOUT
from tremorscope.web.safety import Guard, allowed_hosts
from tremorscope.web.store import DONE, FAILED, QUEUED, UPLOAD_STEM, Record, Store, new_id, now_iso
from tremorscope.web.uploads import (
    FORM_OVERHEAD,
    UploadError,
    UploadTooLargeError,
    parse_options,
    receive_upload,
    stored_kind,
)
from tremorscope.web.work import Work, result_json

#: The page's files, served by the app itself (no CDN).
STATIC = Path(__file__).parent / "static"
#: What the page may load: only this server (and the pictures it draws itself).
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
    "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)
#: Headers on every response of the API.
API_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


@dataclass(frozen=True)
class Settings:
    """How the server was started.

    Attributes
    ----------
    host : str
        The interface it listens on.
    max_upload_bytes : int
        The largest file accepted.

    """

    host: str
    max_upload_bytes: int


def error(status: int, message: str) -> JSONResponse:
    """A JSON error answer ``{"error": message}``."""
    return JSONResponse({"error": message}, status_code=status, headers=API_HEADERS)


def first_frame_png(path: Path) -> bytes:
    """The first frame of a video as PNG bytes (rotated as displayed).

    Raises
    ------
    InputError
        When the file decodes no frame.

    """
    import cv2

    from tremorscope.video import iter_frames

    frames = iter_frames(path)
    try:
        frame = next(frames)
    except StopIteration:
        raise InputError(path, "no frame decodes") from None
    finally:
        frames.close()
    ok, encoded = cv2.imencode(".png", cv2.cvtColor(frame.rgb(), cv2.COLOR_RGB2BGR))
    if not ok:
        raise InputError(path, "the first frame could not be encoded")
    return encoded.tobytes()


class Api:
    """The request handlers over one store and one queue of work."""

    def __init__(self, store: Store, work: Work, settings: Settings) -> None:
        self.store, self.work, self.settings = store, work, settings

    def _record(self, request: Request) -> Record | None:
        return self.store.get(request.path_params["analysis_id"])

    def describe(self, record: Record, *, result: bool = True) -> dict[str, Any]:
        """An analysis as the API shows it: the index row, its files and (when done) result."""
        shown = record.public()
        shown["files"] = self.store.result_files(record.id)
        if result:
            done = record.status == DONE
            shown["result"] = result_json(self.store, record.id) if done else None
        return shown

    async def settings_view(self, request: Request) -> JSONResponse:
        """``GET /api/settings``: the upload limit (MB), the contexts, the version."""
        from tremorscope import __version__

        limit = self.settings.max_upload_bytes
        return JSONResponse(
            {"max_upload_mb": limit / 1024 / 1024, "contexts": list(CONTEXTS),
             "version": __version__},
            headers=API_HEADERS,
        )  # fmt: skip

    async def index(self, request: Request) -> Response:
        """``GET /``: the page."""
        headers = {"Content-Security-Policy": PAGE_POLICY, **API_HEADERS}
        return FileResponse(STATIC / "index.html", media_type="text/html", headers=headers)

    async def list_analyses(self, request: Request) -> JSONResponse:
        """``GET /api/analyses``: every analysis, newest first."""
        shown = [self.describe(r, result=False) for r in self.store.all()]
        return JSONResponse(shown, headers=API_HEADERS)

    async def get_analysis(self, request: Request) -> Response:
        """``GET /api/analyses/ID``: status, progress (0-1), error, files, result."""
        record = self._record(request)
        if record is None:
            return error(404, "no such analysis")
        return JSONResponse(self.describe(record), headers=API_HEADERS)

    async def report(self, request: Request) -> Response:
        """``GET /api/analyses/ID/report``: the HTML report (404 until there is one)."""
        record = self._record(request)
        if record is None:
            return error(404, "no such analysis")
        path = self.store.result_folder(record.id) / LAYOUT["report"]
        if not path.is_file():
            return error(404, f"no report: the analysis is {record.status}")
        return FileResponse(path, media_type="text/html", headers=API_HEADERS)

    async def file(self, request: Request) -> Response:
        """``GET /api/analyses/ID/files/NAME``: a result file, only by a name listed there."""
        record = self._record(request)
        if record is None:
            return error(404, "no such analysis")
        name = request.path_params["name"]
        if name not in self.store.result_files(record.id):  # only a name listed there
            return error(404, "no such file")
        return FileResponse(
            self.store.result_folder(record.id) / name,
            filename=name,
            content_disposition_type="attachment",
            headers=API_HEADERS,
        )

    async def first_frame(self, request: Request) -> Response:
        """``GET /api/analyses/ID/first-frame``: the video's first frame as PNG."""
        record = self._record(request)
        if record is None:
            return error(404, "no such analysis")
        path = self.store.upload_path(record)
        if record.kind != "video" or path is None or not path.is_file():
            return error(404, "no video stored for this analysis")
        try:
            png = await run_in_threadpool(first_frame_png, path)
        except InputError as exc:
            return error(422, str(exc).replace(str(path), record.name))
        return Response(png, media_type="image/png", headers=API_HEADERS)

    async def delete(self, request: Request) -> Response:
        """``DELETE /api/analyses/ID``: row, upload, results gone (a running one is stopped)."""
        if not self.store.delete(request.path_params["analysis_id"]):
            return error(404, "no such analysis")
        return Response(status_code=204, headers=API_HEADERS)

    async def create(self, request: Request) -> Response:
        """``POST /api/analyses``: the upload streamed to disk, checked, queued (202)."""
        limit = self.settings.max_upload_bytes
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
            return error(413, f"the upload is larger than the limit of {limit / 2**20:g} MB")
        analysis_id = new_id()
        folder = self.store.upload_folder(analysis_id)
        folder.mkdir(parents=True)
        try:
            received = await receive_upload(
                request.stream(),
                request.headers.get("content-type", ""),
                folder / f".{UPLOAD_STEM}.part",
                limit,
            )
            options = parse_options(received.fields)
        except UploadTooLargeError as exc:
            shutil.rmtree(folder, ignore_errors=True)
            return error(413, str(exc))
        except (UploadError, MultipartParseError) as exc:
            shutil.rmtree(folder, ignore_errors=True)
            return error(400, str(exc) or "the upload could not be read")
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        record = Record(analysis_id, received.name, None, now_iso(), QUEUED, options=options)
        found = stored_kind(received.name, file_head(received.path))
        if found is None:  # nothing to analyse: it ends failed, as the command line says
            shutil.rmtree(folder, ignore_errors=True)
            record.status, record.error = FAILED, f"{received.name}: {UNKNOWN_KIND_PROBLEM}"
            self.store.add(record)
            return self._created(record, 201)
        record.kind, suffix = found
        record.upload = f"{UPLOAD_STEM}{suffix}"
        received.path.rename(folder / record.upload)
        self.store.add(record)
        self.work.submit(analysis_id)
        return self._created(record, 202)

    def _created(self, record: Record, status: int) -> JSONResponse:
        return JSONResponse(
            {"id": record.id, "status": record.status},
            status_code=status,
            headers={"Location": f"/api/analyses/{record.id}", **API_HEADERS},
        )


def create_app(store: Store, work: Work, settings: Settings) -> Guard:
    """The web app over a store and a queue of work, behind the request checks.

    Parameters
    ----------
    store : Store
        Index and folders.
    work : Work
        The queue (started with the app, stopped with it).
    settings : Settings
        Host and upload limit.

    Returns
    -------
    ASGI application
        The Starlette app wrapped in :class:`tremorscope.web.safety.Guard`.

    """
    api = Api(store, work, settings)
    one = "/api/analyses/{analysis_id}"

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        work.start()
        try:
            yield
        finally:
            await run_in_threadpool(work.stop)

    routes = [
        Route("/", api.index),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/api/settings", api.settings_view),
        Route("/api/analyses", api.list_analyses, methods=["GET"]),
        Route("/api/analyses", api.create, methods=["POST"]),
        Route(one, api.get_analysis, methods=["GET"]),
        Route(one, api.delete, methods=["DELETE"]),
        Route(f"{one}/report", api.report),
        Route(f"{one}/files/{{name}}", api.file),
        Route(f"{one}/first-frame", api.first_frame),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    return Guard(app, allowed_hosts(settings.host))
