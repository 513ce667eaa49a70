"""An upload read from the request as it arrives: the file straight to disk, the options checked.

The multipart body is parsed chunk by chunk (python-multipart's parser): the file's bytes go to
a file the server names in the analysis's own folder, counted, and the upload is stopped as
soon as it passes the size limit, so a large upload never fills memory or the disk. The name
the client gives is kept for display only; the stored file's ending is chosen from a fixed
list (:func:`stored_kind`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from python_multipart.multipart import MultipartParser, parse_options_header

from tremorscope.options import (
    SENSOR_SUFFIXES,
    VIDEO_SUFFIXES,
    parse_context,
    parse_region,
    video_container_of,
)

#: The form field that holds the file, and the option fields besides it.
FILE_FIELD = "file"
OPTION_FIELDS = ("person", "context", "scale", "region", "annotated")
#: Values of a yes-or-no field (``annotated``) that mean yes, and no.
YES = ("1", "true", "yes", "on")
NO = ("0", "false", "no", "off")
#: Bytes a request may carry besides the file (the multipart framing and the option fields).
FORM_OVERHEAD = 64 * 1024
#: Most option fields a request may hold (regions are repeated).
MAX_FIELDS = 64
#: Longest display name kept, in characters.
MAX_NAME = 200


class UploadError(ValueError):
    """A request that is not a usable upload (answered 400 with the message)."""


class UploadTooLargeError(UploadError):
    """An upload over the size limit (answered 413)."""


@dataclass
class Received:
    """What an upload brought.

    Attributes
    ----------
    name : str
        The client's file name, for display only.
    path : Path
        Where its bytes were written (a temporary name in the analysis's folder).
    size : int
        Its size in bytes.
    fields : dict
        Each option field's values, in order.

    """

    name: str
    path: Path
    size: int
    fields: dict[str, list[str]] = field(default_factory=dict)


def display_name(filename: str) -> str:
    """The last part of a client's file name, printable and short, for display only."""
    last = PurePath(filename.replace("\\", "/")).name
    shown = "".join(c for c in last if c.isprintable()).strip()
    return shown[:MAX_NAME] or "upload"


def stored_kind(filename: str, head: bytes) -> tuple[str, str] | None:
    """The kind of an upload and the ending it is stored under, or None for neither.

    Parameters
    ----------
    filename : str
        The client's name for the file (only its ending is looked at, and only matched
        against the known endings).
    head : bytes
        The file's first 12 bytes.

    Returns
    -------
    tuple of str or None
        ``("video", ending)`` for a known video ending or a file that starts like a video (also
        one named ``.csv``), ``("signal", ending)`` for a sensor recording's ending, else None.

    """
    suffix = PurePath(display_name(filename)).suffix.lower()
    container = video_container_of(head)
    if suffix in VIDEO_SUFFIXES:
        return "video", suffix
    if container is not None:
        return "video", container
    if suffix in SENSOR_SUFFIXES:
        return "signal", suffix
    return None


def parse_options(fields: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The analysis options an upload's fields give, checked as the command line checks them.

    Parameters
    ----------
    fields : mapping
        Field name to its values: ``person`` (1, 2, ...), ``context`` (rest, postural,
        kinetic, standing, unknown), ``scale`` (pixels per cm), ``region`` (repeatable,
        ``X,Y,W,H[:NAME]`` in pixels), ``annotated`` (yes or no: also draw the annotated
        video). Empty values count as not given.

    Returns
    -------
    dict
        ``person`` (int or None), ``context`` (str), ``scale`` (float or None), ``regions``
        (list of ``[name, [x, y, w, h]]``), ``annotated`` (bool).

    Raises
    ------
    UploadError
        For an unknown field or a value that cannot be used, in one line naming the field.

    """
    unknown = sorted(set(fields) - set(OPTION_FIELDS))
    if unknown:
        raise UploadError(f"unknown field {unknown[0]!r}: use {', '.join(OPTION_FIELDS)}")
    given = {k: [v.strip() for v in values if v.strip()] for k, values in fields.items()}
    for name in ("person", "context", "scale", "annotated"):
        if len(given.get(name, [])) > 1:
            raise UploadError(f"{name}: give it once")
    options: dict[str, Any] = {"person": None, "context": "unknown", "scale": None}
    if given.get("person"):
        options["person"] = _person(given["person"][0])
    if given.get("context"):
        try:
            options["context"] = parse_context(given["context"][0])
        except ValueError as exc:
            raise UploadError(f"context: {exc}") from None
    if given.get("scale"):
        options["scale"] = _scale(given["scale"][0])
    regions = []
    for number, text in enumerate(given.get("region", []), start=1):
        try:
            name, box = parse_region(text, number)
        except ValueError as exc:
            raise UploadError(f"region: {exc}") from None
        regions.append([name, list(box)])
    options["regions"] = regions
    options["annotated"] = _yes_or_no("annotated", given.get("annotated", ["no"])[0])
    return options


def _yes_or_no(name: str, text: str) -> bool:
    if text.lower() in YES:
        return True
    if text.lower() in NO:
        return False
    raise UploadError(f"{name}: {text!r} is neither yes nor no (1/0, true/false, on/off)")


def _person(text: str) -> int:
    try:
        person = int(text)
    except ValueError:
        raise UploadError(f"person: {text!r} is not a whole number") from None
    if person < 1:
        raise UploadError(f"person: must be 1 or more, got {person}")
    return person


def _scale(text: str) -> float:
    try:
        scale = float(text)
    except ValueError:
        raise UploadError(f"scale: {text!r} is not a number (pixels per cm)") from None
    if not 0 < scale < float("inf"):
        raise UploadError(f"scale: must be positive (pixels per cm), got {text}")
    return scale


def boundary_of(content_type: str) -> bytes:
    """The multipart boundary of a request's ``Content-Type`` header.

    Raises
    ------
    UploadError
        When the request is not ``multipart/form-data`` with a boundary.

    """
    kind, params = parse_options_header(content_type)
    if kind != b"multipart/form-data" or not params.get(b"boundary"):
        raise UploadError("send the file as multipart/form-data (a field named 'file')")
    return params[b"boundary"]


class _Parts:
    """The multipart parser's callbacks: option fields kept in memory, the file to disk."""

    def __init__(self, target: Path, limit: int) -> None:
        self.target, self.limit = target, limit
        self.fields: dict[str, list[str]] = {}
        self.filename: str | None = None
        self.size = 0
        self._header_name = b""
        self._header_value = b""
        self._disposition = b""
        self._name = ""
        self._value = bytearray()
        self._file: Any = None
        self._count = 0

    def on_part_begin(self) -> None:
        self._disposition, self._name, self._value = b"", "", bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        if self._header_name.lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_name, self._header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        self._count += 1
        if self._count > MAX_FIELDS:
            raise UploadError(f"more than {MAX_FIELDS} fields")
        if self._name == FILE_FIELD:
            if self.filename is not None:
                raise UploadError("one file per analysis")
            self.filename = options.get(b"filename", b"").decode("utf-8", "replace")
            self._file = self.target.open("xb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._file is not None:
            self.size += end - start
            if self.size > self.limit:
                raise UploadTooLargeError(f"the file is larger than the limit of {_mb(self.limit)}")
            self._file.write(data[start:end])
        else:
            self._value += data[start:end]
            if len(self._value) > FORM_OVERHEAD:
                raise UploadError(f"field {self._name!r} is too long")

    def on_part_end(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        elif self._name:
            self.fields.setdefault(self._name, []).append(self._value.decode("utf-8", "replace"))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def callbacks(self) -> dict[str, Any]:
        names = ("part_begin", "header_field", "header_value", "header_end")
        names += ("headers_finished", "part_data", "part_end")
        return {f"on_{n}": getattr(self, f"on_{n}") for n in names}


async def receive_upload(
    chunks: AsyncIterator[bytes], content_type: str, target: Path, limit: int
) -> Received:
    """Read a multipart upload, writing its file to ``target`` as the bytes arrive.

    Parameters
    ----------
    chunks : async iterator of bytes
        The request body.
    content_type : str
        The request's ``Content-Type`` header.
    target : Path
        Where to write the file (must not exist; its folder must).
    limit : int
        Largest file accepted, in bytes.

    Returns
    -------
    Received
        The file's display name, path and size, and the other fields.

    Raises
    ------
    UploadTooLargeError
        As soon as the file passes ``limit`` (what was written is removed).
    UploadError
        For a request that is no multipart form, or has no file, more than one, or too many
        fields (what was written is removed).

    """
    parts = _Parts(target, limit)
    parser = MultipartParser(boundary_of(content_type), parts.callbacks())
    try:
        async for chunk in chunks:
            parser.write(chunk)
        parser.finalize()
        if parts.filename is None:
            raise UploadError(f"no file: send it in a field named {FILE_FIELD!r}")
    except BaseException:
        parts.close()
        target.unlink(missing_ok=True)
        raise
    parts.close()
    return Received(display_name(parts.filename), target, parts.size, parts.fields)


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"
