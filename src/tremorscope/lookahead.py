"""Work done in the decoding thread, in frame order, ahead of the tracker.

Shot cuts, static overlays, and on the frames that will start a chunk a request to the pose
model (in a thread of its own), with the hand samples between: what the tracker of
:func:`tremorscope.measure.measure_video` finds ready when a frame reaches it
(:class:`Prepared`).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field

import numpy as np

from tremorscope.config import VideoConfig
from tremorscope.locate.appearance import describe
from tremorscope.locate.hands import (
    HANDS,
    FoundHand,
    HandLandmarker,
    HandShape,
    find_hands,
    hand_crop,
    hand_shape,
)
from tremorscope.locate.pose import Box, PersonPose, PoseDetector
from tremorscope.locate.regions import part_regions
from tremorscope.motion.points import select_background_points
from tremorscope.video import Frame, GrayImage, ShotCutDetector, VideoInfo
from tremorscope.video.overlays import static_overlays
from tremorscope.video.shots import changed_share, thumbnail_mask, view_held_still

# Hand landmarks (VideoConfig.hand_samples_per_clip, hand_rate_min_hz, hand_rate_max_hz): the
# shape of the hand (how wide its fingers open, how far they extend) is judged from how it is
# spread over the clip, not from its rhythm, so a few samples a second suffice; the lite model
# takes 5-11 ms a call, in the pose thread, which idles between chunk starts, but competes for
# the two cores: at 4 a second it slowed a minute at 720p by about 15 %. Each hand has a model
# of its own, about 50 MB (VideoConfig.max_hand_people).
#: Hand samples waiting for the pose thread at most: past it the decoding thread waits (each
#: holds its decoded frame).
MAX_PENDING_HANDS = 8
#: A changed picture is checked against the camera's own move at most this often (s).
CAMERA_CHECK_S = 0.2


@dataclass
class Sighting:
    """What the pose thread found on a chunk's first frame."""

    people: list[PersonPose]
    #: Corners of the background: outside these people and the given regions.
    background: np.ndarray
    #: Order of the chunk start it was made for (hand samples name the person by it).
    serial: int = 0
    #: Hands the hand model found on their own where the pose model found nobody (a hand
    #: filmed close up): each is measured as a hand, and nothing else of its person.
    hands: list[FoundHand] = field(default_factory=list)

    def boxes(self) -> list[Box]:
        """Where the people and the hands alone are."""
        return [p.box for p in self.people] + [h.box for h in self.hands]


@dataclass
class Prepared:
    """What the decoding thread worked out for one frame ahead of the tracker."""

    image: GrayImage
    cut: bool
    #: A chunk starts on this frame (or, when ``early``, may: the tracker decides, as it knows
    #: whom it follows).
    starts: bool
    #: The frame lies in a gradual transition (nothing measured); on its first frame, how many
    #: frames before the transition began (see :class:`tremorscope.video.shots.PictureChange`).
    in_transition: bool
    transition_began: int
    #: On frames that start a chunk, what the pose thread finds (None elsewhere, or with no
    #: model).
    sighting: Future[Sighting] | None
    #: On frames that start a chunk, the static overlays known by then (empty elsewhere).
    overlays: tuple[Box, ...] = ()
    #: An early look (the picture changed): a chunk starts only if it found someone new or
    #: someone who moved.
    early: bool = False


class Lookahead:
    """Work done in the decoding thread, in frame order, ahead of the tracker.

    Shot cuts and, on the frames that will start a chunk, a request to the pose model. Which
    frames start a chunk follows from the times and the cuts alone (the first frame, a cut, or
    ``chunk_s`` after the last start), so it is known here. The pose model's calls (60-100 ms
    each, two or three per chunk) run in a thread of their own, overlapping the decoding and
    the tracking of the frames before; frames wait in the read-ahead queue meanwhile.

    Static overlays are looked for here too: those the first frames showed
    (``info.overlays``), and at each chunk start the blocks that have not changed since the
    previous start while nearly all the rest of the picture did (a camera that began to move,
    or a cut to another shot under the same logo).
    """

    def __init__(
        self,
        detector: Future[PoseDetector] | None,
        chunk_s: float,
        pose_thread: Executor | None,
        manual: list[Box],
        hand_rate_hz: float,
        config: VideoConfig,
        info: VideoInfo,
    ) -> None:
        self.detector = detector
        self.config = config
        #: The stream's facts; its bars and overlays are known before the first frame comes.
        self.info = info
        self.hand_rate_hz = hand_rate_hz
        self.chunk_s = chunk_s
        self.pose_thread = pose_thread
        self.manual = manual
        #: Made on the first frame, when the picture inside the bars is known (the survey of
        #: the first frames, :func:`survey_picture`, runs once decoding starts).
        self.shots: ShotCutDetector | None = None
        #: Static overlays known so far, and where each of those found at a chunk start was
        #: first seen (s).
        self.overlays: list[Box] = []
        self.overlays_later: list[tuple[float, Box]] = []
        self._last_start: np.ndarray | None = None
        self.start_t = -np.inf
        self._start_thumb: np.ndarray | None = None
        self._start_image: GrayImage | None = None
        self._image: GrayImage | None = None
        self._checked_t = -np.inf
        #: The latest start that was not early (the first frame, a cut, or ``chunk_s`` on).
        self._on_time_t = -np.inf
        self.ready: dict[int, Prepared] = {}
        #: The latest chunk start's request to the pose model.
        self._asked: Future[Sighting] | None = None
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
        """Prepare one decoded frame (in the decoding thread): its cut, its chunk, its look."""
        image = frame.image
        self.picture_types.append(frame.picture_type)
        if self.shots is None:
            self.shots = ShotCutDetector(self.info.fps, box=self.info.picture_box)
            self.overlays = list(self.info.overlays)
        change = self.shots.look(image)
        self._image = image
        cut = change.cut
        on_time = not change.in_transition and frame.t - self._on_time_t >= self.chunk_s
        regular = frame.index == 0 or cut or on_time
        starts = regular or self._starts_early(frame.t, change.in_transition)
        sighting = None
        overlays: tuple[Box, ...] = ()
        if starts:
            self.start_t = frame.t
            self._start_thumb = self.shots.last_thumbnail
            self._start_image = image
            if regular:  # overlays: what stayed still over a chunk's length while the rest moved
                self._on_time_t = frame.t
                self._look_for_overlays(frame)
            overlays = tuple(self.overlays)
            if self.detector is not None and self.pose_thread is not None:
                sighting = self.pose_thread.submit(self._look, frame, self._serial, overlays)
                self._serial += 1
                if regular:  # hand samples follow the people of the regular looks
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
        self.ready[frame.index] = Prepared(
            image,
            cut,
            starts,
            change.in_transition,
            change.began_frames_ago,
            sighting,
            overlays,
            early=starts and not regular,
        )

    def _starts_early(self, t: float, in_transition: bool) -> bool:
        """Whether a chunk starts here though no cut does: its time, or the picture changed.

        ``chunk_s`` after the last start; or ``look_again_s`` after it where the picture changed
        since (someone came in, stood up, walked): people are then looked for and their regions
        placed again. A still scene costs no extra look.
        """
        if in_transition:
            return False
        since = t - self.start_t
        if since >= self.chunk_s:
            return True
        if since < self.config.look_again_s or self._start_thumb is None:
            return False
        known = self._asked.result().boxes() if self._asked is not None else []
        if self._asked is not None and not known:
            return True  # nobody found at the last start: look again (someone may come in)
        latest = self.shots.last_thumbnail
        needed = self.config.look_again_changed_share
        # what changed outside the people known (who move in place: talking, gesturing)
        shape = (self.info.height, self.info.width)
        ignored = thumbnail_mask(known, shape, self.info.picture_box)
        if changed_share(self._start_thumb, latest, ignored) < needed:
            return False
        # the picture changed: while the camera held still? (checked a few times a second; a
        # moving camera changes everything, and its chunks start at their time)
        if t - self._checked_t < CAMERA_CHECK_S:
            return False
        self._checked_t = t
        assert self._start_image is not None and self._image is not None
        box = self.info.picture_box
        return view_held_still(self._start_image, self._image, box)

    def _look_for_overlays(self, frame: Frame) -> None:
        """Static overlays between the previous chunk start and this one (``frame``)."""
        plane = frame.luma
        previous, self._last_start = self._last_start, plane.copy()
        if previous is None or previous.shape != plane.shape:
            return
        limited = frame.image.limited_range
        for box in static_overlays([previous, plane], limited, self.info.picture_box):
            if not any(_mostly_inside(box, known) for known in self.overlays):
                self.overlays.append(box)
                self.overlays_later.append((frame.t, box))

    def _look(self, frame: Frame, serial: int, overlays: tuple[Box, ...]) -> Sighting:
        """The people on a chunk's first frame, and the background's corners around them."""
        assert self.detector is not None
        rgb = frame.rgb()
        detector = self.detector.result()
        people = detector.detect(rgb)
        for person in people:
            person.appearance = describe(rgb, person)
        hands: list[FoundHand] = []
        if not people:  # nobody: a hand close up, with nothing else of its person in view?
            found = detector.hands_found
            hands = list(found if found is not None else find_hands(rgb))
        exclude = [p.box for p in people] + [h.box for h in hands] + self.manual + list(overlays)
        background = select_background_points(
            frame.gray, exclude, self.config.background_points, self.info.picture_box
        )
        return Sighting(people, background, serial, hands)

    def _hands(self, frame: Frame, asked: Future[Sighting], count: int) -> None:
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
            order = order[: self.config.max_hand_people]
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
            for i, hand in enumerate(sighting.hands):  # hands alone: each in every sample
                crop = hand_crop(hand.box, shape)
                if crop is None:
                    continue
                if rgb is None:
                    rgb = frame.rgb()
                x, y, w, h = crop
                place = len(sighting.people) + i
                rank = self.config.max_hand_people + i  # a model of its own
                pixels = rgb[y : y + h, x : x + w]
                self._hand(sighting.serial, place, rank, hand.part, pixels, crop, frame.t)
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

    def take(self, index: int) -> Prepared:
        """The work for frame ``index`` (once it has been handed over by the read-ahead)."""
        return self.ready.pop(index)


def _mostly_inside(box: Box, other: Box) -> bool:
    """Whether at least half of ``box`` lies in ``other``."""
    x, y, w, h = box
    ox, oy, ow, oh = other
    width = min(x + w, ox + ow) - max(x, ox)
    height = min(y + h, oy + oh) - max(y, oy)
    return width > 0 and height > 0 and width * height >= 0.5 * w * h
