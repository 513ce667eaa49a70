"""Opening a video file, and saying in words a user can act on what is wrong with one.

For a file FFmpeg refuses (missing, empty, text, truncated or damaged MP4 boxes), and for
decoding that meets damaged data part way (packets skipped, reading stopped).
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from pathlib import Path

import av
import av.error

from tremorscope.errors import InputError

#: Consecutive undecodable packets after which decoding gives up.
MAX_BAD_PACKETS = 300
#: Everything PyAV/FFmpeg raises for unreadable input; never let these reach the user raw.
#: (``av.error.FFmpegError`` subclasses also derive from ``OSError``, ``ValueError``, ...)
_AV_ERRORS = (av.error.FFmpegError, OSError, EOFError, UnicodeDecodeError, ValueError)

_TRUNCATED = "the file is probably truncated (an incomplete copy, download or recording)"
_CUT_OFF = "the file is cut off inside its last MP4 box"


# --------------------------------------------------------------------------------------------
# Opening, and telling the user what is wrong with a file FFmpeg refuses


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(path, "file not found")
    if path.is_dir():
        raise InputError(path, "is a folder, not a video file")
    if not path.is_file():
        raise InputError(path, "is not a regular file")
    try:
        with path.open("rb") as handle:
            empty = not handle.read(1)
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from None
    if empty:
        raise InputError(path, "file is empty")


def _open(path: Path) -> av.container.InputContainer:
    _check_file(path)
    try:
        # An absolute path never looks like an FFmpeg protocol URL ("http:", "concat:", ...).
        return av.open(str(path.absolute()), mode="r", metadata_errors="replace")
    except _AV_ERRORS as exc:
        problem = _open_problem(path, exc)
    # FFmpeg refuses a fragmented MP4 cut off inside a fragment header ('moof'): read the
    # complete boxes before the cut instead (probe_video notes the truncation).
    layout = _mp4_layout(path)
    if layout is not None and b"moov" in layout[0] and layout[1] is not None:
        try:
            return av.open(_Prefix(path, layout[1]), mode="r", metadata_errors="replace")
        except _AV_ERRORS:
            pass
    raise InputError(path, problem) from None


def _open_problem(path: Path, exc: Exception) -> str:
    """Why FFmpeg could not open ``path``, in words a user can act on."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as err:
        return f"cannot be read ({err.strerror or err})"
    if isinstance(exc, PermissionError):
        return "cannot be read (permission denied)"
    layout = _mp4_layout(path)
    if layout is not None:
        atoms, cut_at = layout
        if b"moov" not in atoms and cut_at is not None:
            return f"MP4/MOV file cut off before its index ('moov' atom): {_TRUNCATED}"
        if b"moov" not in atoms:
            return "MP4/MOV file whose index ('moov' atom) is missing or damaged"
        if isinstance(exc, EOFError) or cut_at is not None:
            return f"MP4/MOV file ends unexpectedly: {_TRUNCATED}"
        return f"MP4/MOV file with a damaged index ({_reason(exc)})"
    if isinstance(exc, EOFError):
        return f"the file ends before any video data could be read: {_TRUNCATED}, or it is empty"
    if _looks_like_text(head):
        return "not a video: the file contains text"
    return f"not a video format FFmpeg recognises ({_reason(exc)})"


def _mp4_layout(path: Path, limit: int = 100_000) -> tuple[list[bytes], int | None] | None:
    """Top-level boxes of an MP4/MOV file (None for other files), and where a cut-off file ends.

    Returns the types of the complete top-level boxes and, when the last box runs past the end
    of the file, the offset where the complete boxes end (else None). The walk stops quietly at a
    box header that is not plausible (damage or trailing junk).
    """
    try:
        size_total = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
            if len(head) < 8 or head[4:8] not in _MP4_FIRST_BOXES:
                return None
            atoms: list[bytes] = []
            pos = 0
            while pos + 8 <= size_total and len(atoms) < limit:
                handle.seek(pos)
                size, kind = struct.unpack(">I4s", handle.read(8))
                if size == 1:
                    extended = handle.read(8)
                    if len(extended) < 8:
                        return atoms, pos
                    size = struct.unpack(">Q", extended)[0]
                elif size == 0:
                    size = size_total - pos
                if size < 8 or not all(32 <= c < 127 for c in kind):
                    return atoms, None
                if pos + size > size_total:
                    return atoms, pos
                atoms.append(kind)
                pos += size
            return atoms, (pos if 0 < size_total - pos < 8 else None)
    except OSError:
        return None


_MP4_FIRST_BOXES = (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"styp")


class _Prefix(io.RawIOBase):
    """The first ``end`` bytes of a file, as a seekable file object for ``av.open``."""

    def __init__(self, path: Path, end: int) -> None:
        super().__init__()
        self._file = path.open("rb")
        self._end = end
        self.name = str(path)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = max(0, min(len(buffer), self._end - self._file.tell()))
        data = self._file.read(n)
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_END:
            offset, whence = self._end + offset, io.SEEK_SET
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        self._file.close()
        super().close()


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the end of the block
        if exc.start < len(head) - 4:
            return False
        text = head[: exc.start].decode("utf-8")
    return sum(c.isprintable() or c.isspace() for c in text) >= 0.95 * len(text)


def _reason(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text).split(": '")[0].strip().rstrip(";:")


def _video_stream(container: av.container.InputContainer) -> av.video.stream.VideoStream | None:
    """The first real video stream (cover pictures of audio files are not video)."""
    for stream in container.streams.video:
        if not stream.disposition & av.stream.Disposition.attached_pic:
            return stream
    return None


def _no_video_problem(container: av.container.InputContainer) -> str:
    kinds = sorted({s.type for s in container.streams})
    if not kinds:
        return "contains no video: the file holds no streams at all (an empty recording?)"
    if container.streams.video:
        return "no video stream (only a cover picture)"
    return f"no video stream (only {' and '.join(kinds)})"


# --------------------------------------------------------------------------------------------
# Decoding that survives damaged data


class _DecodeLog:
    """What went wrong while decoding, turned into notes."""

    def __init__(self) -> None:
        self.bad_packets = 0
        self.first_bad_t: float | None = None
        self.first_error = ""
        self.read_error = ""
        self.gave_up = False

    def notes(self) -> list[str]:
        out = []
        if self.bad_packets:
            where = f" from {self.first_bad_t:.2f} s" if self.first_bad_t is not None else ""
            out.append(
                f"{_count(self.bad_packets, 'undecodable video packet')} skipped{where} "
                f"({self.first_error}): the file is damaged"
            )
        return out


def _decode(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, log: _DecodeLog
) -> Iterator[av.VideoFrame]:
    """Frames of ``stream``, skipping packets that fail to decode, stopping at unreadable data."""
    packets = container.demux(stream)
    in_a_row = 0
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except _AV_ERRORS as exc:
            log.read_error = _reason(exc)
            packet = None  # flush the frames the decoder still holds
        try:
            frames = stream.decode(packet)
        except _AV_ERRORS as exc:
            frames = []
            in_a_row += 1
            log.bad_packets += 1
            if log.first_bad_t is None and packet is not None and packet.pts is not None:
                log.first_bad_t = float(packet.pts * packet.time_base)
            log.first_error = log.first_error or _reason(exc)
            if in_a_row >= MAX_BAD_PACKETS:
                log.gave_up = True
                return
        else:
            in_a_row = 0
        yield from frames
        if packet is None:
            return


def _no_frame_problem(log: _DecodeLog, declared: int) -> str:
    if log.bad_packets:
        return f"no decodable video frame ({log.first_error}): the video data is damaged"
    if log.read_error:
        return f"no video frame could be read ({log.read_error}): {_TRUNCATED}"
    if declared:
        return f"none of the {declared} video frames the file declares could be read (damaged file)"
    return "the video stream holds no frames (an empty recording?)"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
