"""What the video pass measured: a labelled dataset in the layout of the ``movement`` toolbox.

The pass (:mod:`tremorscope.measure`) accumulates each region's samples while it streams; at its
end :func:`measurement_dataset` lays them out once as a :class:`MotionDataset` with dimensions
``time``, ``space`` (x, y), ``keypoints`` (body parts, or given regions' names) and
``individuals`` (``person1`` ..., and ``regions`` for regions given by name), coordinates in
seconds and pixels, and per-sample validity. The analysis reads its arrays
(:func:`region_track`); the exports write it as an ``xarray.Dataset``
(:meth:`MotionDataset.to_xarray`, ``tracks.nc``). This module loads neither OpenCV, the pose
model nor xarray: the analysis can import it on its own.

Variables (NaN where a region was not measured):

- ``displacement`` (time, space, keypoints, individuals): motion since the region was placed
  at the start of its stretch, camera motion removed, px;
- ``position``: the region's centre, its placement plus ``displacement``, px;
- ``valid`` (time, keypoints, individuals): a displacement was measured;
- ``stretch_start`` (time, keypoints, individuals): continuity with the frames before is lost
  here (a new stretch starts; the first frame measured is one);
- ``region_box`` (time, box, keypoints, individuals): where the region was placed (x, y, w, h px),
  at each chunk start;
- ``part_displacement``: hands, the displacement of the part of the hand that moves most;
- ``articulation`` (time, keypoints, individuals): hands and given regions, how far the parts
  of the region move against each other (first principal component of the points' own motion,
  px); ``articulation_start`` marks each chunk's own piece (the component's sign is arbitrary
  from one chunk to the next);
- ``uncompensated_frames`` (keypoints, individuals): frames where the camera's motion could not
  be removed;
- ``camera_shift`` (time, space) and ``camera_zoom`` (time): the camera's own motion at the
  frame centre, stitched over chunks like the regions.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from tremorscope.locate.hands import HandShape
from tremorscope.locate.world_scale import ScaleSample
from tremorscope.results import Box, RegionKey

if TYPE_CHECKING:
    import xarray as xr

    from tremorscope.video import VideoInfo

#: Names of the box coordinate.
BOX_FIELDS = ("x", "y", "w", "h")


@dataclass
class RegionSamples:
    """One region's samples as the pass collects them (frame indices into the clip).

    Attributes
    ----------
    key : RegionKey
        Which region.
    samples : list of (int, float, float)
        Frame index and displacement ``(dx, dy)`` in pixels, camera motion removed.
    breaks : list of int
        Frame indices where continuity with the frames before is lost.
    boxes : list of (int, Box)
        Frame index and box at each chunk start.
    uncompensated_frames : int
        Frames where the camera's motion could not be removed.
    articulation : list of (int, float)
        Hands and given regions: frame index and how far parts of the region move against each
        other, px.
    articulation_breaks : list of int
        Frame index where each chunk's articulation starts.
    part_samples : list of (int, float, float)
        Hands: frame index and displacement of the part of the hand that moves most.

    """

    key: RegionKey
    samples: list[tuple[int, float, float]] = field(default_factory=list)
    breaks: list[int] = field(default_factory=list)
    boxes: list[tuple[int, Box]] = field(default_factory=list)
    uncompensated_frames: int = 0
    articulation: list[tuple[int, float]] = field(default_factory=list)
    articulation_breaks: list[int] = field(default_factory=list)
    part_samples: list[tuple[int, float, float]] = field(default_factory=list)


@dataclass
class VideoMeasurement:
    """Everything the streaming pass measured.

    Attributes
    ----------
    info : VideoInfo
        Stream facts.
    tracks : MotionDataset
        Every region's motion (see the module's description).
    keys : list of RegionKey
        The regions in the order the pass first measured them.
    shot_starts : list of int
        Frame index where each shot starts (0 first).
    torsos : dict
        Person id to ``(time s, torso centre x px, y px, body scale px)`` at each detection
        (:func:`tremorscope.locate.regions.torso_centre`, :func:`~.body_scale`).
    identity_uncertain : dict
        Person id to the earlier people they may be (seen again after a cut, the likeness was
        unclear): kept apart rather than merged.
    hands_alone : set of int
        People seen only as a hand the hand model found by itself (a hand close up, nothing
        else of them in view): only their hands have regions.
    transitions : list of (int, int)
        First and last frame index of each gradual transition (dissolve, fade, blank
        pictures), in which nothing was measured.
    people : dict
        Person id (1-based) to the list of ``(time, box)`` detections.
    elapsed_s : float
        Wall-clock time of the pass.
    camera_chunks, chunks : int
        Chunks whose camera motion could be measured, and all chunks.
    shoulder_px : dict
        Person id to the distance between the shoulders (px) at each detection that saw both.
    scale_samples : dict
        Person id to one :class:`tremorscope.locate.world_scale.ScaleSample` per detection, in
        time order: the time, pixels per centimetre from the world landmarks (or None), the
        fit's residual, and the shoulders' width when they face the camera.
    conditions : dict
        ``(person id, body part)`` to the condition read from the pose at each detection
        (see :func:`tremorscope.locate.context.part_conditions`).
    hands : dict
        ``(person id, "left_hand" | "right_hand")`` to the hand's shape from its landmarks,
        sampled 1-4 times a second (see :mod:`tremorscope.locate.hands`).
    picture_types : str
        How the encoder coded each frame, one letter a frame (``I``, ``P``, ``B``, ``?``).
    hand_calls, hand_seconds : int, float
        Calls of the hand model and the time they took (s, in the pose thread).
    hand_regions_moved : int
        Chunk starts where a hand's region was placed from its landmarks, the pose having put
        it beside the hand (:func:`tremorscope.locate.hands.region_from_landmarks`).

    """

    info: VideoInfo
    tracks: MotionDataset
    keys: list[RegionKey]
    shot_starts: list[int]
    people: dict[int, list[tuple[float, Box]]]
    elapsed_s: float
    camera_chunks: int = 0
    chunks: int = 0
    shoulder_px: dict[int, list[float]] = field(default_factory=dict)
    scale_samples: dict[int, list[ScaleSample]] = field(default_factory=dict)
    conditions: dict[tuple[int, str], list[tuple[str, str]]] = field(default_factory=dict)
    hands: dict[tuple[int, str], list[HandShape]] = field(default_factory=dict)
    picture_types: str = ""
    hand_calls: int = 0
    hand_seconds: float = 0.0
    hand_regions_moved: int = 0
    transitions: list[tuple[int, int]] = field(default_factory=list)
    identity_uncertain: dict[int, list[int]] = field(default_factory=dict)
    torsos: dict[int, list[tuple[float, float, float, float]]] = field(default_factory=dict)
    hands_alone: set[int] = field(default_factory=set)

    @property
    def times(self) -> np.ndarray:
        """Presentation time of every decoded frame, seconds."""
        return self.tracks["time"]

    @property
    def n_frames(self) -> int:
        """Frames decoded."""
        return len(self.tracks["time"])

    @property
    def camera(self) -> np.ndarray:
        """The camera's shift at the frame centre, ``(n_frames, 2)`` px, NaN where unmeasured."""
        return self.tracks["camera_shift"]

    @property
    def camera_zoom(self) -> np.ndarray:
        """The camera's scale change since each chunk's reference (1 = none), per frame."""
        return self.tracks["camera_zoom"]

    def region(self, key: RegionKey) -> RegionTrack:
        """One region's series, read from :attr:`tracks`."""
        return region_track(self.tracks, key)


@dataclass
class MotionDataset:
    """Labelled arrays in the ``movement`` layout: NumPy for the analysis, xarray at the edge.

    The analysis reads the arrays directly (importing xarray, and the array libraries xarray
    looks for, would cost a second per video); :meth:`to_xarray` gives the same data as an
    ``xarray.Dataset`` for the exports (``tracks.nc``) and for ``movement``.

    Attributes
    ----------
    variables : dict
        Name to ``(dimension names, array)``.
    coords : dict
        Dimension name to its labels (``time`` in seconds).
    attrs : dict
        Provenance and units.

    """

    variables: dict[str, tuple[tuple[str, ...], np.ndarray]]
    coords: dict[str, np.ndarray]
    attrs: dict[str, str | float]

    def __getitem__(self, name: str) -> np.ndarray:
        """The array of a variable or a coordinate."""
        if name in self.variables:
            return self.variables[name][1]
        return self.coords[name]

    def __contains__(self, name: object) -> bool:
        return name in self.variables or name in self.coords

    def dims(self, name: str) -> tuple[str, ...]:
        """The dimension names of a variable."""
        return self.variables[name][0]

    @property
    def sizes(self) -> dict[str, int]:
        """Length of each dimension."""
        return {name: len(labels) for name, labels in self.coords.items()}

    def region(self, key: RegionKey) -> dict[str, np.ndarray]:
        """Every variable with ``keypoints`` and ``individuals`` taken at one region.

        Raises
        ------
        KeyError
            When the region's body part or owner is not in the dataset.

        """
        keypoints, individuals = list(self.coords["keypoints"]), list(self.coords["individuals"])
        if key.part not in keypoints or key.individual not in individuals:
            raise KeyError(key.name)
        at = {
            "keypoints": keypoints.index(key.part),
            "individuals": individuals.index(key.individual),
        }
        out = {}
        for name, (dims, values) in self.variables.items():
            if "keypoints" in dims and "individuals" in dims:
                index = tuple(at.get(d, slice(None)) for d in dims)
                out[name] = values[index]
        return out

    def to_xarray(self) -> xr.Dataset:
        """The same data as an ``xarray.Dataset`` (imported here, on first use)."""
        import xarray as xr

        return xr.Dataset(
            data_vars=dict(self.variables),
            coords={
                name: list(labels) if labels.dtype.kind == "U" else labels
                for name, labels in self.coords.items()
            },
            attrs=dict(self.attrs),
        )


@dataclass(frozen=True)
class RegionTrack:
    """One region's series as the analysis reads them, all ``(n_frames, ...)``, NaN elsewhere.

    Attributes
    ----------
    key : RegionKey
        Which region.
    displacement : ndarray, shape (n_frames, 2)
        Motion since placement at each stretch's start, camera motion removed, px.
    position : ndarray, shape (n_frames, 2)
        The region's centre, px.
    breaks : list of int
        Frames where a stretch starts.
    boxes : list of (int, Box)
        Frame index and box at each chunk start.
    part_displacement : ndarray, shape (n_frames, 2)
        Hands: the part of the hand that moves most (all NaN elsewhere).
    articulation : ndarray, shape (n_frames, 1)
        Hands and given regions: parts moving against each other.
    articulation_breaks : list of int
        Frames where each chunk's articulation starts.
    uncompensated_frames : int
        Frames where the camera's motion could not be removed.

    """

    key: RegionKey
    displacement: np.ndarray
    position: np.ndarray
    breaks: list[int]
    boxes: list[tuple[int, Box]]
    part_displacement: np.ndarray
    articulation: np.ndarray
    articulation_breaks: list[int]
    uncompensated_frames: int

    @property
    def has_parts(self) -> bool:
        """Whether the part of the region that moves most was measured."""
        return bool(np.isfinite(self.part_displacement).any())

    @property
    def has_articulation(self) -> bool:
        """Whether the region's parts were followed against each other."""
        return bool(np.isfinite(self.articulation).any())


def measurement_dataset(
    times: np.ndarray,
    regions: Sequence[RegionSamples],
    camera: np.ndarray,
    camera_zoom: np.ndarray,
    attrs: dict[str, str | float] | None = None,
) -> MotionDataset:
    """Lay the pass's samples out as one labelled dataset (see the module's description).

    Parameters
    ----------
    times : ndarray, shape (n_frames,)
        Frame times from the container, seconds.
    regions : sequence of RegionSamples
        Every region measured, in the order first measured (individuals and keypoints keep
        that order).
    camera : ndarray, shape (n_frames, 2)
        The camera's shift at the frame centre, px.
    camera_zoom : ndarray, shape (n_frames,)
        The camera's scale change (1 = none).
    attrs : dict, optional
        Provenance to keep with the data (source file, fps, ...).

    Returns
    -------
    MotionDataset

    """
    n = len(times)
    individuals = list(dict.fromkeys(r.key.individual for r in regions))
    keypoints = list(dict.fromkeys(r.key.part for r in regions))
    shape = (len(keypoints), len(individuals))
    displacement = np.full((n, 2, *shape), np.nan)
    position = np.full((n, 2, *shape), np.nan)
    part = np.full((n, 2, *shape), np.nan)
    articulation = np.full((n, *shape), np.nan)
    box = np.full((n, 4, *shape), np.nan)
    stretch_start = np.zeros((n, *shape), dtype=bool)
    articulation_start = np.zeros((n, *shape), dtype=bool)
    uncompensated = np.zeros(shape, dtype=np.int64)
    for r in regions:
        at = (keypoints.index(r.key.part), individuals.index(r.key.individual))
        displacement[(slice(None), slice(None), *at)] = _indexed(r.samples, n, 2)
        part[(slice(None), slice(None), *at)] = _indexed(r.part_samples, n, 2)
        articulation[(slice(None), *at)] = _indexed(r.articulation, n, 1)[:, 0]
        for index, placed in r.boxes:
            box[(index, slice(None), *at)] = placed
        stretch_start[(r.breaks, *at)] = True
        articulation_start[(r.articulation_breaks, *at)] = True
        uncompensated[at] = r.uncompensated_frames
        position[(slice(None), slice(None), *at)] = _centres(
            displacement[(slice(None), slice(None), *at)], r.breaks, dict(r.boxes)
        )
    space4 = ("time", "space", "keypoints", "individuals")
    plane = ("time", "keypoints", "individuals")
    return MotionDataset(
        variables={
            "position": (space4, position),
            "displacement": (space4, displacement),
            "valid": (plane, np.isfinite(displacement[:, 0])),
            "stretch_start": (plane, stretch_start),
            "region_box": (("time", "box", "keypoints", "individuals"), box),
            "part_displacement": (space4, part),
            "articulation": (plane, articulation),
            "articulation_start": (plane, articulation_start),
            "uncompensated_frames": (("keypoints", "individuals"), uncompensated),
            "camera_shift": (("time", "space"), np.asarray(camera, float)),
            "camera_zoom": (("time",), np.asarray(camera_zoom, float)),
        },
        coords={
            "time": np.asarray(times, float),
            "space": np.array(["x", "y"]),
            "box": np.array(BOX_FIELDS),
            "keypoints": np.array(keypoints, dtype=str),
            "individuals": np.array(individuals, dtype=str),
        },
        attrs={
            "ds_type": "poses",
            "time_unit": "seconds",
            "position_unit": "pixels",
            "position_meaning": "centre of each body-part region: placement plus measured "
            "motion, camera motion removed",
            **(attrs or {}),
        },
    )


def region_track(tracks: MotionDataset, key: RegionKey) -> RegionTrack:
    """One region's series from a measurement dataset.

    Parameters
    ----------
    tracks : MotionDataset
        As :func:`measurement_dataset` lays it out.
    key : RegionKey
        The region.

    Returns
    -------
    RegionTrack

    Raises
    ------
    KeyError
        When the dataset holds no such region.

    """
    one = tracks.region(key)
    boxes_at = one["region_box"]
    placed = np.flatnonzero(np.isfinite(boxes_at[:, 0]))
    if not placed.size:  # in the grid (another person's part), never placed: not a region
        raise KeyError(key.name)
    return RegionTrack(
        key=key,
        displacement=one["displacement"],
        position=one["position"],
        breaks=np.flatnonzero(one["stretch_start"]).tolist(),
        boxes=[(int(i), tuple(int(v) for v in boxes_at[i])) for i in placed],  # type: ignore[misc]
        part_displacement=one["part_displacement"],
        articulation=one["articulation"][:, None],
        articulation_breaks=np.flatnonzero(one["articulation_start"]).tolist(),
        uncompensated_frames=int(one["uncompensated_frames"]),
    )


def _indexed(samples: Sequence[tuple], n: int, width: int) -> np.ndarray:
    """Samples ``(index, v1, ...)`` as an ``(n, width)`` array, NaN where none."""
    out = np.full((n, width), np.nan)
    if samples:
        arr = np.asarray(samples, dtype=float)
        out[arr[:, 0].astype(int)] = arr[:, 1:]
    return out


def _centres(displacement: np.ndarray, breaks: Sequence[int], boxes: dict[int, Box]) -> np.ndarray:
    """Region centre per frame: its placement at each stretch's start plus the motion since."""
    n = len(displacement)
    out = displacement.copy()
    starts = [*breaks, n]
    for a, b in itertools.pairwise(starts):
        box = boxes.get(a)
        if box is None:
            out[a:b] = np.nan
            continue
        out[a:b] += np.array([box[0] + box[2] / 2, box[1] + box[3] / 2])
    return out
