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

import time
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from threadpoolctl import threadpool_limits

from tremorscope.config import VideoConfig
from tremorscope.locate.context import part_conditions
from tremorscope.locate.credibility import HAND_OVER_HEAD, head_extent
from tremorscope.locate.hands import (
    HANDS,
    FoundHand,
    HandShape,
    region_from_landmarks,
)
from tremorscope.locate.people import PeopleTracker
from tremorscope.locate.pose import Box, PersonPose, PoseDetector
from tremorscope.locate.regions import (
    body_scale,
    clip_to_picture,
    part_regions,
    shoulder_width,
    torso_centre,
)
from tremorscope.locate.world_scale import ScaleSample, scale_sample
from tremorscope.lookahead import Lookahead, Prepared, Sighting
from tremorscope.measurement import RegionSamples, VideoMeasurement, measurement_dataset
from tremorscope.motion.articulation import articulation, part_offsets
from tremorscope.motion.camera import camera_shift
from tremorscope.motion.points import (
    BACKGROUND_REACH_PX,
    REGION_REACH_PX,
    inset_picture,
    inside_box,
    outside_boxes,
    select_background_points,
    select_points,
)
from tremorscope.motion.tracking import FrameMotion, ReferenceTracker, warm_up
from tremorscope.results import RegionKey
from tremorscope.video import (
    GrayImage,
    VideoInfo,
    iter_frames,
    probe_video,
    read_ahead,
)
from tremorscope.video.overlays import overlays_note
from tremorscope.video.picture import survey_picture

#: Points jumping by more than this share of their region's side between frames have slipped.
MAX_JUMP = 0.15
#: Frames decoded ahead of the tracker at most: enough for the pose model's calls on a chunk's
#: first frame (two or three of 60-100 ms) to finish before the tracker gets there ...
LOOKAHEAD_FRAMES = 64
#: ... within this many bytes (fewer frames for larger pictures: 53 at 1080p, 13 at 4K).
LOOKAHEAD_BYTES = 160 * 2**20
#: What a waiting frame holds per pixel: its decoded picture (4:2:0).
WAITING_BYTES_PER_PIXEL = 1.5
#: A hand's landmarks this recent (s) before a chunk starts may correct where its region goes.
RECENT_HAND_S = 0.5
#: A person found by an early look whose box centre moved more than this share of its diagonal
#: since their regions were placed gets them placed again.
MOVED_AWAY = 0.15



@dataclass
class _Chunk:
    tracker: ReferenceTracker
    start_t: float
    boxes: dict[RegionKey, Box]


class _Pass:
    """State of the streaming pass (kept small: no frame outlives its chunk's reference)."""

    def __init__(
        self,
        info: VideoInfo,
        finds_people: bool,
        person: int | None,
        regions: list[tuple[str, Box]],
        config: VideoConfig,
        helper: Executor | None = None,
    ) -> None:
        self.info = info
        self.finds_people = finds_people
        self.person = person
        self.manual = regions
        self.config = config
        self.chunk_s = config.chunk_s
        #: A second thread for the tracker: OpenCV releases Python's lock while it works.
        self.helper = helper
        self.people = PeopleTracker(frame_width=float(info.width))
        self.series: dict[RegionKey, RegionSamples] = {}
        self.offsets: dict[RegionKey, np.ndarray] = {}
        self.chunk: _Chunk | None = None
        self.times: list[float] = []
        self.shot_starts: list[int] = []
        #: Gradual transitions: first and last frame index of each (nothing measured there).
        self.transitions: list[list[int]] = []
        self.camera: list[tuple[int, float, float, float]] = []
        self.camera_offset = np.zeros(2)
        self.camera_zoom_offset = 1.0
        self.chunks = 0
        self.camera_chunks = 0
        self.last_raw: dict[RegionKey, np.ndarray] = {}
        self.residuals: dict[RegionKey, list[tuple[int, np.ndarray]]] = {}
        self._all_people_boxes: list[tuple[int, Box]] = []
        self._missed_boxes: list[Box] = []
        self.shoulders: dict[int, list[float]] = {}
        #: Person id to (time, torso centre x, y, body scale) at each detection (px).
        self.torsos: dict[int, list[tuple[float, float, float, float]]] = {}
        self.scale_samples: dict[int, list[ScaleSample]] = {}
        self.conditions: dict[tuple[int, str], list[tuple[str, str]]] = {}
        # people by their id (1-based) from here on
        #: (sighting serial, person's place in it) to the person's id.
        self.track_at: dict[tuple[int, int], int] = {}
        #: The hand model's samples as the pose thread appends them (see :class:`Lookahead`).
        self.hand_samples: list[tuple[int, int, str, HandShape]] = []
        self._hands_read = 0
        self._latest_hand: dict[tuple[int, str], HandShape] = {}
        #: Hand regions placed from the landmarks because the pose put them elsewhere.
        self.hand_regions_moved = 0
        #: People seen only as a hand (see :attr:`Sighting.hands`).
        self.hands_alone: set[int] = set()
        #: Palm length (px) of each person seen only as a hand, when last found.
        self._palm_alone: dict[int, float] = {}
        #: Places of static overlays found on the tracks (see :class:`CameraFit`), as boxes
        #: left out of every later chunk's points, and the grid cells they were made from.
        self.learned_overlays: list[Box] = []
        self._overlay_cells: set[tuple[int, int]] = set()

    def feed(self, index: int, t: float, ahead: Prepared) -> None:
        self.times.append(t)
        image = ahead.image
        sighting = ahead.sighting.result() if ahead.sighting is not None else None
        if ahead.in_transition:
            self._in_transition(index, ahead.transition_began)
            return
        if index == 0 or ahead.cut:
            self.shot_starts.append(index)
            if ahead.cut:
                self.people.cut()
            self._start_chunk(index, t, image, sighting, ahead.overlays, carry=False)
            return
        assert self.chunk is not None
        motion = self.chunk.tracker.track(image)
        self._record(index, motion)
        if ahead.starts and (not ahead.early or self.worth_a_chunk(t, sighting)):
            self._start_chunk(index, t, image, sighting, ahead.overlays, carry=True)

    def worth_a_chunk(self, t: float, sighting: Sighting | None) -> bool:
        """Whether an early look found someone new, or someone gone from where they were.

        Otherwise (the scenery changed: a window, a screen) the chunk goes on: a new one would
        place the same regions again and risk a break in their series.
        """
        if sighting is None:
            return False
        open_tracks = [tr for tr in self.people.tracks if tr.open]
        for pose in [*sighting.people, *sighting.hands]:
            costs = [self.people.cost(tr, pose, t) for tr in open_tracks]
            if not costs or not np.isfinite(min(costs)):
                return True  # someone new
            track = open_tracks[int(np.argmin(costs))]
            box = track.last_box
            diagonal = float(np.hypot(box[2], box[3])) or 1.0
            shift = np.hypot(
                pose.box[0] + pose.box[2] / 2 - box[0] - box[2] / 2,
                pose.box[1] + pose.box[3] / 2 - box[1] - box[3] / 2,
            )
            if shift / diagonal > MOVED_AWAY:
                return True
        return False

    def _in_transition(self, index: int, began: int) -> None:
        """A frame of a gradual transition: nothing measured, and people not followed through.

        On the transition's first frame, what was measured since it began (``began`` frames
        ago) is dropped: those frames were already part of the blend.
        """
        if self.transitions and self.transitions[-1][1] == index - 1:
            self.transitions[-1][1] = index
            return
        first = max(index - began, 1)
        self.transitions.append([first, index])
        self.people.cut()
        for pid in self.people.forget_since(self.times[first]):  # found in the blend: not real
            for key in [k for k in self.series if k.owner == "person" and k.person == pid]:
                del self.series[key]
            for table in (self.shoulders, self.torsos, self.scale_samples):
                table.pop(pid, None)
            for key in [k for k in self.conditions if k[0] == pid]:
                del self.conditions[key]
            self.track_at = {k: v for k, v in self.track_at.items() if v != pid}
        since = self.times[first]
        self.torsos = {p: [e for e in v if e[0] < since] for p, v in self.torsos.items()}
        for series in self.series.values():
            while series.samples and series.samples[-1][0] >= first:
                series.samples.pop()
            while series.part_samples and series.part_samples[-1][0] >= first:
                series.part_samples.pop()
        self.residuals = {
            key: [r for r in buffer if r[0] < first]
            for key, buffer in self.residuals.items()
            if key in self.series
        }
        self.camera = [c for c in self.camera if c[0] < first]

    def _record(self, index: int, motion: FrameMotion) -> None:
        for key, value in motion.regions.items():
            series = self.series.get(key)
            if series is None:  # its person was found in a blend and forgotten
                continue
            if np.all(np.isfinite(value)):
                total = self.offsets[key] + value
                series.samples.append((index, float(total[0]), float(total[1])))
            if not self.chunk.tracker.compensates:
                series.uncompensated_frames += 1
        self.last_raw = motion.raw
        for key, buffer in self.residuals.items():
            buffer.append((index, motion.residuals[key]))
        if motion.camera is not None:
            x, y, w, h = self.info.picture
            centre = (x + w / 2.0, y + h / 2.0)
            shift = camera_shift(motion.camera, centre) + self.camera_offset
            zoom = float(np.sqrt(abs(np.linalg.det(motion.camera[:, :2]))))
            self.camera.append((index, *shift, zoom * self.camera_zoom_offset))

    def _start_chunk(
        self,
        index: int,
        t: float,
        image: GrayImage,
        sighting: Sighting | None,
        overlays: tuple[Box, ...],
        carry: bool,
    ) -> None:
        self._flush_articulation()
        gray = image.full()
        previous = self.chunk
        if previous is not None:
            self._learn_overlays(previous.tracker.overlay_points)
        people = sighting.people if sighting is not None else None
        serial = sighting.serial if sighting is not None else None
        hands = sighting.hands if sighting is not None else []
        boxes, masks = self._place_regions(
            t, gray, people, previous if carry else None, serial, hands
        )
        overlays = (*overlays, *self.learned_overlays)
        clear = inset_picture(self.info.picture_box, gray.shape, REGION_REACH_PX)
        seeds = {}
        for key, box in boxes.items():
            points = select_points(gray, box, masks.get(key), self.config.region_points)
            points = outside_boxes(inside_box(points, clear), list(overlays))
            if len(points) >= 4:
                seeds[key] = points
        if sighting is not None and not self.learned_overlays:
            # chosen in the pose thread: people missed there left out here
            background = outside_boxes(sighting.background, self._missed_boxes)
        else:  # chosen here, where the overlays found so far are known
            exclude = [b for _, b in self._all_people_boxes] + [b for _, b in self.manual]
            background = select_background_points(
                gray, exclude + list(overlays), self.config.background_points, self.info.picture_box
            )
        hands = [key for key in seeds if _articulates(key)]
        tracker = ReferenceTracker(image, seeds, background, self.helper, articulating=hands)
        self.chunks += 1
        self.camera_chunks += int(tracker.compensates)
        continuing = {}
        for key in seeds:
            series = self.series.setdefault(key, RegionSamples(key))
            series.boxes.append((index, boxes[key]))
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
        hands: list[FoundHand] | None = None,
    ) -> tuple[dict[RegionKey, Box], dict[RegionKey, np.ndarray]]:
        boxes: dict[RegionKey, Box] = {RegionKey.given(name): box for name, box in self.manual}
        masks: dict[RegionKey, np.ndarray] = {}
        self._all_people_boxes: list[tuple[int, Box]] = []
        self._missed_boxes: list[Box] = []
        if not self.finds_people:
            return boxes, masks
        picture = self.info.picture_box
        # a hand where a person missed this time was (their own hand) is not a hand alone
        tracks = self.people.tracks
        followed = [tr.last_box for tr in tracks if tr.open and tr.person not in self.hands_alone]
        people, hands = people or [], hands or []
        alone = [h for h in hands if not any(_holds(box, h.centre) for box in followed)]
        kept = self._not_smaller_than_a_hand(people)
        pairs = self.people.update(t, [*kept, *alone])
        for track, pose in pairs:
            pid = track.person
            if isinstance(pose, FoundHand):  # a hand alone: its region, nothing else
                if serial is not None:  # its landmark samples name it by its place
                    place = len(people) + next(i for i, h in enumerate(hands) if h is pose)
                    self.track_at[serial, place] = pid
                self._all_people_boxes.append((pid, pose.box))
                self.hands_alone.add(pid)
                self._palm_alone[pid] = pose.palm_px
                box = clip_to_picture(pose.box, picture)
                if box is not None and (self.person is None or pid == self.person):
                    boxes[RegionKey.body_part(pid, pose.part)] = box
                continue
            if serial is not None:
                place = next(i for i, p in enumerate(people) if p is pose)
                self.track_at[serial, place] = pid
            self._all_people_boxes.append((pid, pose.box))
            centre, size = torso_centre(pose), body_scale(pose)
            if centre is not None and size is not None:
                self.torsos.setdefault(pid, []).append((t, *map(float, centre), size))
            width = shoulder_width(pose)
            if width is not None:
                self.shoulders.setdefault(pid, []).append(width)
            self.scale_samples.setdefault(pid, []).append(scale_sample(pose, t, gray.shape))
            for part, condition in part_conditions(pose).items():
                self.conditions.setdefault((pid, part), []).append(condition)
            if self.person is not None and pid != self.person:
                continue
            for part, box in part_regions(pose, gray.shape).items():
                key = RegionKey.body_part(pid, part)
                box = clip_to_picture(self._hand_where_seen(pid, part, box, t, gray.shape), picture)
                if box is None:
                    continue
                boxes[key] = box
                if pose.mask is not None:
                    masks[key] = pose.mask
        if previous is not None:  # people missed this time keep their regions, moved along
            found = {track.key for track, _ in pairs}
            for track in self.people.tracks:
                if not track.open or track.key in found:
                    continue
                for key, box in previous.boxes.items():
                    if key.owner == "person" and key.person == track.person:
                        moved = clip_to_picture(
                            _moved(box, self.last_raw.get(key), gray.shape), picture
                        )
                        if moved is not None:
                            boxes[key] = moved
                self._all_people_boxes.append((track.person, track.last_box))
                self._missed_boxes.append(track.last_box)
        return boxes, masks

    def _not_smaller_than_a_hand(self, people: list[PersonPose]) -> list[PersonPose]:
        """The people whose head is not smaller than a hand alone still followed in this shot.

        A hand close up fills the view; a pose found on it while the hand is still followed
        (no cut, not missed for long: the pose model's body on two fingers) has a head smaller
        than that hand's palm (:data:`~tremorscope.locate.credibility.HAND_OVER_HEAD`): no
        person.
        """
        palms = [
            self._palm_alone[tr.person]
            for tr in self.people.tracks
            if tr.open and tr.person in self._palm_alone
        ]
        if not palms:
            return people
        return [p for p in people if HAND_OVER_HEAD * head_extent(p) >= max(palms)]

    def _learn_overlays(self, points: np.ndarray) -> None:
        """Remember where a chunk's tracks found a static overlay (grid cells around points)."""
        side = BACKGROUND_REACH_PX
        for x, y in points:
            cell = (int(x // side), int(y // side))
            if cell not in self._overlay_cells:
                self._overlay_cells.add(cell)
                self.learned_overlays.append((cell[0] * side, cell[1] * side, side, side))

    def _hand_where_seen(
        self, pid: int, part: str, box: Box, t: float, shape: tuple[int, int]
    ) -> Box:
        """A hand's region, moved onto its landmarks where the pose put it beside the hand."""
        if part not in HANDS:
            return box
        # Only samples of frames before this chunk's start: they are all in (the pose thread
        # took them before this chunk's sighting), while later ones may or may not be yet.
        samples = self.hand_samples
        while self._hands_read < len(samples) and samples[self._hands_read][3].t < t:
            serial, place, side, hand = samples[self._hands_read]
            key = self.track_at.get((serial, place))
            if key is not None:
                self._latest_hand[key, side] = hand
            self._hands_read += 1
        hand = self._latest_hand.get((pid, part))
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
        self, series: RegionSamples, buffer: list[tuple[int, np.ndarray]], max_jump: float
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
        """Hand shapes by (person id, side), in time order."""
        hands: dict[tuple[int, str], list[HandShape]] = {}
        for serial, place, side, shape in samples:
            key = self.track_at.get((serial, place))
            if key is not None and (self.person is None or key == self.person):
                hands.setdefault((key, side), []).append(shape)
        for shapes in hands.values():
            shapes.sort(key=lambda s: s.t)
        return hands

    def result(self, elapsed: float) -> VideoMeasurement:
        self._flush_articulation()
        if self.chunk is not None:
            self._learn_overlays(self.chunk.tracker.overlay_points)
        if self.hands_alone:
            self.info.notes.append(
                "a hand was found on its own, with nothing else of its person in view: it is "
                "measured as a hand (left or right is the hand model's guess; a mirrored "
                "selfie video swaps them)"
            )
        if self.learned_overlays:
            self.info.notes.append(
                f"static overlay found on the background's tracks ({len(self.learned_overlays)} "
                f"places of {BACKGROUND_REACH_PX} px) while the camera moved: left out of the "
                "camera's background from then on"
            )
        n = len(self.times)
        camera = np.full((n, 2), np.nan)
        zoom = np.full(n, np.nan)
        if self.camera:
            arr = np.asarray(self.camera, dtype=float)
            idx = arr[:, 0].astype(int)
            camera[idx] = arr[:, 1:3]
            zoom[idx] = arr[:, 3]
        people: dict[int, list[tuple[float, Box]]] = {}
        for track in self.people.tracks:
            people.setdefault(track.person, []).extend(track.boxes)
        for boxes in people.values():
            boxes.sort(key=lambda tb: tb[0])
        tracks = measurement_dataset(
            np.asarray(self.times, dtype=float),
            list(self.series.values()),
            camera,
            zoom,
            {"source_file": str(self.info.path), "fps": float(self.info.fps)},
        )
        return VideoMeasurement(
            info=self.info,
            tracks=tracks,
            keys=list(self.series),
            shot_starts=self.shot_starts,
            transitions=[(a, b) for a, b in self.transitions],
            people=people,
            elapsed_s=elapsed,
            camera_chunks=self.camera_chunks,
            chunks=self.chunks,
            shoulder_px=self.shoulders,
            scale_samples=self.scale_samples,
            conditions=self.conditions,
            torsos=self.torsos,
            hands_alone=set(self.hands_alone),
            identity_uncertain={
                p: list(idt.uncertain_of)
                for p, idt in self.people.identities.items()
                if idt.uncertain_of
            },
        )


def _articulates(key: RegionKey) -> bool:
    """Regions whose parts may move against each other in a meaningful way: hands, given ones."""
    return key.owner == "region" or key.is_hand


def _holds(box: Box, point: tuple[float, float]) -> bool:
    """Whether ``point`` (x, y) lies in ``box``."""
    x, y, w, h = box
    return x <= point[0] <= x + w and y <= point[1] <= y + h


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
    config: VideoConfig | None = None,
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
    config : VideoConfig, optional
        Settings of the pass (chunk length, people sought, points followed, hand samples).
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
    config = config or VideoConfig()
    info = probe_video(path)
    regions = [(name, _clip_box(box, info)) for name, box in (regions or [])]
    started = time.perf_counter()
    # The pose model starts in its own thread (about a second) while decoding begins.
    pose_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tremorscope-pose")
    detector = pose_thread.submit(_pose_model, config.max_people) if people else None
    # Three threads share the two cores: decoding (one FFmpeg thread: frame threads cost a third
    # more CPU per frame), and the tracker's two (this one and a helper). OpenCV's own pool would
    # split every small call in two and spin waiting, so it is turned off meanwhile; so is
    # OpenBLAS's, whose idle workers spun for 0.8 ms of CPU a frame.
    opencv_threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    blas = threadpool_limits(limits=1, user_api="blas")
    helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tremorscope-track")
    helper.submit(warm_up)  # while the pose model starts (the first frame waits for both)
    state = _Pass(info, detector is not None, person, regions, config, helper)
    # Shot cuts are found in the decoding thread, ahead, and the pose model is asked there for
    # the people on each chunk's first frame: enough frames wait to cover its calls.
    ahead = Lookahead(
        detector,
        config.chunk_s,
        pose_thread,
        [box for _, box in regions],
        hand_rate_hz(info.duration_s, config),
        config,
        info,
    )
    state.hand_samples = ahead.hand_shapes  # the same list: read as the pose thread fills it
    depth = _lookahead_depth(info)
    # Bars and overlays are looked for on the first frames before the first is handed on.
    decoded = survey_picture(iter_frames(path, info, threads=1), info, config, depth)
    frames = read_ahead(decoded, depth, ahead)
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
            _release_pose_model(detector.result(), config.max_people)
    if ahead.overlays_later:
        first = ahead.overlays_later[0][0]
        info.notes.append(
            overlays_note([box for _, box in ahead.overlays_later]) + f" (from {first:.1f} s)"
        )
    result = state.result(time.perf_counter() - started)
    result.hands = state.hands_of(ahead.hand_shapes)
    result.picture_types = "".join(ahead.picture_types)
    result.hand_calls, result.hand_seconds = ahead.hand_calls, ahead.hand_seconds
    result.hand_regions_moved = state.hand_regions_moved
    return result


#: Pose models kept for the next video, by the people they seek, once :func:`keep_pose_models`
#: was called (a batch worker analysing file after file); None: each video starts its own.
_KEPT_POSE_MODELS: dict[int, PoseDetector] | None = None


def keep_pose_models() -> None:
    """Keep the pose model between videos in this process (it takes about 1.2 s to start).

    The pose model runs on single images (``static_image_mode``), so a kept one finds the same
    people as a new one: only its start-up is saved. Meant for worker processes that analyse
    many files one after the other (see :mod:`tremorscope.batch`).
    """
    global _KEPT_POSE_MODELS
    if _KEPT_POSE_MODELS is None:
        _KEPT_POSE_MODELS = {}


def _pose_model(max_people: int) -> PoseDetector:
    kept = _KEPT_POSE_MODELS.pop(max_people, None) if _KEPT_POSE_MODELS is not None else None
    return kept or PoseDetector(max_people=max_people)


def _release_pose_model(detector: PoseDetector, max_people: int) -> None:
    if _KEPT_POSE_MODELS is not None and max_people not in _KEPT_POSE_MODELS:
        _KEPT_POSE_MODELS[max_people] = detector
    else:
        detector.close()


def hand_rate_hz(duration_s: float, config: VideoConfig | None = None) -> float:
    """Hand samples a second for a clip of ``duration_s`` seconds.

    ``config.hand_samples_per_clip`` over the clip, within ``config.hand_rate_min_hz`` and
    ``hand_rate_max_hz``: with the defaults 4 a second for clips up to 10 s, 1 a second past
    40 s.
    """
    config = config or VideoConfig()
    lowest, highest = config.hand_rate_min_hz, config.hand_rate_max_hz
    if not duration_s > 0:
        return highest
    return float(np.clip(config.hand_samples_per_clip / duration_s, lowest, highest))


def _lookahead_depth(info: VideoInfo) -> int:
    """Frames to decode ahead: :data:`LOOKAHEAD_FRAMES` within :data:`LOOKAHEAD_BYTES`."""
    frame_bytes = WAITING_BYTES_PER_PIXEL * max(info.width * info.height, 1)
    return int(np.clip(LOOKAHEAD_BYTES // frame_bytes, 4, LOOKAHEAD_FRAMES))


def _clip_box(box: Box, info: VideoInfo) -> Box:
    x, y, w, h = (int(v) for v in box)
    x = min(max(x, 0), info.width - 1)
    y = min(max(y, 0), info.height - 1)
    return x, y, max(1, min(w, info.width - x)), max(1, min(h, info.height - y))
