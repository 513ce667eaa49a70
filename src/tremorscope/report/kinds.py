"""The words for each kind of movement, in one place for every report."""

from __future__ import annotations

from tremorscope.results import Finding, MovementKind

#: A kind in a sentence.
KIND_WORDS: dict[str, str] = {
    "tremor": "tremor-like rhythm",
    "voluntary": "voluntary rhythmic movement",
    "transmitted": "small rhythm passed on from a larger movement elsewhere",
    "twitch": "twitches",
    "camera": "camera motion (not the person)",
    "undetermined": "rhythm of undetermined kind (tremor or voluntary: the footage does not tell)",
    "none": "nothing",
}
#: A kind in a word or two (tables, badges, legends).
KIND_LABELS: dict[str, str] = {
    "tremor": "tremor-like",
    "voluntary": "voluntary",
    "transmitted": "passed on",
    "twitch": "twitches",
    "camera": "camera",
    "undetermined": "undetermined",
    "none": "nothing",
}


def kind_of(finding: Finding | None) -> MovementKind:
    """The movement kind of a finding (``none`` for no finding); see ``Finding.kind``."""
    return "none" if finding is None else finding.kind
