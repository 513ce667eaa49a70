"""Read sensor recordings (CSV or JSON records) into a :class:`Recording`.

Accepted: a header with a time column (a name containing ``time`` or ``timestamp``; seconds,
milliseconds, microseconds or nanoseconds detected from the sample spacing), or no time column and
a given rate; headerless numeric CSV whose first column increases (taken as time). Channels that
share a prefix before an axis suffix form one vector (``acc_x, acc_y, acc_z`` -> ``acc``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import OrderedDict
from pathlib import Path

import numpy as np

from tremorscope.errors import InputError
from tremorscope.signals.model import Recording, SignalGroup

#: Seconds per unit of the time column.
TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}
_UNIT_WORDS = {"s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds"}
#: Sampling rates a time unit may imply; rates of neighbouring units differ by 1000, so at most
#: one unit lands in this range.
PLAUSIBLE_RATE_HZ = (5.0, 5000.0)
_AXIS_RE = re.compile(r"^(?P<stem>.*?)[ _.\-]?(?P<axis>[xyz])$")
_INDEXED_RE = re.compile(r"^(?P<stem>.*?\D)(?P<index>\d+)$")
#: Vectors sharing a stem are merged into one point set (hand landmarks) from this many on.
MERGE_POINT_SET_FROM = 6
_MAX_BYTES_SNIFFED = 65536


def load_recording(
    path: str | Path,
    rate_hz: float | None = None,
    channels: list[str] | None = None,
    time_unit: str | None = None,
) -> Recording:
    """Read a sensor recording from a CSV or JSON file.

    Parameters
    ----------
    path : str or Path
        A CSV (comma, semicolon or tab separated) or a JSON list of records.
    rate_hz : float, optional
        Sampling rate in Hz, for files without a time column. Ignored when one is found.
    channels : list of str, optional
        Vector or column names to keep (e.g. ``["acc"]`` or ``["acc_x"]``); all by default.
    time_unit : {"s", "ms", "us", "ns"}, optional
        Unit of the time column, when its detection should be overridden.

    Returns
    -------
    Recording
        Times in seconds from the first sample and the vector groups.

    Raises
    ------
    InputError
        The file is missing, empty, binary, has no numeric channel, time going backwards, etc.

    """
    path = Path(path)
    header, columns = _read_table(path)
    notes: list[str] = []
    time_index = _find_time_column(header, columns)
    if time_index is None:
        if rate_hz is None:
            raise InputError(
                path,
                "no time column (a header with 'time' or 'timestamp') and no sampling rate given",
            )
        if rate_hz <= 0:
            raise InputError(path, f"the sampling rate must be positive, got {rate_hz}")
        n = len(columns[0]) if columns else 0
        time_s = np.arange(n) / rate_hz
        time_source = f"no time column: {rate_hz:g} Hz as given"
    else:
        raw = columns.pop(time_index)
        name = header.pop(time_index)
        time_s, time_source, dropped = _times_in_seconds(path, name, raw, time_unit)
        if dropped.any():
            keep = ~dropped
            columns = [c[keep] for c in columns]
            notes.append(f"{int(dropped.sum())} samples with a repeated or missing time dropped")
    if len(time_s) < 2:
        raise InputError(path, f"only {len(time_s)} sample; a recording needs many")
    header, columns = _drop_useless(header, columns, notes)
    if not header:
        raise InputError(path, "no numeric channel besides time")
    groups = group_channels(header, columns)
    if channels:
        groups = _select(path, groups, channels)
    for group in groups:
        group.kind, group.unit = infer_kind_and_unit(group)
    return Recording(str(path), time_s, groups, time_source, notes)


def _read_table(path: Path) -> tuple[list[str], list[np.ndarray]]:
    """Return column names and float columns (NaN where a cell is not a number)."""
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a folder, not a file")
    blob = path.read_bytes()
    if not blob.strip():
        raise InputError(path, "is empty")
    if b"\x00" in blob[:_MAX_BYTES_SNIFFED]:
        raise InputError(path, "is a binary file, not a CSV or JSON text")
    try:
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = blob.decode("latin-1")
        except UnicodeDecodeError as exc:  # pragma: no cover - latin-1 decodes any byte
            raise InputError(path, "is not a text file") from exc
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        return _json_table(path, stripped)
    return _csv_table(path, text)


def _csv_table(path: Path, text: str) -> tuple[list[str], list[np.ndarray]]:
    sample = text[:_MAX_BYTES_SNIFFED]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t ")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    rows = [
        r for r in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in r)
    ]
    if not rows:
        raise InputError(path, "is empty")
    first = [c.strip() for c in rows[0]]
    has_header = not all(_is_number(c) for c in first if c)
    header = first if has_header else [f"col{i + 1}" for i in range(len(first))]
    body = rows[1:] if has_header else rows
    if not body:
        raise InputError(path, "has a header but no data rows")
    width = len(header)
    columns = [np.full(len(body), np.nan) for _ in range(width)]
    numeric_seen = [False] * width
    for i, row in enumerate(body):
        for j in range(min(width, len(row))):
            value = _to_float(row[j])
            if value is not None:
                columns[j][i] = value
                numeric_seen[j] = True
    names = [h if h else f"col{j + 1}" for j, h in enumerate(header)]
    keep = [j for j in range(width) if numeric_seen[j]]
    if not keep:
        raise InputError(path, "has no numeric column")
    return [names[j] for j in keep], [columns[j] for j in keep]


def _json_table(path: Path, text: str) -> tuple[list[str], list[np.ndarray]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(path, f"is not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    if isinstance(data, dict):
        arrays = {k: v for k, v in data.items() if isinstance(v, list)}
        if not arrays:
            raise InputError(path, "JSON object holds no arrays of samples")
        length = max(len(v) for v in arrays.values())
        records = [
            {k: (v[i] if i < len(v) else None) for k, v in arrays.items()} for i in range(length)
        ]
    elif isinstance(data, list):
        records = [r for r in data if isinstance(r, dict)]
    else:
        records = []
    if not records:
        raise InputError(path, "JSON holds no list of sample records")
    keys: OrderedDict[str, None] = OrderedDict()
    for record in records:
        for key, value in record.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                keys[key] = None
    if not keys:
        raise InputError(path, "has no numeric column")
    names = list(keys)
    columns = [np.array([_json_float(r.get(k)) for r in records]) for k in names]
    return names, columns


def _json_float(value: object) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return float("nan")


def _is_number(text: str) -> bool:
    return _to_float(text) is not None or text.lower() in {"nan", "na", "null", ""}


def _to_float(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def _find_time_column(header: list[str], columns: list[np.ndarray]) -> int | None:
    for j, name in enumerate(header):
        low = name.lower()
        if "time" in low or low in {"t", "ts", "t_s", "t_ms"}:
            return j
    if header and header[0] == "col1" and len(columns[0]) > 2:
        first = columns[0]
        finite = first[np.isfinite(first)]
        if len(finite) > 2 and np.all(np.diff(finite) > 0):
            return 0
    return None


def _times_in_seconds(
    path: Path, name: str, raw: np.ndarray, time_unit: str | None
) -> tuple[np.ndarray, str, np.ndarray]:
    """Convert a time column to seconds from the first sample.

    Returns the times of the kept samples, a sentence on how they were read, and a mask of the
    samples dropped (missing or repeated time).
    """
    missing = ~np.isfinite(raw)
    if missing.all():
        raise InputError(path, f"time column '{name}' holds no numbers")
    valid = raw[~missing]
    steps = np.diff(valid)
    backwards = np.flatnonzero(steps < 0)
    if backwards.size:
        row = int(np.flatnonzero(~missing)[backwards[0] + 1]) + 1
        raise InputError(path, f"time goes backwards at data row {row} of column '{name}'")
    repeated = np.zeros(raw.shape, bool)
    repeated[np.flatnonzero(~missing)[1:][steps == 0]] = True
    dropped = missing | repeated
    times = raw[~dropped]
    positive = np.diff(times)
    if positive.size == 0:
        return times - times[0] if times.size else times, f"column '{name}'", dropped
    spacing = float(np.median(positive))
    if time_unit is not None:
        if time_unit not in TIME_UNITS:
            raise InputError(path, f"unknown time unit '{time_unit}' (use s, ms, us or ns)")
        unit = time_unit
        how = "as given"
    else:
        unit = _detect_time_unit(path, name, spacing)
        how = "detected from the sample spacing"
    seconds = (times - times[0]) * TIME_UNITS[unit]
    rate = 1.0 / (spacing * TIME_UNITS[unit])
    words = f"column '{name}' in {_UNIT_WORDS[unit]} ({how}; about {rate:.4g} Hz)"
    return seconds, words, dropped


def _detect_time_unit(path: Path, name: str, spacing: float) -> str:
    for unit, factor in TIME_UNITS.items():
        rate = 1.0 / (spacing * factor)
        if PLAUSIBLE_RATE_HZ[0] <= rate < PLAUSIBLE_RATE_HZ[1]:
            return unit
    raise InputError(
        path,
        f"cannot tell the unit of time column '{name}' (median step {spacing:g} gives no rate "
        f"between {PLAUSIBLE_RATE_HZ[0]:g} and {PLAUSIBLE_RATE_HZ[1]:g} Hz in s, ms, us or ns); "
        "give the time unit",
    )


def _drop_useless(
    header: list[str], columns: list[np.ndarray], notes: list[str]
) -> tuple[list[str], list[np.ndarray]]:
    kept_h, kept_c = [], []
    for name, col in zip(header, columns, strict=True):
        finite = col[np.isfinite(col)]
        if finite.size == 0:
            notes.append(f"column '{name}' holds no numbers: ignored")
        elif np.ptp(finite) == 0:
            notes.append(f"column '{name}' is constant: ignored")
        else:
            kept_h.append(name)
            kept_c.append(col)
    return kept_h, kept_c


def group_channels(header: list[str], columns: list[np.ndarray]) -> list[SignalGroup]:
    """Group columns into vectors by axis suffix, then merge large indexed point sets.

    Parameters
    ----------
    header : list of str
        Column names (``colN`` for a file without a header: all form one vector ``signal``).
    columns : list of ndarray
        The columns, same order.

    Returns
    -------
    list of SignalGroup
        ``acc_x, acc_y, acc_z`` -> ``acc``; ``marker4_x..z`` -> ``marker4``; from
        :data:`MERGE_POINT_SET_FROM` indexed vectors with one stem on (``right_lm0`` ...
        ``right_lm20``), one point set named by the stem (``right_lm``).

    """
    if all(re.fullmatch(r"col\d+", h) for h in header):
        return [SignalGroup("signal", list(header), np.column_stack(columns))]
    vectors: OrderedDict[str, list[int]] = OrderedDict()
    for j, name in enumerate(header):
        match = _AXIS_RE.match(name.strip())
        stem = match.group("stem").rstrip(" _.-") if match else name
        key = stem if match and stem else ("xyz" if match else name)
        vectors.setdefault(key, []).append(j)
    sets: OrderedDict[str, list[str]] = OrderedDict()
    for key in vectors:
        match = _INDEXED_RE.match(key)
        sets.setdefault(match.group("stem").rstrip(" _.-") if match else key, []).append(key)
    groups = []
    for stem, members in sets.items():
        if len(members) >= MERGE_POINT_SET_FROM:
            index = [j for key in members for j in vectors[key]]
            groups.append(_make_group(stem, index, header, columns))
        else:
            groups.extend(_make_group(key, vectors[key], header, columns) for key in members)
    return groups


def _make_group(
    name: str, index: list[int], header: list[str], cols: list[np.ndarray]
) -> SignalGroup:
    return SignalGroup(name, [header[j] for j in index], np.column_stack([cols[j] for j in index]))


def _select(path: Path, groups: list[SignalGroup], wanted: list[str]) -> list[SignalGroup]:
    chosen = []
    for group in groups:
        if group.name in wanted:
            chosen.append(group)
            continue
        picked = [j for j, ch in enumerate(group.channels) if ch in wanted]
        if picked:
            chosen.append(
                SignalGroup(
                    group.name, [group.channels[j] for j in picked], group.values[:, picked]
                )
            )
    if not chosen:
        names = ", ".join(g.name for g in groups)
        raise InputError(
            path, f"none of the channels {', '.join(wanted)} found (there are: {names})"
        )
    return chosen


def infer_kind_and_unit(group: SignalGroup) -> tuple[str, str]:
    """Guess what a vector measures from its name, and its unit from gravity where possible.

    Parameters
    ----------
    group : SignalGroup
        The vector; its name and values are read.

    Returns
    -------
    kind : str
        ``acceleration``, ``angular_velocity``, ``position`` or ``unknown``.
    unit : str
        ``m/s^2``, ``g`` or ``mg`` for accelerometers whose mean magnitude matches gravity (an
        unnamed three-axis vector steadily near 9.81 is taken for an accelerometer in m/s^2),
        ``normalised image units`` for landmark coordinates, else ``input units``.

    """
    name = group.name.lower()
    if re.search(r"acc|accel", name):
        return "acceleration", _acceleration_unit(group.values)
    if re.search(r"gyr|rot|angvel|omega", name):
        return "angular_velocity", "input units"
    if re.search(r"lm|landmark|keypoint|kp|pose|hand|wrist|finger|foot|knee|head", name):
        values = group.values[np.isfinite(group.values)]
        if values.size and values.min() > -0.5 and values.max() < 1.5:
            return "position", "normalised image units"
        return "position", "input units"
    if re.search(r"marker|pos|mocap|disp|trace|track", name):
        return "position", "input units"
    if _looks_like_gravity_in_mps2(group.values):
        return "acceleration", "m/s^2"
    return "unknown", "input units"


def _looks_like_gravity_in_mps2(values: np.ndarray) -> bool:
    """An unnamed three-axis vector whose magnitude stays near 9.81: an accelerometer in m/s^2."""
    if values.shape[1] != 3:
        return False
    norm = np.linalg.norm(values, axis=1)
    norm = norm[np.isfinite(norm)]
    if norm.size == 0:
        return False
    median = float(np.median(norm))
    spread = float(np.percentile(norm, 90) - np.percentile(norm, 10))
    return 8.8 <= median <= 10.8 and spread < 0.5 * median


def _acceleration_unit(values: np.ndarray) -> str:
    if values.shape[1] != 3:
        return "input units"
    magnitude = float(np.nanmedian(np.linalg.norm(values, axis=1)))
    for unit, gravity in (("m/s^2", 9.81), ("g", 1.0), ("mg", 1000.0)):
        if 0.8 * gravity <= magnitude <= 1.25 * gravity:
            return unit
    return "input units"


def recording_from_array(
    values: np.ndarray, rate_hz: float | None, time_s: np.ndarray | None, names: list[str] | None
) -> Recording:
    """A recording from samples in memory.

    Parameters
    ----------
    values : ndarray, shape (n_samples,) or (n_samples, n_channels)
        The samples.
    rate_hz : float, optional
        Sampling rate, when ``time_s`` is not given.
    time_s : ndarray, optional
        Sample times, seconds.
    names : list of str, optional
        Channel names (grouped into vectors as file columns are); ``signal_x`` ... by default.

    Returns
    -------
    Recording

    Raises
    ------
    InputError
        When the times and values do not fit together.

    """
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    if time_s is None:
        if rate_hz is None or rate_hz <= 0:
            raise InputError("<array>", "give rate_hz or time_s with an array")
        time_s = np.arange(len(values)) / rate_hz
    time_s = np.asarray(time_s, dtype=float)
    if len(time_s) != len(values) or len(values) < 2:
        raise InputError("<array>", "time and values differ in length or hold under two samples")
    if np.any(np.diff(time_s) < 0):
        raise InputError("<array>", "time goes backwards")
    if names is None:
        width = values.shape[1]
        names = (
            [f"signal_{'xyz'[i]}" for i in range(width)]
            if width <= 3
            else [f"col{i + 1}" for i in range(width)]
        )
    if len(names) != values.shape[1]:
        raise InputError("<array>", f"{len(names)} names for {values.shape[1]} channels")
    groups = group_channels(names, [values[:, j] for j in range(values.shape[1])])
    for group in groups:
        group.kind, group.unit = infer_kind_and_unit(group)
    return Recording("<array>", time_s - time_s[0], groups, "given", [])
