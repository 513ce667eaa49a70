"""The video frames a report shows: when each is taken, decoding them, the boxes drawn on them.

A key frame per finding with a region (at its first episode or twitch) and a thumbnail per
person; all are decoded in one pass over the video (:func:`tremorscope.video.frames_at`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from tremorscope.errors import InputError
from tremorscope.report.images import LabelledBox
from tremorscope.report.items import Item
from tremorscope.report.words import part_words
from tremorscope.results import Analysis, Finding, Person
from tremorscope.video import frames_at


def key_time(finding: Finding, duration_s: float) -> float:
    """When to show a finding: the middle of its first episode, its first twitch, or mid-clip."""
    r = finding.rhythmic
    if r.detected and r.episodes:
        a, b = r.episodes[0]
        return round((a + b) / 2, 3)
    if finding.twitches.events:
        return finding.twitches.events[0].t
    return round(duration_s / 2, 3)


def person_time(person: Person, items: Sequence[Item], duration_s: float) -> float:
    """When to show a person: at their first finding, else in the middle of their presence."""
    for item in items:
        if item.person is person:
            return key_time(item.finding, duration_s)
    return round((person.first_seen_s + person.last_seen_s) / 2, 3)


def frame_times(analysis: Analysis, items: Sequence[Item]) -> list[float]:
    """Every frame time the report shows (key frames and thumbnails)."""
    duration = analysis.source.duration_s
    times = [key_time(i.finding, duration) for i in items if i.box is not None]
    times += [person_time(p, items, duration) for p in analysis.people]
    return times


def decode_frames(
    analysis: Analysis, items: Sequence[Item], video: str | Path | None
) -> tuple[dict[float, np.ndarray], str]:
    """Decode the frames the report shows, or say why there are none.

    Returns
    -------
    frames : dict
        Time to RGB frame.
    note : str
        Empty, or why no key frame is shown.

    """
    if analysis.source.kind != "video":
        return {}, ""
    if video is None:
        return {}, "No video was given to the report: key frames and thumbnails are left out."
    times = frame_times(analysis, items)
    if not times:
        return {}, ""
    try:
        return frames_at(video, times), ""
    except (InputError, OSError) as exc:
        return {}, f"Key frames could not be decoded from {video}: {exc}"


def region_boxes(analysis: Analysis, item: Item) -> list[LabelledBox]:
    """The boxes drawn on a finding's key frame: its person's parts (or all regions)."""
    if item.person is not None:
        person = item.person
        boxes = [LabelledBox(f"person {person.id}", person.box, label_inside=True)]
        boxes += [
            LabelledBox(part_words(part), box, person.region_key(part) == item.region)
            for part, box in person.part_boxes.items()
        ]
        return boxes
    return [LabelledBox(r.name, r.box, r.key == item.region) for r in analysis.regions]
