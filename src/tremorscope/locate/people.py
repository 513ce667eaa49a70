"""Follow people across detections and give them stable ids, also across shots.

Within a shot a person is followed by where their box goes. A person not followed (after a
cut, or missed too long) is known again by what they look like
(:mod:`tremorscope.locate.appearance`): a newcomer takes the id of an earlier person who is not
in view and looks alike; several newcomers who all look like the people seen together before
take their ids in left-to-right order (two people in like clothes, reframed). When the
likeness is not clear, the newcomer gets an id of their own, marked uncertain, rather than be
merged with someone they may not be.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from tremorscope.locate.appearance import Appearance, distance
from tremorscope.locate.hands import FoundHand
from tremorscope.locate.pose import Box, PersonPose, box_iou

#: A detection continues a track when its box centre moved by less than this share of the
#: track's box diagonal (or the boxes overlap enough).
MAX_CENTRE_SHIFT = 0.5
MIN_IOU = 0.3
#: ... or by less than this share where the two sightings look alike.
MAX_CENTRE_SHIFT_ALIKE = 1.2
#: Detections at most this far apart (s) give a track its pace (:meth:`PersonTrack.expected_box`).
MAX_PACE_GAP_S = 2.0
#: Appearance distance (0-1) below which two sightings are the same person ...
SAME_LOOK = 0.3
#: ... and above which they are different people; between, the likeness is unclear.
DIFFERENT_LOOK = 0.45
#: The best likeness must beat the next by this much to be taken (else it is unclear).
LOOK_MARGIN = 0.15
#: Sightings of a person's appearance kept to compare newcomers with.
LOOKS_KEPT = 8
#: Cost of continuing a hand alone with the same hand alone found far from where it was: a
#: hand filmed close up sweeps across the view, and nothing else is there to take it for.
FAR_HAND_COST = 10.0
#: What a track follows: a whole person, or a hand seen alone (its part's name).
PERSON = "person"


def seen_as(sighting: PersonPose | FoundHand) -> str:
    """What a sighting shows: :data:`PERSON`, or the hand's part for a hand seen alone."""
    return sighting.part if isinstance(sighting, FoundHand) else PERSON


@dataclass
class Identity:
    """One person over the whole clip, whatever shots they appear in.

    Attributes
    ----------
    person : int
        Public id, 1, 2, ... in order of first appearance (left to right among people found
        together).
    looks : deque of (float, Appearance)
        Recent descriptions of what they look like, with their times (s).
    last_x : float
        Box centre x at the last sighting, as a share of the frame's width.
    uncertain_of : list of int
        Earlier people this one may be (their likeness was unclear); empty when certain.
    form : str
        What they were seen as (:func:`seen_as`): a person, or only ever one hand alone.

    """

    person: int
    looks: deque[tuple[float, Appearance]] = field(
        default_factory=lambda: deque(maxlen=LOOKS_KEPT)
    )
    last_x: float = 0.0
    uncertain_of: list[int] = field(default_factory=list)
    form: str = PERSON

    def unlikeness(self, look: Appearance | None) -> float:
        """Median appearance distance of ``look`` to this person's kept looks (inf: unknown)."""
        if look is None:
            return np.inf
        found = [d for d in (distance(look, mine) for _, mine in self.looks) if d is not None]
        return float(np.median(found)) if found else np.inf


@dataclass
class PersonTrack:
    """One person followed through a shot.

    Attributes
    ----------
    key : int
        Internal number, in order of creation (a person has one track per stretch followed).
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
    #: The person's public id (:attr:`Identity.person`).
    person: int = 0
    #: What it follows (:func:`seen_as`): a person is never continued by a hand alone.
    form: str = PERSON

    @property
    def last_box(self) -> Box:
        """The most recent box."""
        return self.boxes[-1][1]

    def expected_box(self, t: float) -> Box:
        """Where the box should be at ``t``: moved on at the pace of the last two detections.

        A person walking moves by most of their box between looks a second apart; matched
        against where they were, they would be taken for a newcomer.
        """
        if len(self.boxes) < 2:
            return self.last_box
        (t0, b0), (t1, b1) = self.boxes[-2], self.boxes[-1]
        if not 0 < t1 - t0 <= MAX_PACE_GAP_S:
            return b1
        ahead = min(t - t1, MAX_PACE_GAP_S) / (t1 - t0)
        dx, dy = _centre(b1) - _centre(b0)
        return (round(b1[0] + ahead * dx), round(b1[1] + ahead * dy), b1[2], b1[3])


def _centre(box: Box) -> np.ndarray:
    return np.array([box[0] + box[2] / 2, box[1] + box[3] / 2], dtype=float)


def _match_cost(track_box: Box, box: Box, alike: bool = False) -> float:
    """Cost of taking ``box`` as the track's next (inf: not the same person).

    ``alike``: the two sightings may be the same person (:data:`DIFFERENT_LOOK`), who may then
    have gone farther (walking between two looks).
    """
    diagonal = float(np.hypot(track_box[2], track_box[3])) or 1.0
    shift = float(np.linalg.norm(_centre(track_box) - _centre(box))) / diagonal
    iou = box_iou(track_box, box)
    reach = MAX_CENTRE_SHIFT_ALIKE if alike else MAX_CENTRE_SHIFT
    if shift > reach and iou < MIN_IOU:
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

    def __init__(self, max_misses: int = 2, frame_width: float = 1.0) -> None:
        self.max_misses = max_misses
        self.frame_width = frame_width
        self.tracks: list[PersonTrack] = []
        self.identities: dict[int, Identity] = {}
        #: People seen together (two or more, left to right), latest last: a set-up that a
        #: later shot may show again.
        self.together: list[tuple[int, ...]] = []

    def cut(self) -> None:
        """A shot cut: close every open track."""
        for track in self.tracks:
            track.open = False

    def update(
        self, t: float, people: list[PersonPose | FoundHand]
    ) -> list[tuple[PersonTrack, PersonPose | FoundHand]]:
        """Match the people detected at time ``t`` to tracks.

        Parameters
        ----------
        t : float
            Time of the detection, seconds.
        people : list of PersonPose or FoundHand
            Everyone found in the frame, and the hands found alone (nobody else in view).

        Returns
        -------
        list of (PersonTrack, PersonPose or FoundHand)
            Each detection with its track (new tracks for newcomers).

        """
        open_tracks = [tr for tr in self.tracks if tr.open]
        pairs: list[tuple[PersonTrack, PersonPose | FoundHand]] = []
        used_tracks: set[int] = set()
        used_people: set[int] = set()
        if open_tracks and people:
            cost = np.array(
                [[self.cost(tr, p, t) for p in people] for tr in open_tracks]
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
            (people[c] for c in range(len(people)) if c not in used_people),
            key=lambda p: _centre(p.box)[0],
        )
        in_view = {track.person for track, _ in pairs}
        known = self._recognise(newcomers, in_view)
        for pose in newcomers:
            track = PersonTrack(len(self.tracks), t, float(_centre(pose.box)[0]))
            track.form = seen_as(pose)
            identity = known.get(id(pose))
            if identity is None:
                identity = self._new_identity(pose, in_view)
            track.person = identity.person
            for other in self.tracks:  # a track of theirs left open (missed) ends here
                if other.person == identity.person:
                    other.open = False
            self.tracks.append(track)
            pairs.append((track, pose))
        if len(pairs) >= 2:
            seen = tuple(tr.person for tr, p in sorted(pairs, key=lambda tp: tp[1].box[0]))
            if seen in self.together:
                self.together.remove(seen)
            self.together.append(seen)
        for track, pose in pairs:
            track.boxes.append((t, pose.box))
            track.misses = 0
            identity = self.identities[track.person]
            identity.last_x = float(_centre(pose.box)[0]) / self.frame_width
            look = pose.appearance
            if look is not None and look.zones:
                identity.looks.append((t, look))
        return pairs

    def cost(self, track: PersonTrack, pose: PersonPose | FoundHand, t: float) -> float:
        """Cost of continuing ``track`` with ``pose`` at ``t``: where it was, or was going.

        A person is continued only by a person, a hand alone only by the same hand alone
        (:func:`seen_as`), wherever in the view it went (:data:`FAR_HAND_COST` when far).
        """
        form = seen_as(pose)
        if form != track.form:
            return np.inf
        identity = self.identities.get(track.person)
        alike = identity is not None and identity.unlikeness(pose.appearance) < DIFFERENT_LOOK
        cost = min(
            _match_cost(track.last_box, pose.box, alike),
            _match_cost(track.expected_box(t), pose.box, alike),
        )
        if form != PERSON and not np.isfinite(cost):
            return FAR_HAND_COST
        return cost

    def _recognise(
        self, newcomers: list[PersonPose | FoundHand], in_view: set[int]
    ) -> dict[int, Identity]:
        """Earlier people the newcomers are, by appearance (keyed by ``id()`` of the pose).

        A hand alone is the latest hand alone of the same side not in view (it shows no look
        to tell; in a close-up nothing else is in view to be taken for it).
        """
        absent = sorted(
            (idt for p, idt in self.identities.items() if p not in in_view),
            key=lambda idt: idt.last_x,
        )
        found_hands: dict[int, Identity] = {}
        for hand in [n for n in newcomers if seen_as(n) != PERSON]:
            same = [idt for idt in absent if idt.form == seen_as(hand)]
            if same:
                latest = max(same, key=lambda idt: idt.person)
                found_hands[id(hand)] = latest
                absent.remove(latest)
        newcomers = [n for n in newcomers if seen_as(n) == PERSON]
        absent = [idt for idt in absent if idt.form == PERSON]
        if not newcomers or not absent:
            return found_hands
        cost = np.array(
            [[idt.unlikeness(p.appearance) for idt in absent] for p in newcomers]
        )
        alike = cost < SAME_LOOK
        group = self._set_up_again(newcomers, in_view)
        if group is not None:
            # people seen together before, all alike: that set-up again, left to right
            return found_hands | {
                id(p): self.identities[g] for p, g in zip(newcomers, group, strict=True)
            }
        from scipy.optimize import linear_sum_assignment

        rows, cols = linear_sum_assignment(np.where(np.isfinite(cost), cost, 1e6))
        found: dict[int, Identity] = {}
        for r, c in zip(rows, cols, strict=True):
            others = np.delete(cost[r], c).tolist() + np.delete(cost[:, c], r).tolist()
            clear = all(o - cost[r, c] >= LOOK_MARGIN for o in others)
            if alike[r, c] and clear:
                found[id(newcomers[r])] = absent[c]
        return found | found_hands

    def _set_up_again(
        self, newcomers: list[PersonPose], in_view: set[int]
    ) -> tuple[int, ...] | None:
        """The latest group of people seen together whom the newcomers all look like.

        Two or more newcomers (left to right) and a group of as many people, none in view,
        every newcomer like every member (none unlike, alike on average): people in like
        clothes are told apart by their order, as they sat before.
        """
        if len(newcomers) < 2:
            return None
        for group in reversed(self.together):
            if len(group) != len(newcomers) or in_view.intersection(group):
                continue
            cost = [self.identities[g].unlikeness(p.appearance) for p in newcomers for g in group]
            if max(cost) < DIFFERENT_LOOK and float(np.mean(cost)) < SAME_LOOK:
                return group
        return None

    def _new_identity(self, pose: PersonPose | FoundHand, in_view: set[int]) -> Identity:
        """A person not seen before (marked uncertain when they may be an earlier one)."""
        look = pose.appearance
        maybe = [
            idt.person
            for p, idt in sorted(self.identities.items())
            if p not in in_view and idt.unlikeness(look) < DIFFERENT_LOOK
        ]
        identity = Identity(len(self.identities) + 1, uncertain_of=maybe, form=seen_as(pose))
        self.identities[identity.person] = identity
        return identity

    def forget_since(self, t: float) -> list[int]:
        """Forget the detections from ``t`` on (they were of a blend of two shots).

        Returns
        -------
        list of int
            The people first seen since ``t``, forgotten altogether (the latest ids, so the
            next person found takes the first of them again).
        """
        for track in self.tracks:
            track.boxes = [(bt, box) for bt, box in track.boxes if bt < t]
        for identity in self.identities.values():
            kept = [(lt, look) for lt, look in identity.looks if lt < t]
            identity.looks.clear()
            identity.looks.extend(kept)
        forgotten = []
        while self.identities:
            latest = max(self.identities)
            if any(tr.boxes for tr in self.tracks if tr.person == latest):
                break
            del self.identities[latest]
            self.tracks = [tr for tr in self.tracks if tr.person != latest]
            self.together = [g for g in self.together if latest not in g]
            forgotten.append(latest)
        for key, track in enumerate(self.tracks):
            track.key = key
        return forgotten

    def ids(self) -> dict[int, int]:
        """Public id of each track: the person it follows (1, 2, ... by first appearance)."""
        return {track.key: track.person for track in self.tracks}
