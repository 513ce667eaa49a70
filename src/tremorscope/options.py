"""What a user asks for, read and checked once for the command line, the API and ``synth``.

Regions (``X,Y,W,H[:NAME]`` boxes in displayed-frame pixels), the recording's context, and the
files an analysis is to be written to. Every check here gives its reason in words that name no
command-line flag, so the command line, the API and later front ends word their errors from
the same text.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal, cast

from tremorscope.config import CONTEXTS
from tremorscope.errors import InputError

#: A box ``(x, y, w, h)``: top-left corner, width and height in displayed-frame pixels.
Box = tuple[int, int, int, int]

#: The condition a recording was made in (the values of :data:`tremorscope.config.CONTEXTS`).
Context = Literal["rest", "postural", "kinetic", "standing", "unknown"]

#: File endings of the sensor recordings ``signal`` reads.
SENSOR_SUFFIXES = (".csv", ".tsv", ".txt", ".json")
#: File endings of common video containers.
VIDEO_SUFFIXES = (
    ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts", ".mts", ".m2ts",
    ".wmv", ".flv", ".3gp", ".ogv",
)  # fmt: skip
#: Why a file of another ending is not analysed.
UNKNOWN_KIND_PROBLEM = "neither a video nor a sensor recording by its ending (mp4, mov, csv, ...)"
#: File endings of the outputs that have a fixed format.
REPORT_SUFFIXES = (".html", ".htm")
ANNOTATED_SUFFIXES = (".mp4",)


# --------------------------------------------------------------------------------------------
# Kinds of input


def file_head(path: Path, size: int = 12) -> bytes:
    """The first ``size`` bytes of a file (empty when it cannot be read)."""
    try:
        with path.open("rb") as handle:
            return handle.read(size)
    except OSError:
        return b""


def video_container_of(head: bytes) -> str | None:
    """The video container a file's first 12 bytes announce, as a file ending, or None.

    MP4/MOV (``ftyp`` box) gives ``.mp4``, Matroska/WebM ``.mkv``, AVI ``.avi``.
    """
    if head[4:8] == b"ftyp":
        return ".mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return ".mkv"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return ".avi"
    return None


def looks_like_video(path: Path) -> bool:
    """Whether a file is named or starts like a video (MP4/MOV, Matroska/WebM, AVI)."""
    return path.suffix.lower() in VIDEO_SUFFIXES or video_container_of(file_head(path)) is not None


# --------------------------------------------------------------------------------------------
# Context


def parse_context(value: str) -> Context:
    """Check that ``value`` names a known recording condition.

    Parameters
    ----------
    value : str
        One of :data:`tremorscope.config.CONTEXTS`.

    Returns
    -------
    str
        ``value``, typed as a :data:`Context`.

    Raises
    ------
    ValueError
        For any other value; the message lists the known ones.

    """
    if value not in CONTEXTS:
        raise ValueError(f"unknown context {value!r}: use one of {', '.join(CONTEXTS)}")
    return cast(Context, value)


# --------------------------------------------------------------------------------------------
# Regions


def region_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a region (None when it can): letters, digits, ``-`` and ``_``."""
    if not name:
        return "a region needs a name"
    if not name.replace("_", "").replace("-", "").isalnum():
        return f"{name!r}: a region name uses letters, digits, - and _"
    return None


def parse_region(text: str, number: int) -> tuple[str, Box]:
    """Parse ``X,Y,W,H[:NAME]`` (pixels) into a name and a box.

    Parameters
    ----------
    text : str
        Four numbers (rounded to whole pixels) and an optional name.
    number : int
        Position of the region among those given, from 1: an unnamed region is ``regionN``.

    Returns
    -------
    tuple
        ``(name, (x, y, w, h))``.

    Raises
    ------
    ValueError
        When the text is not four numbers, the size is not positive, the corner is negative or
        the name has other characters than letters, digits, ``-`` and ``_``.

    """
    spec, _, name = text.partition(":")
    try:
        x, y, w, h = (round(float(v)) for v in spec.split(","))
    except ValueError:
        raise ValueError(
            f"{text!r}: use X,Y,W,H[:NAME] in pixels, e.g. 100,200,80,80:left_foot"
        ) from None
    if w <= 0 or h <= 0 or x < 0 or y < 0:
        raise ValueError(f"{text!r}: width and height must be positive and x, y not negative")
    name = name.strip() or f"region{number}"
    problem = region_name_problem(name)
    if problem:
        raise ValueError(problem)
    return name, (x, y, w, h)


def region_problem(box: Sequence[int], frame: tuple[int, int]) -> str | None:
    """Why a box cannot be measured in a frame, or None when it lies within it.

    Parameters
    ----------
    box : sequence of int
        ``(x, y, w, h)`` in pixels.
    frame : tuple of int
        ``(width, height)`` of the displayed frame in pixels.

    Returns
    -------
    str or None
        The reason, naming the frame size: the box is empty, lies outside the frame, or reaches
        past one of its edges.

    """
    x, y, w, h = (int(v) for v in box)
    width, height = frame
    if w <= 0 or h <= 0:
        return "has no area (width and height must be positive)"
    if x >= width or y >= height or x + w <= 0 or y + h <= 0:
        return f"lies outside the {width}x{height} frame"
    past = []
    if x < 0:
        past.append(f"left edge at x {x}")
    if y < 0:
        past.append(f"top edge at y {y}")
    if x + w > width:
        past.append(f"right edge at x {x + w}")
    if y + h > height:
        past.append(f"bottom edge at y {y + h}")
    if past:
        return f"reaches past the {width}x{height} frame ({', '.join(past)})"
    return None


def check_regions(
    path: str | Path, regions: Iterable[tuple[str, Sequence[int]]], frame: tuple[int, int]
) -> None:
    """Refuse regions that cannot be measured in a video, before any frame is analysed.

    Parameters
    ----------
    path : str or Path
        The video (named in the error).
    regions : iterable of (str, (x, y, w, h))
        Named boxes in displayed-frame pixels.
    frame : tuple of int
        ``(width, height)`` of the video's displayed frame in pixels.

    Raises
    ------
    InputError
        For the first region that is badly named, shares its name with another, or does not
        lie within the frame.

    """
    seen: set[str] = set()
    for name, box in regions:
        if len(box) != 4:
            raise InputError(path, f"region {name}: a box is x, y, width, height, not {box}")
        problem = region_name_problem(name)
        if problem is None and name in seen:
            problem = f"two regions are named {name}"
        if problem:
            raise InputError(path, problem)
        seen.add(name)
        problem = region_problem(box, frame)
        if problem:
            shown = ",".join(str(int(v)) for v in box)
            raise InputError(path, f"region {name} ({shown}) {problem}")


# --------------------------------------------------------------------------------------------
# Output paths


def output_suffix_problem(path: Path, suffixes: Sequence[str]) -> str | None:
    """Why ``path`` does not end as a file of its format must (None when it does, or any may).

    ``suffixes`` are lower case with the dot, e.g. ``(".html", ".htm")``; empty for any.
    """
    if suffixes and path.suffix.lower() not in suffixes:
        return f"must end {' or '.join(suffixes)} (not {path.suffix or 'no ending'})"
    return None


def output_file_problem(path: Path, suffixes: Sequence[str] = ()) -> str | None:
    """Why a file cannot be written at ``path`` (None when it can), without writing anything.

    Parameters
    ----------
    path : Path
        The file to write (replaced when it exists).
    suffixes : sequence of str
        Endings the file must have (lower case, with the dot), e.g. ``(".html", ".htm")``;
        any ending when empty.

    Returns
    -------
    str or None
        The reason: a wrong ending, a folder in the way, a missing or unwritable folder.

    """
    problem = output_suffix_problem(path, suffixes)
    if problem:
        return problem
    if path.is_dir():
        return "is a folder: give a file name"
    parent = path.parent
    if not parent.exists():
        return f"the folder {parent} does not exist"
    if not parent.is_dir():
        return f"{parent} is not a folder"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"the folder {parent} is not writable"
    return None


def output_folder_problem(path: Path) -> str | None:
    """Why ``path`` cannot be (or become) a folder of outputs, or None when it can.

    The folder need not exist: it is then made when the outputs are written, so its nearest
    existing ancestor must be a writable folder.
    """
    if path.exists():
        if not path.is_dir():
            return "is a file, not a folder"
        if not os.access(path, os.W_OK | os.X_OK):
            return "the folder is not writable"
        return None
    ancestor = path.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"cannot be made: {ancestor} is a file, not a folder"
    if not os.access(ancestor, os.W_OK | os.X_OK):
        return f"cannot be made: the folder {ancestor} is not writable"
    return None
