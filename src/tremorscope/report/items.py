"""What the report shows in detail: the findings picked from an analysis, in reading order.

A finding is shown in detail (an :class:`Item`) when it holds a rhythm or a twitch; the
summary, the key frames and the findings section all work from the same list.
"""

from __future__ import annotations

from dataclasses import dataclass

from tremorscope.report.words import part_words
from tremorscope.results import Analysis, Box, Finding, Group, Person, RegionKey

#: Body parts looked for on every person, in reading order.
BODY_PARTS = (
    "head",
    "left_hand",
    "right_hand",
    "left_knee",
    "right_knee",
    "left_foot",
    "right_foot",
)


@dataclass
class Item:
    """One finding shown in detail: a body part, a given region or a sensor group.

    Attributes
    ----------
    name : str
        Group name in the analysis (``person1.head``, ``region.cup``, ``acc``).
    title : str
        Heading for people (``Person 1 · head``).
    finding : Finding
        The finding.
    person : Person or None
        The person it belongs to (video).
    box : Box or None
        Its region in displayed-frame pixels (video).
    group : Group or None
        The sensor group (sensor recordings, for the per-window series).
    region : RegionKey or None
        The region measured (video).

    """

    name: str
    title: str
    finding: Finding
    person: Person | None = None
    box: Box | None = None
    group: Group | None = None
    region: RegionKey | None = None


def shows_something(finding: Finding) -> bool:
    """A rhythm or at least one twitch was found."""
    return finding.rhythmic.detected or finding.twitches.count > 0


def ordered_parts(person: Person) -> list[str]:
    """The person's body parts in reading order (head, hands, knees, feet, then any other)."""
    known = [p for p in BODY_PARTS if p in person.body_parts]
    return known + sorted(p for p in person.body_parts if p not in BODY_PARTS)


def detail_items(analysis: Analysis) -> list[Item]:
    """The findings to show in detail: every rhythm found, and every part with twitches."""
    items = []
    for person in analysis.people:
        for part in ordered_parts(person):
            finding = person.body_parts[part]
            if shows_something(finding):
                key = person.region_key(part)
                items.append(
                    Item(
                        key.name,
                        f"Person {person.id} · {part_words(part)}",
                        finding,
                        person,
                        person.part_boxes.get(part),
                        region=key,
                    )
                )
    for region in analysis.regions:
        if shows_something(region.finding):
            items.append(
                Item(
                    region.key.name,
                    f"Region “{region.name}”",
                    region.finding,
                    None,
                    region.box,
                    region=region.key,
                )
            )
    if analysis.source.kind != "video":
        for group in analysis.groups:
            if shows_something(group.finding):
                items.append(Item(group.name, f"Sensor {group.name}", group.finding, group=group))
    return items


def cut_times(analysis: Analysis) -> list[float]:
    """Times of the shot cuts."""
    return [s.start_s for s in analysis.source.shots[1:]]
