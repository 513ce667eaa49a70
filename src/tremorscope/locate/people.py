"""Follow people across detections and give them stable ids."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tremorscope.locate.pose import Box, PersonPose, box_iou

#: A detection continues a track when its box centre moved by less than this share of the
#: track's box diagonal (or the boxes overlap enough).
MAX_CENTRE_SHIFT = 0.5
MIN_IOU = 0.3


@dataclass
class PersonTrack:
    """One person followed through a shot.

    Attributes
    ----------
    key : int
        Internal number, in order of creation.
    first_t : float
        Time of the first detection, seconds.
    first_x : float
        Box centre x at the first detection, pixels.
    boxes : list of (float, Box)
        Time and box of every detection.
    misses : int
        Consecutive detections in which this person was not found.

    """

    key: int
    first_t: float
    first_x: float
    boxes: list[tuple[float, Box]] = field(default_factory=list)
    misses: int = 0
    open: bool = True

    @property
    def last_box(self) -> Box:
        """The most recent box."""
        return self.boxes[-1][1]


def _centre(box: Box) -> np.ndarray:
    return np.array([box[0] + box[2] / 2, box[1] + box[3] / 2], dtype=float)


def _match_cost(track_box: Box, box: Box) -> float:
    diagonal = float(np.hypot(track_box[2], track_box[3])) or 1.0
    shift = float(np.linalg.norm(_centre(track_box) - _centre(box))) / diagonal
    iou = box_iou(track_box, box)
    if shift > MAX_CENTRE_SHIFT and iou < MIN_IOU:
        return np.inf
    return shift - iou


class PeopleTracker:
    """Assigns each detected person to a track, opening tracks for newcomers.

    Tracks end at shot cuts (a person is not followed across a cut) and after ``max_misses``
    detections without them.

    Parameters
    ----------
    max_misses : int
        Detections a person may be missed before their track ends.

    """

    def __init__(self, max_misses: int = 2) -> None:
        self.max_misses = max_misses
        self.tracks: list[PersonTrack] = []

    def cut(self) -> None:
        """A shot cut: close every open track."""
        for track in self.tracks:
            track.open = False

    def update(self, t: float, people: list[PersonPose]) -> list[tuple[PersonTrack, PersonPose]]:
        """Match the people detected at time ``t`` to tracks.

        Parameters
        ----------
        t : float
            Time of the detection, seconds.
        people : list of PersonPose
            Everyone found in the frame.

        Returns
        -------
        list of (PersonTrack, PersonPose)
            Each detection with its track (new tracks for newcomers).

        """
        open_tracks = [tr for tr in self.tracks if tr.open]
        pairs: list[tuple[PersonTrack, PersonPose]] = []
        used_tracks: set[int] = set()
        used_people: set[int] = set()
        if open_tracks and people:
            cost = np.array(
                [[_match_cost(tr.last_box, p.box) for p in people] for tr in open_tracks]
            )
            finite = np.where(np.isfinite(cost), cost, 1e6)
            from scipy.optimize import linear_sum_assignment  # (a second to import: when needed)

            rows, cols = linear_sum_assignment(finite)
            for r, c in zip(rows, cols, strict=True):
                if np.isfinite(cost[r, c]):
                    pairs.append((open_tracks[r], people[c]))
                    used_tracks.add(r)
                    used_people.add(c)
        for r, track in enumerate(open_tracks):
            if r not in used_tracks:
                track.misses += 1
                if track.misses > self.max_misses:
                    track.open = False
        newcomers = sorted(
            (c for c in range(len(people)) if c not in used_people),
            key=lambda c: _centre(people[c].box)[0],
        )
        for c in newcomers:
            track = PersonTrack(len(self.tracks), t, float(_centre(people[c].box)[0]))
            self.tracks.append(track)
            pairs.append((track, people[c]))
        for track, person in pairs:
            track.boxes.append((t, person.box))
            track.misses = 0
        return pairs

    def ids(self) -> dict[int, int]:
        """Public ids, 1, 2, ...: by time of first appearance, then left to right."""
        order = sorted(self.tracks, key=lambda tr: (round(tr.first_t, 3), tr.first_x))
        return {track.key: i + 1 for i, track in enumerate(order)}
