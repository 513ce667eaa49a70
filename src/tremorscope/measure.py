"""One streaming pass over a video: shots, people, body-part regions and their motion.

Wires the ``video``, ``locate`` and ``motion`` stages together and returns plain displacement
series for the ``signals``/``analysis`` stages. The video is read once, one frame at a time.

The pass works in reference chunks (4 s by default, and a new one at every shot cut). At the
start of a chunk the pose model finds the people, places each body-part region and picks the
points to follow; through the chunk every frame is measured against that first frame. Chunks are
stitched by carrying the displacement reached at the boundary, so a region's series is
continuous while its person stays in view; where it is not, the series is split.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from threadpoolctl import threadpool_limits

from tremorscope.locate.context import part_conditions
from tremorscope.locate.hands import (
    HandLandmarker,
    HandShape,
    hand_crop,
    hand_shape,
    region_from_landmarks,
)
from tremorscope.locate.people import PeopleTracker
from tremorscope.locate.pose import Box, PersonPose, PoseDetector
from tremorscope.locate.regions import part_regions, shoulder_width
from tremorscope.motion.articulation import articulation, part_offsets
from tremorscope.motion.camera import camera_shift
from tremorscope.motion.points import outside_boxes, select_background_points, select_points
from tremorscope.motion.tracking import FrameMotion, ReferenceTracker, warm_up
from tremorscope.video import (
    Frame,
    GrayImage,
    ShotCutDetector,
    VideoInfo,
    iter_frames,
    probe_video,
    read_ahead,
)

#: Points jumping by more than this share of their region's side between frames have slipped.
MAX_JUMP = 0.15
#: Frames decoded ahead of the tracker at most: enough for the pose model's calls on a chunk's
#: first frame (two or three of 60-100 ms) to finish before the tracker gets there ...
LOOKAHEAD_FRAMES = 64
#: ... within this many bytes (fewer frames for larger pictures: 53 at 1080p, 13 at 4K).
LOOKAHEAD_BYTES = 160 * 2**20
#: What a waiting frame holds per pixel: its decoded picture (4:2:0).
WAITING_BYTES_PER_PIXEL = 1.5
#: Key of the camera series.
CAMERA = ("camera",)
#: Hand landmarks are taken about this many times over a clip (one person's two hands a
#: sample; two people take turns) ...
HAND_SAMPLES_PER_CLIP = 40
#: ... at this many samples a second at most (short clips) and at least (long ones). The shape
#: of the hand (how wide its fingers open, how far they extend) is judged from how it is spread
#: over the clip, not from its rhythm, so a few samples a second suffice; the lite model takes
#: 5-11 ms a call, in the pose thread, which idles between chunk starts, but competes for the
#: two cores: at 4 a second it slowed a minute at 720p by about 15 %.
HAND_RATE_HZ = (1.0, 4.0)
#: Hands of at most this many people (the leftmost) get landmarks: each hand has a model of its
#: own, about 50 MB.
MAX_HAND_PEOPLE = 2
#: A hand's landmarks this recent (s) before a chunk starts may correct where its region goes.
RECENT_HAND_S = 0.5
#: Hand samples waiting for the pose thread at most: past it the decoding thread waits (each
#: holds its decoded frame).
MAX_PENDING_HANDS = 8
HANDS = ("left_hand", "right_hand")


@dataclass
class RegionSeries:
    """Displacement of one region through the video.

    Attributes
    ----------
    key : hashable
        ``("person", track_key, part)`` or ``("region", name)``.
    articulation : list of (int, float)
        Hands and given regions: frame index and how far parts of the region move against each
        other (first principal component of the points' own motion, px), per chunk.
    samples : list of (int, float, float)
        Frame index and displacement ``(dx, dy)`` in pixels, camera motion removed.
    breaks : list of int
        Frame indices where continuity with the frames before is lost.
    boxes : list of (float, Box)
        Time and box at each chunk start.

    """

    key: Hashable
    samples: list[tuple[int, float, float]] = field(default_factory=list)
    breaks: list[int] = field(default_factory=list)
    boxes: list[tuple[float, Box]] = field(default_factory=list)
    uncompensated_frames: int = 0
    articulation: list[tuple[int, float]] = field(default_factory=list)
    articulation_breaks: list[int] = field(default_factory=list)
    part_samples: list[tuple[int, float, float]] = field(default_factory=list)

    def values(self, n_frames: int) -> np.ndarray:
        """Displacements as an array ``(n_frames, 2)``, NaN where not measured."""
        out = np.full((n_frames, 2), np.nan)
        if self.samples:
            arr = np.asarray(self.samples, dtype=float)
            out[arr[:, 0].astype(int)] = arr[:, 1:]
        return out

    def positions(self, times: np.ndarray) -> np.ndarray:
        """Region centre per frame ``(n_frames, 2)``: placement at each stretch plus motion."""
        out = self.values(len(times))
        starts = [*self.breaks, len(times)]
        placed = dict(self.boxes)
        for a, b in itertools.pairwise(starts):
            box = placed.get(float(times[a]))
            if box is None:
                out[a:b] = np.nan
                continue
            out[a:b] += np.array([box[0] + box[2] / 2, box[1] + box[3] / 2])
        return out

    def part_values(self, n_frames: int) -> np.ndarray:
        """Displacement of the part of the region that moves most, ``(n_frames, 2)``, NaN elsewhere.

        Hands: where the points split into two parts that move against each other (the back
        of a trembling hand, the fingertips still), per chunk the part whose own displacement
        (the region's plus its offset) varies most; see
        :func:`tremorscope.motion.tracking.part_offsets`.
        """
        out = np.full((n_frames, 2), np.nan)
        if self.part_samples:
            arr = np.asarray(self.part_samples, dtype=float)
            out[arr[:, 0].astype(int)] = arr[:, 1:]
        return out

    def articulation_values(self, n_frames: int) -> np.ndarray:
        """Articulation (parts moving against each other) as ``(n_frames, 1)``, NaN elsewhere.

        Each reference chunk is its own piece (see ``articulation_breaks``): the sign of a
        principal component is arbitrary from one chunk to the next.
        """
        out = np.full((n_frames, 1), np.nan)
        if self.articulation:
            arr = np.asarray(self.articulation, dtype=float)
            out[arr[:, 0].astype(int), 0] = arr[:, 1]
        return out


@dataclass
class VideoMeasurement:
    """Everything the streaming pass measured.

    Attributes
    ----------
    info : VideoInfo
        Stream facts.
    times : ndarray, shape (n_frames,)
        Presentation time of every decoded frame, seconds.
    shot_starts : list of int
        Frame index where each shot starts (0 first).
    series : dict
        Region key to :class:`RegionSeries`.
    camera : ndarray, shape (n_frames, 2)
        Camera shift at the frame centre since each chunk's reference, stitched like regions.
    camera_zoom : ndarray, shape (n_frames,)
        Camera scale change since each chunk's reference (1 = none).
    people : dict
        Track key to the list of ``(time, box)`` detections.
    elapsed_s : float
        Wall-clock time of the pass.
    shoulder_px : dict
        Track key to the distance between the shoulders (px) at each detection that saw both.
    conditions : dict
        ``(track key, body part)`` to the condition read from the pose at each detection
        (see :func:`tremorscope.locate.context.part_conditions`).
    hands : dict
        ``(track key, "left_hand" | "right_hand")`` to the hand's shape from its landmarks,
        sampled 1-4 times a second (:func:`hand_rate_hz`; see :mod:`tremorscope.locate.hands`).
    picture_types : str
        How the encoder coded each frame, one letter a frame (``I``, ``P``, ``B``, ``?``).
    hand_calls, hand_seconds : int, float
        Calls of the hand model and the time they took (s, in the pose thread).
    hand_regions_moved : int
        Chunk starts where a hand's region was placed from its landmarks, the pose having put
        it beside the hand (:func:`tremorscope.locate.hands.region_from_landmarks`).

    """

    info: VideoInfo
    times: np.ndarray
    shot_starts: list[int]
    series: dict[Hashable, RegionSeries]
    camera: np.ndarray
    camera_zoom: np.ndarray
    people: dict[int, list[tuple[float, Box]]]
    elapsed_s: float
    camera_chunks: int = 0
    chunks: int = 0
    shoulder_px: dict[int, list[float]] = field(default_factory=dict)
    conditions: dict[tuple[int, str], list[tuple[str, str]]] = field(default_factory=dict)
    hands: dict[tuple[int, str], list[HandShape]] = field(default_factory=dict)
    picture_types: str = ""
    hand_calls: int = 0
    hand_seconds: float = 0.0
    hand_regions_moved: int = 0

    @property
    def n_frames(self) -> int:
        """Frames decoded."""
        return len(self.times)


@dataclass
class _Chunk:
    tracker: ReferenceTracker
    start_t: float
    boxes: dict[Hashable, Box]


@dataclass
class _Sighting:
    """What the pose thread found on a chunk's first frame."""

    people: list[PersonPose]
    #: Corners of the background: outside these people and the given regions.
    background: np.ndarray
    #: Order of the chunk start it was made for (hand samples name the person by it).
    serial: int = 0


@dataclass
class _Prepared:
    """What the decoding thread worked out for one frame ahead of the tracker."""

    image: GrayImage
    cut: bool
    #: On frames that start a chunk, what the pose thread finds (None elsewhere, or with no
    #: model).
    sighting: Future[_Sighting] | None


class _Lookahead:
    """Work done in the decoding thread, in frame order, ahead of the tracker.

    Shot cuts and, on the frames that will start a chunk, a request to the pose model. Which
    frames start a chunk follows from the times and the cuts alone (the first frame, a cut, or
    ``chunk_s`` after the last start), so it is known here. The pose model's calls (60-100 ms
    each, two or three per chunk) run in a thread of their own, overlapping the decoding and
    the tracking of the frames before; frames wait in the read-ahead queue meanwhile.
    """

    def __init__(
        self,
        detector: Future[PoseDetector] | None,
        chunk_s: float,
        pose_thread: Executor | None,
        manual: list[Box],
        hand_rate_hz: float = HAND_RATE_HZ[1],
    ) -> None:
        self.detector = detector
        self.hand_rate_hz = hand_rate_hz
        self.chunk_s = chunk_s
        self.pose_thread = pose_thread
        self.manual = manual
        self.shots = ShotCutDetector()
        self.start_t = -np.inf
        self.ready: dict[int, _Prepared] = {}
        #: The latest chunk start's request to the pose model.
        self._asked: Future[_Sighting] | None = None
        self._serial = 0
        self._hand_t = -np.inf
        self._hand_samples_asked = 0
        #: Hand samples waiting for the pose thread at most (each holds its decoded frame).
        self._hand_slots = threading.BoundedSemaphore(MAX_PENDING_HANDS)
        #: Hand models by (person's rank from the left, side), used in the pose thread only:
        #: each follows one hand from call to call (a model shared by two hands carries the
        #: place of one into the other's crop and bends its landmarks).
        self._hand_models: dict[tuple[int, str], HandLandmarker] = {}
        #: What the hand model found: (sighting serial, person's place in it, side, shape).
        self.hand_shapes: list[tuple[int, int, str, HandShape]] = []
        #: How the encoder coded each frame (``I``, ``P``, ``B``, ``?``), in order.
        self.picture_types: list[str] = []
        #: Calls of the hand model and the seconds they took (its cost, for the benchmarks).
        self.hand_calls = 0
        self.hand_seconds = 0.0

    def __call__(self, frame: Frame) -> None:
        image = frame.image
        self.picture_types.append(frame.picture_type)
        cut = self.shots.update(image)
        starts = frame.index == 0 or cut or frame.t - self.start_t >= self.chunk_s
        sighting = None
        if starts:
            self.start_t = frame.t
            if self.detector is not None and self.pose_thread is not None:
                sighting = self.pose_thread.submit(self._look, frame, self._serial)
                self._serial += 1
                self._asked = sighting
        elif self._asked is not None and frame.t - self._hand_t >= 1.0 / self.hand_rate_hz:
            self._hand_t = frame.t
            assert self.pose_thread is not None
            # Queued behind this chunk's request to the pose model, so it finds that answered;
            # the decoding thread waits rather than skip a sample, so that every run takes the
            # same samples however busy the machine is.
            self._hand_slots.acquire()
            self.pose_thread.submit(self._hands, frame, self._asked, self._hand_samples_asked)
            self._hand_samples_asked += 1
        self.ready[frame.index] = _Prepared(image, cut, sighting)

    def _look(self, frame: Frame, serial: int) -> _Sighting:
        """The people on a chunk's first frame, and the background's corners around them."""
        assert self.detector is not None
        people = self.detector.result().detect(frame.rgb())
        exclude = [p.box for p in people] + self.manual
        return _Sighting(people, select_background_points(frame.gray, exclude), serial)

    def _hands(self, frame: Frame, asked: Future[_Sighting], count: int) -> None:
        """Landmarks of the hands this chunk's sighting placed (in the pose thread).

        One person's two hands per sample: with two people in the picture they take turns
        (``count`` is the sample's number), so the model costs the same whoever is in view.
        """
        try:
            if asked.exception() is not None:
                return
            sighting = asked.result()
            shape = frame.luma.shape
            rgb = None
            order = sorted(range(len(sighting.people)), key=lambda i: sighting.people[i].box[0])
            order = order[:MAX_HAND_PEOPLE]
            turn = count % len(order) if order else 0
            for rank, place in enumerate(order):
                if rank != turn:
                    continue
                pose = sighting.people[place]
                regions = part_regions(pose, shape)
                for side in HANDS:
                    crop = hand_crop(regions[side], shape) if side in regions else None
                    if crop is None:
                        continue
                    if rgb is None:
                        rgb = frame.rgb()
                    x, y, w, h = crop
                    pixels = rgb[y : y + h, x : x + w]
                    self._hand(sighting.serial, place, rank, side, pixels, crop, frame.t)
        finally:
            self._hand_slots.release()

    def _hand(
        self,
        serial: int,
        place: int,
        rank: int,
        side: str,
        pixels: np.ndarray,
        crop: Box,
        t: float,
    ) -> None:
        """Landmarks of one hand crop, kept as its shape."""
        model = self._hand_models.get((rank, side))
        if model is None:
            model = self._hand_models[rank, side] = HandLandmarker()
        started = time.perf_counter()
        points = model.landmarks(pixels, crop)
        self.hand_seconds += time.perf_counter() - started
        self.hand_calls += 1
        shape = hand_shape(points, t) if points is not None else None
        if shape is not None:
            self.hand_shapes.append((serial, place, side, shape))

    def close_hands(self) -> None:
        """Release the hand models (after the pose thread has stopped)."""
        for model in self._hand_models.values():
            model.close()
        self._hand_models.clear()

    def take(self, index: int) -> _Prepared:
        """The work for frame ``index`` (once it has been handed over by the read-ahead)."""
        return self.ready.pop(index)


class _Pass:
    """State of the streaming pass (kept small: no frame outlives its chunk's reference)."""

    def __init__(
        self,
        info: VideoInfo,
        finds_people: bool,
        person: int | None,
        regions: list[tuple[str, Box]],
        chunk_s: float,
        helper: Executor | None = None,
    ) -> None:
        self.info = info
        self.finds_people = finds_people
        self.person = person
        self.manual = regions
        self.chunk_s = chunk_s
        #: A second thread for the tracker: OpenCV releases Python's lock while it works.
        self.helper = helper
        self.people = PeopleTracker()
        self.series: dict[Hashable, RegionSeries] = {}
        self.offsets: dict[Hashable, np.ndarray] = {}
        self.chunk: _Chunk | None = None
        self.times: list[float] = []
        self.shot_starts: list[int] = []
        self.camera: list[tuple[int, float, float, float]] = []
        self.camera_offset = np.zeros(2)
        self.camera_zoom_offset = 1.0
        self.chunks = 0
        self.camera_chunks = 0
        self.last_raw: dict[Hashable, np.ndarray] = {}
        self.residuals: dict[Hashable, list[tuple[int, np.ndarray]]] = {}
        self._all_people_boxes: list[tuple[int, Box]] = []
        self._missed_boxes: list[Box] = []
        self.shoulders: dict[int, list[float]] = {}
        self.conditions: dict[tuple[int, str], list[tuple[str, str]]] = {}
        #: (sighting serial, person's place in it) to the person's track key.
        self.track_at: dict[tuple[int, int], int] = {}
        #: The hand model's samples as the pose thread appends them (see :class:`_Lookahead`).
        self.hand_samples: list[tuple[int, int, str, HandShape]] = []
        self._hands_read = 0
        self._latest_hand: dict[tuple[int, str], HandShape] = {}
        #: Hand regions placed from the landmarks because the pose put them elsewhere.
        self.hand_regions_moved = 0

    def feed(self, index: int, t: float, ahead: _Prepared) -> None:
        self.times.append(t)
        image = ahead.image
        sighting = ahead.sighting.result() if ahead.sighting is not None else None
        if index == 0 or ahead.cut:
            self.shot_starts.append(index)
            if ahead.cut:
                self.people.cut()
            self._start_chunk(index, t, image, sighting, carry=False)
            return
        assert self.chunk is not None
        motion = self.chunk.tracker.track(image)
        self._record(index, motion)
        if t - self.chunk.start_t >= self.chunk_s:
            self._start_chunk(index, t, image, sighting, carry=True)

    def _record(self, index: int, motion: FrameMotion) -> None:
        for key, value in motion.regions.items():
            series = self.series[key]
            if np.all(np.isfinite(value)):
                total = self.offsets[key] + value
                series.samples.append((index, float(total[0]), float(total[1])))
            if not self.chunk.tracker.compensates:
                series.uncompensated_frames += 1
        self.last_raw = motion.raw
        for key, buffer in self.residuals.items():
            buffer.append((index, motion.residuals[key]))
        if motion.camera is not None:
            centre = (self.info.width / 2.0, self.info.height / 2.0)
            shift = camera_shift(motion.camera, centre) + self.camera_offset
            zoom = float(np.sqrt(abs(np.linalg.det(motion.camera[:, :2]))))
            self.camera.append((index, *shift, zoom * self.camera_zoom_offset))

    def _start_chunk(
        self,
        index: int,
        t: float,
        image: GrayImage,
        sighting: _Sighting | None,
        carry: bool,
    ) -> None:
        self._flush_articulation()
        gray = image.full()
        previous = self.chunk
        people = sighting.people if sighting is not None else None
        serial = sighting.serial if sighting is not None else None
        boxes, masks = self._place_regions(t, gray, people, previous if carry else None, serial)
        seeds = {}
        for key, box in boxes.items():
            points = select_points(gray, box, masks.get(key))
            if len(points) >= 4:
                seeds[key] = points
        if sighting is not None:  # chosen in the pose thread: people missed there left out here
            background = outside_boxes(sighting.background, self._missed_boxes)
        else:
            exclude = [b for _, b in self._all_people_boxes] + [b for _, b in self.manual]
            background = select_background_points(gray, exclude)
        hands = [key for key in seeds if _articulates(key)]
        tracker = ReferenceTracker(image, seeds, background, self.helper, articulating=hands)
        self.chunks += 1
        self.camera_chunks += int(tracker.compensates)
        continuing = {}
        for key in seeds:
            series = self.series.setdefault(key, RegionSeries(key))
            series.boxes.append((t, boxes[key]))
            last = series.samples[-1] if series.samples else None
            if carry and last is not None and last[0] == index:
                continuing[key] = np.array(last[1:])
            else:
                series.breaks.append(index)
                continuing[key] = np.zeros(2)
                series.samples.append((index, 0.0, 0.0))
        self.offsets = continuing
        self.residuals = {key: [] for key in seeds if _articulates(key)}
        if carry and self.camera and self.camera[-1][0] == index:
            self.camera_offset = np.array(self.camera[-1][1:3])
            self.camera_zoom_offset = self.camera[-1][3]
        else:
            self.camera_offset = np.zeros(2)
            self.camera_zoom_offset = 1.0
            self.camera.append((index, 0.0, 0.0, 1.0))
        self.chunk = _Chunk(tracker, t, boxes)

    def _place_regions(
        self,
        t: float,
        gray: np.ndarray,
        people: list[PersonPose] | None,
        previous: _Chunk | None,
        serial: int | None = None,
    ) -> tuple[dict[Hashable, Box], dict[Hashable, np.ndarray]]:
        boxes: dict[Hashable, Box] = {("region", name): box for name, box in self.manual}
        masks: dict[Hashable, np.ndarray] = {}
        self._all_people_boxes: list[tuple[int, Box]] = []
        self._missed_boxes: list[Box] = []
        if not self.finds_people:
            return boxes, masks
        pairs = self.people.update(t, people or [])
        for track, pose in pairs:
            if serial is not None:
                place = next(i for i, p in enumerate(people) if p is pose)
                self.track_at[serial, place] = track.key
            self._all_people_boxes.append((track.key, pose.box))
            width = shoulder_width(pose)
            if width is not None:
                self.shoulders.setdefault(track.key, []).append(width)
            for part, condition in part_conditions(pose).items():
                self.conditions.setdefault((track.key, part), []).append(condition)
            if self.person is not None and track.key + 1 != self.person:
                continue
            for part, box in part_regions(pose, gray.shape).items():
                key = ("person", track.key, part)
                boxes[key] = self._hand_where_seen(track.key, part, box, t, gray.shape)
                if pose.mask is not None:
                    masks[key] = pose.mask
        if previous is not None:  # people missed this time keep their regions, moved along
            found = {track.key for track, _ in pairs}
            for track in self.people.tracks:
                if not track.open or track.key in found:
                    continue
                for key, box in previous.boxes.items():
                    if key[0] == "person" and key[1] == track.key:
                        boxes[key] = _moved(box, self.last_raw.get(key), gray.shape)
                self._all_people_boxes.append((track.key, track.last_box))
                self._missed_boxes.append(track.last_box)
        return boxes, masks

    def _hand_where_seen(
        self, track: int, part: str, box: Box, t: float, shape: tuple[int, int]
    ) -> Box:
        """A hand's region, moved onto its landmarks where the pose put it beside the hand."""
        if part not in HANDS:
            return box
        for serial, place, side, hand in self.hand_samples[self._hands_read :]:
            key = self.track_at.get((serial, place))
            if key is not None:
                self._latest_hand[key, side] = hand
        self._hands_read = len(self.hand_samples)
        hand = self._latest_hand.get((track, part))
        if hand is None or not 0 <= t - hand.t <= RECENT_HAND_S:
            return box
        moved = region_from_landmarks(box, hand, shape)
        if moved is None:
            return box
        self.hand_regions_moved += 1
        return moved

    def _flush_articulation(self) -> None:
        for key, buffer in self.residuals.items():
            if len(buffer) < 3:
                continue
            box = self.series[key].boxes[-1][1]
            values = articulation(np.stack([r for _, r in buffer]), MAX_JUMP * min(box[2:]))
            if values is None:
                continue
            series = self.series[key]
            series.articulation_breaks.append(buffer[0][0])
            series.articulation.extend(
                (i, float(v)) for (i, _), v in zip(buffer, values, strict=True)
            )
            self._flush_part(series, buffer, MAX_JUMP * min(box[2:]))
        self.residuals = {}

    def _flush_part(
        self, series: RegionSeries, buffer: list[tuple[int, np.ndarray]], max_jump: float
    ) -> None:
        """Keep the displacement of the region's part that moves most over this chunk."""
        offsets = part_offsets(np.stack([r for _, r in buffer]), max_jump)
        if offsets is None:
            return
        measured = {int(i): (dx, dy) for i, dx, dy in series.samples[-len(buffer) - 1 :]}
        rows = [i for i, _ in buffer]
        whole = np.array([measured.get(i, (np.nan, np.nan)) for i in rows], dtype=float)
        parts = [whole + o for o in offsets]
        spread = [np.nanvar(p, axis=0).sum() if np.isfinite(p).any() else -1.0 for p in parts]
        chosen = parts[int(np.argmax(spread))]
        series.part_samples.extend(
            (i, float(dx), float(dy))
            for i, (dx, dy) in zip(rows, chosen, strict=True)
            if np.isfinite(dx) and np.isfinite(dy)
        )

    def hands_of(
        self, samples: list[tuple[int, int, str, HandShape]]
    ) -> dict[tuple[int, str], list[HandShape]]:
        """Hand shapes by (person's track key, side), in time order."""
        hands: dict[tuple[int, str], list[HandShape]] = {}
        for serial, place, side, shape in samples:
            key = self.track_at.get((serial, place))
            if key is not None and (self.person is None or key + 1 == self.person):
                hands.setdefault((key, side), []).append(shape)
        for shapes in hands.values():
            shapes.sort(key=lambda s: s.t)
        return hands

    def result(self, elapsed: float) -> VideoMeasurement:
        self._flush_articulation()
        n = len(self.times)
        camera = np.full((n, 2), np.nan)
        zoom = np.full(n, np.nan)
        if self.camera:
            arr = np.asarray(self.camera, dtype=float)
            idx = arr[:, 0].astype(int)
            camera[idx] = arr[:, 1:3]
            zoom[idx] = arr[:, 3]
        people = {tr.key: tr.boxes for tr in self.people.tracks}
        return VideoMeasurement(
            info=self.info,
            times=np.asarray(self.times),
            shot_starts=self.shot_starts,
            series=self.series,
            camera=camera,
            camera_zoom=zoom,
            people=people,
            elapsed_s=elapsed,
            camera_chunks=self.camera_chunks,
            chunks=self.chunks,
            shoulder_px=self.shoulders,
            conditions=self.conditions,
        )


def _articulates(key: Hashable) -> bool:
    """Regions whose parts may move against each other in a meaningful way: hands, given ones."""
    return key[0] == "region" or key[-1] in ("left_hand", "right_hand")


def _moved(box: Box, shift: np.ndarray | None, shape: tuple[int, int]) -> Box:
    if shift is None or not np.all(np.isfinite(shift)):
        return box
    x, y, w, h = box
    height, width = shape
    nx = int(np.clip(round(x + shift[0]), 0, width - w))
    ny = int(np.clip(round(y + shift[1]), 0, height - h))
    return nx, ny, w, h


def measure_video(
    path: str | Path,
    *,
    people: bool = True,
    person: int | None = None,
    regions: list[tuple[str, Box]] | None = None,
    chunk_s: float = 4.0,
    max_people: int = 4,
    progress: Callable[[int], None] | None = None,
) -> VideoMeasurement:
    """Measure the motion of every person's body parts (and given regions) in a video.

    Parameters
    ----------
    path : str or Path
        The video file.
    people : bool
        Find people with the pose model (off: only ``regions`` are measured).
    person : int, optional
        Measure only this person's body parts (ids as reported: 1, 2, ... in order of first
        appearance, left to right).
    regions : list of (str, box), optional
        Named regions ``(x, y, w, h)`` in displayed-frame pixels, measured as given.
    chunk_s : float
        Reference chunk length in seconds.
    max_people : int
        Most people sought in one frame.
    progress : callable, optional
        Called with the number of frames done so far.

    Returns
    -------
    VideoMeasurement

    Raises
    ------
    InputError
        When the file is not a readable video.

    """
    info = probe_video(path)
    regions = [(name, _clip_box(box, info)) for name, box in (regions or [])]
    started = time.perf_counter()
    # The pose model starts in its own thread (about a second) while decoding begins.
    pose_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tremorscope-pose")
    detector = pose_thread.submit(PoseDetector, max_people=max_people) if people else None
    # Three threads share the two cores: decoding (one FFmpeg thread: frame threads cost a third
    # more CPU per frame), and the tracker's two (this one and a helper). OpenCV's own pool would
    # split every small call in two and spin waiting, so it is turned off meanwhile; so is
    # OpenBLAS's, whose idle workers spun for 0.8 ms of CPU a frame.
    opencv_threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    blas = threadpool_limits(limits=1, user_api="blas")
    helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tremorscope-track")
    helper.submit(warm_up)  # while the pose model starts (the first frame waits for both)
    state = _Pass(info, detector is not None, person, regions, chunk_s, helper)
    # Shot cuts are found in the decoding thread, ahead, and the pose model is asked there for
    # the people on each chunk's first frame: enough frames wait to cover its calls.
    ahead = _Lookahead(
        detector, chunk_s, pose_thread, [box for _, box in regions], hand_rate_hz(info.duration_s)
    )
    state.hand_samples = ahead.hand_shapes  # the same list: read as the pose thread fills it
    frames = read_ahead(iter_frames(path, info, threads=1), _lookahead_depth(info), ahead)
    try:
        for frame in frames:
            state.feed(frame.index, frame.t, ahead.take(frame.index))
            if progress is not None:
                progress(frame.index + 1)
        pose_thread.shutdown(wait=True)  # the last hand samples, so every run has them all
    finally:
        frames.close()  # stops the decoding thread (no more pose requests)
        pose_thread.shutdown(cancel_futures=True)  # before the model closes
        ahead.close_hands()
        helper.shutdown()
        cv2.setNumThreads(opencv_threads)
        blas.restore_original_limits()
        if detector is not None and detector.done() and detector.exception() is None:
            detector.result().close()
    result = state.result(time.perf_counter() - started)
    result.hands = state.hands_of(ahead.hand_shapes)
    result.picture_types = "".join(ahead.picture_types)
    result.hand_calls, result.hand_seconds = ahead.hand_calls, ahead.hand_seconds
    result.hand_regions_moved = state.hand_regions_moved
    return result


def hand_rate_hz(duration_s: float) -> float:
    """Hand samples a second for a clip of ``duration_s`` seconds.

    :data:`HAND_SAMPLES_PER_CLIP` over the clip, within :data:`HAND_RATE_HZ`: 4 a second for
    clips up to 10 s, 1 a second past 40 s.
    """
    if not duration_s > 0:
        return HAND_RATE_HZ[1]
    return float(np.clip(HAND_SAMPLES_PER_CLIP / duration_s, *HAND_RATE_HZ))


def _lookahead_depth(info: VideoInfo) -> int:
    """Frames to decode ahead: :data:`LOOKAHEAD_FRAMES` within :data:`LOOKAHEAD_BYTES`."""
    frame_bytes = WAITING_BYTES_PER_PIXEL * max(info.width * info.height, 1)
    return int(np.clip(LOOKAHEAD_BYTES // frame_bytes, 4, LOOKAHEAD_FRAMES))


def _clip_box(box: Box, info: VideoInfo) -> Box:
    x, y, w, h = (int(v) for v in box)
    x = min(max(x, 0), info.width - 1)
    y = min(max(y, 0), info.height - 1)
    return x, y, max(1, min(w, info.width - x)), max(1, min(h, info.height - y))
