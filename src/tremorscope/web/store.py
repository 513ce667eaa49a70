"""The web app's storage: an SQLite index of analyses and a folder per upload and per result.

Under the data folder::

    index.sqlite          one row per analysis (see :class:`Record`)
    uploads/ID/input.EXT  the file as uploaded, under a name the server chose
    results/ID/           what ``analyze --out`` writes (analysis.json, CSVs, report.html, ...)

IDs are made here (:func:`new_id`) and every path is built from an ID only after
:func:`valid_id` accepted it, so no text from a request ever becomes part of a path.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

#: What an analysis id looks like: a UUID4 in 32 lower-case hex digits.
ID_PATTERN = re.compile(r"[0-9a-f]{32}")
#: The states of an analysis, in the order it goes through them.
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUSES = (QUEUED, RUNNING, DONE, FAILED)
#: States an analysis is taken up again from when the server starts.
UNFINISHED = (QUEUED, RUNNING)
#: Files and folders under the data folder.
INDEX_NAME, UPLOADS, RESULTS = "index.sqlite", "uploads", "results"
#: The stem of the stored upload (its ending is the one the server chose).
UPLOAD_STEM = "input"

_COLUMNS = (
    "id", "name", "kind", "created", "status", "progress", "error", "finding", "upload",
    "options",
)  # fmt: skip
_SCHEMA = """
CREATE TABLE IF NOT EXISTS analyses (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT,
    created TEXT NOT NULL,
    status TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    error TEXT,
    finding TEXT,
    upload TEXT,
    options TEXT NOT NULL DEFAULT '{}'
)
"""


def new_id() -> str:
    """A fresh analysis id (UUID4, 32 hex digits)."""
    return uuid.uuid4().hex


def valid_id(text: str) -> bool:
    """Whether ``text`` is an id this server could have made (the only ids used in paths)."""
    return ID_PATTERN.fullmatch(text) is not None


def now_iso() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Record:
    """One analysis in the index.

    Attributes
    ----------
    id : str
        Its id (:data:`ID_PATTERN`).
    name : str
        The uploaded file's name, for display only (never a path).
    kind : str, optional
        ``video`` or ``signal``; None when the file is neither.
    created : str
        When it was uploaded (ISO 8601, UTC).
    status : str
        One of :data:`STATUSES`.
    progress : float
        Fraction of the video's frames measured, 0 to 1.
    error : str, optional
        Why it failed, in one line.
    finding : str, optional
        The main finding in one sentence, once done.
    upload : str, optional
        The stored upload's file name in its folder (``input.mp4``, ...).
    options : dict
        ``person``, ``context``, ``scale`` (px/cm) and ``regions`` (``[name, [x, y, w, h]]``).

    """

    id: str
    name: str
    kind: str | None
    created: str
    status: str = QUEUED
    progress: float = 0.0
    error: str | None = None
    finding: str | None = None
    upload: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        """The record as the API shows it (without the stored file's name)."""
        shown = asdict(self)
        del shown["upload"]
        return shown


class Store:
    """The index and folders of a data folder; safe to use from several threads.

    Parameters
    ----------
    data : Path
        The data folder (made if missing).

    """

    def __init__(self, data: Path) -> None:
        self.data = Path(data)
        (self.data / UPLOADS).mkdir(parents=True, exist_ok=True)
        (self.data / RESULTS).mkdir(parents=True, exist_ok=True)
        #: Held while a change spans the index and the folders (a result placed, a deletion).
        self.lock = threading.RLock()
        with self._connection() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            db = sqlite3.connect(self.data / INDEX_NAME, timeout=30)
            try:
                with db:  # a transaction: committed on success, rolled back on error
                    yield db
            finally:
                db.close()

    # ---------------------------------------------------------------------------- the index

    def add(self, record: Record) -> None:
        """Insert a new analysis."""
        row = asdict(record)
        row["options"] = json.dumps(record.options)
        marks = ", ".join("?" for _ in _COLUMNS)
        with self._connection() as db:
            db.execute(
                f"INSERT INTO analyses ({', '.join(_COLUMNS)}) VALUES ({marks})",
                [row[c] for c in _COLUMNS],
            )

    def get(self, analysis_id: str) -> Record | None:
        """The analysis with this id, or None (also for a text that is no valid id)."""
        if not valid_id(analysis_id):
            return None
        with self._connection() as db:
            row = db.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM analyses WHERE id = ?", (analysis_id,)
            ).fetchone()
        return _record(row) if row else None

    def all(self) -> list[Record]:
        """Every analysis, newest first."""
        with self._connection() as db:
            rows = db.execute(
                f"SELECT {', '.join(_COLUMNS)} FROM analyses ORDER BY created DESC, rowid DESC"
            ).fetchall()
        return [_record(r) for r in rows]

    def unfinished(self) -> list[str]:
        """The ids of analyses queued or running, oldest first."""
        marks = ", ".join("?" for _ in UNFINISHED)
        with self._connection() as db:
            rows = db.execute(
                f"SELECT id FROM analyses WHERE status IN ({marks}) ORDER BY created, rowid",
                UNFINISHED,
            ).fetchall()
        return [r[0] for r in rows]

    def update(self, analysis_id: str, **values: Any) -> bool:
        """Set some fields of an analysis; False when it is no longer there."""
        unknown = set(values) - set(_COLUMNS[1:])
        if unknown:
            raise ValueError(f"not a column: {', '.join(sorted(unknown))}")
        if "options" in values:
            values["options"] = json.dumps(values["options"])
        assignments = ", ".join(f"{k} = ?" for k in values)
        with self._connection() as db:
            cursor = db.execute(
                f"UPDATE analyses SET {assignments} WHERE id = ?", [*values.values(), analysis_id]
            )
        return cursor.rowcount > 0

    def delete(self, analysis_id: str) -> bool:
        """Remove an analysis: its row, its upload and its results. False when unknown."""
        if not valid_id(analysis_id):
            return False
        with self.lock:
            with self._connection() as db:
                cursor = db.execute("DELETE FROM analyses WHERE id = ?", (analysis_id,))
            self.remove_folders(analysis_id)
        return cursor.rowcount > 0

    # ---------------------------------------------------------------------------- folders

    def upload_folder(self, analysis_id: str) -> Path:
        """Where an analysis's upload is kept."""
        return self.data / UPLOADS / _checked(analysis_id)

    def result_folder(self, analysis_id: str) -> Path:
        """Where an analysis's result files are kept."""
        return self.data / RESULTS / _checked(analysis_id)

    def upload_path(self, record: Record) -> Path | None:
        """The stored upload of an analysis, or None when there is none."""
        if not record.upload:
            return None
        return self.upload_folder(record.id) / record.upload

    def result_files(self, analysis_id: str) -> list[str]:
        """The names of an analysis's result files (none while it is not done)."""
        folder = self.result_folder(analysis_id)
        if not folder.is_dir():
            return []
        names = (p.name for p in folder.iterdir() if p.is_file())
        return sorted(n for n in names if not n.startswith("."))

    def place_results(self, analysis_id: str, files: dict[str, bytes]) -> Path:
        """Write an analysis's result files, the folder appearing whole (written, then renamed).

        Parameters
        ----------
        analysis_id : str
            The analysis.
        files : dict
            File name (a plain name, from :data:`tremorscope.report.outputs.LAYOUT`) to content.

        Returns
        -------
        Path
            The result folder.

        """
        folder = self.result_folder(analysis_id)
        staging = folder.with_name(f".{folder.name}.part")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name, content in files.items():
            if Path(name).name != name or name.startswith("."):
                raise ValueError(f"not a plain file name: {name!r}")
            (staging / name).write_bytes(content)
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
        return folder

    def remove_folders(self, analysis_id: str) -> None:
        """Remove an analysis's upload and results (what is there)."""
        for folder in (self.upload_folder(analysis_id), self.result_folder(analysis_id)):
            shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(self.result_folder(analysis_id).with_name(f".{analysis_id}.part"), True)


def _checked(analysis_id: str) -> str:
    if not valid_id(analysis_id):
        raise ValueError(f"not an analysis id: {analysis_id!r}")
    return analysis_id


def _record(row: tuple) -> Record:
    values = dict(zip(_COLUMNS, row, strict=True))
    values["options"] = json.loads(values["options"] or "{}")
    return Record(**values)
