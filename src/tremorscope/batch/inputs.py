"""What a batch is asked to analyse: folders, files, globs and manifests, as a list of jobs.

Each input becomes a :class:`BatchInput`: the file, its kind (video or sensor recording, from
its ending), where its results go under the output folder (its path relative to the folder it
was found in), and the options for it (a manifest may give each file its own person, context,
scale and regions).
"""

from __future__ import annotations

import csv
import glob
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from tremorscope.errors import InputError
from tremorscope.options import (
    SENSOR_SUFFIXES,
    UNKNOWN_KIND_PROBLEM,
    VIDEO_SUFFIXES,
    Box,
    parse_context,
    parse_region,
)

#: The annotated video's name among an input's results (when asked for).
ANNOTATED_NAME = "annotated.mp4"
#: Manifest columns besides ``path`` (each optional, per file).
MANIFEST_COLUMNS = ("person", "context", "scale", "region")


@dataclass(frozen=True)
class BatchInput:
    """One file of a batch and how to analyse it.

    Attributes
    ----------
    path : Path
        The file, absolute.
    kind : str
        ``video`` or ``signal``.
    result : str
        Where its results go, relative to the output folder (POSIX separators).
    person : int, optional
        Analyse only this person (video).
    context : str
        The recording's condition.
    scale : float, optional
        Pixels per cm (video).
    regions : tuple of (str, Box)
        Regions to measure (video).
    annotated : bool
        Also draw the annotated video (video; :data:`ANNOTATED_NAME` among the results).
    shown_as : str, optional
        The name the results give the file instead of its path (an upload stored under a name
        of the server's own, shown under the name it came with).

    """

    path: Path
    kind: str
    result: str
    person: int | None = None
    context: str = "unknown"
    scale: float | None = None
    regions: tuple[tuple[str, Box], ...] = field(default_factory=tuple)
    annotated: bool = False
    shown_as: str | None = None

    def options(self) -> dict[str, object]:
        """The options that shape this input's result (what makes a stored result current)."""
        return {
            "kind": self.kind,
            "person": self.person,
            "context": self.context,
            "scale": self.scale,
            "regions": [[name, list(box)] for name, box in self.regions],
            **({"annotated": True} if self.annotated else {}),
        }


def kind_of(path: Path) -> str | None:
    """``video`` or ``signal`` from a file's ending, or None for other files."""
    suffix = path.suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        return "video"
    if suffix in SENSOR_SUFFIXES:
        return "signal"
    return None


def is_manifest(path: Path) -> bool:
    """A CSV file whose header has a ``path`` column is a manifest, not a sensor recording."""
    if path.suffix.lower() != ".csv" or not path.is_file():
        return False
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError):
        return False
    return "path" in {h.strip().lower() for h in header}


def collect_inputs(
    items: Sequence[str | Path], *, context: str = "unknown", out: Path | None = None
) -> list[BatchInput]:
    """Every file the batch is to analyse, in a stable order, each with its result's place.

    Parameters
    ----------
    items : sequence of str or Path
        Folders (searched recursively for videos and sensor recordings by their endings),
        files, glob patterns, or manifest CSVs (a ``path`` column, and optionally ``person``,
        ``context``, ``scale``, ``region`` per file; paths relative to the manifest's folder).
    context : str
        The condition of every input a manifest does not give one for.
    out : Path, optional
        The output folder: files inside it are not inputs (a batch writing into the folder it
        reads).

    Returns
    -------
    list of BatchInput
        Files named twice are analysed once; two files whose results would share a place get
        ``-2``, ``-3`` ... after it.

    Raises
    ------
    InputError
        For an input that does not exist, a glob that matches nothing, or a manifest row that
        cannot be read (naming the manifest and the row).

    """
    context = parse_context(context)
    found: list[BatchInput] = []
    for item in items:
        found += _expand(str(item), context, out)
    return _unique(found)


def _expand(item: str, context: str, out: Path | None) -> list[BatchInput]:
    path = Path(item).expanduser()
    if path.is_dir():
        return [
            _input(file, file.relative_to(path), context)
            for file in sorted(path.rglob("*"))
            if file.is_file()
            and kind_of(file) is not None
            and not file.name.startswith(".")
            and not _inside(file, out)
            and not is_manifest(file)
        ]
    if path.is_file():
        if is_manifest(path):
            return _manifest(path, context)
        return [_input(path, Path(path.name), context, require_kind=True)]
    if glob.has_magic(item):
        matches = sorted(Path(p) for p in glob.glob(item, recursive=True))
        files = [m for m in matches if m.is_file() and kind_of(m) is not None]
        if not files:
            raise InputError(item, "no video or sensor file matches this pattern")
        return [_input(m, Path(m.name), context) for m in files]
    raise InputError(path, "no such file or folder")


def _input(
    path: Path,
    relative: Path,
    context: str,
    *,
    require_kind: bool = False,
    **options: object,
) -> BatchInput:
    kind = kind_of(path)
    if kind is None:
        if require_kind:
            raise InputError(path, UNKNOWN_KIND_PROBLEM)
        kind = "video"
    result = PurePosixPath(*relative.parts).as_posix()
    return BatchInput(path.resolve(), kind, result, context=context, **options)  # type: ignore[arg-type]


def _manifest(manifest: Path, context: str) -> list[BatchInput]:
    """The files a manifest lists, each with the options its row gives."""
    with manifest.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    inputs = []
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        if None in row:  # more fields than the header names
            raise InputError(
                manifest, f'row {number}: more fields than columns (quote a region: "X,Y,W,H")'
            )
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items()}
        if not row.get("path"):
            raise InputError(manifest, f"row {number}: no path")
        path = Path(row["path"])
        path = path if path.is_absolute() else manifest.parent / path
        if not path.is_file():
            raise InputError(manifest, f"row {number}: {row['path']}: no such file")
        try:
            options = _row_options(row)
        except ValueError as exc:
            raise InputError(manifest, f"row {number}: {exc}") from None
        row_context = options.pop("context", None) or context
        relative = Path(row["path"]) if not Path(row["path"]).is_absolute() else Path(path.name)
        inputs.append(_input(path, relative, str(row_context), require_kind=True, **options))
    return inputs


def _row_options(row: dict[str, str]) -> dict[str, object]:
    """A manifest row's own options (only those it fills in)."""
    options: dict[str, object] = {}
    if row.get("person"):
        person = int(row["person"])
        if person < 1:
            raise ValueError(f"person must be 1 or more, got {person}")
        options["person"] = person
    if row.get("context"):
        options["context"] = parse_context(row["context"])
    if row.get("scale"):
        scale = float(row["scale"])
        if not scale > 0:
            raise ValueError(f"scale must be positive, got {scale}")
        options["scale"] = scale
    if row.get("region"):
        texts = [t for t in row["region"].split(";") if t.strip()]
        options["regions"] = tuple(parse_region(t.strip(), i) for i, t in enumerate(texts, 1))
    return options


def _inside(path: Path, folder: Path | None) -> bool:
    if folder is None:
        return False
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _unique(inputs: Iterable[BatchInput]) -> list[BatchInput]:
    """Each file once; results that would share a folder get a numbered suffix."""
    seen: set[tuple[Path, str]] = set()
    taken: set[str] = set()
    out = []
    for item in inputs:
        identity = (item.path, repr(item.options()))
        if identity in seen:
            continue
        seen.add(identity)
        result, n = item.result, 1
        while result in taken:
            n += 1
            result = f"{item.result}-{n}"
        taken.add(result)
        out.append(_with_result(item, result))
    return out


def _with_result(item: BatchInput, result: str) -> BatchInput:
    if result == item.result:
        return item
    return BatchInput(
        item.path, item.kind, result, item.person, item.context, item.scale, item.regions
    )
