"""Resemblance of a measured rhythm to known tremor types, with reasons; never a diagnosis.

Frequency ranges and contexts follow the consensus classification of tremor of the Movement
Disorder Society (Deuschl et al., Mov Disord 1998;13 Suppl 3:2-23; Bhatia et al., Mov Disord
2018;33:75-87) and reviews of tremor frequencies (Elble & Deuschl, Handb Clin Neurol 2011).
The stability index for functional tremor follows di Biase et al., Brain 2017;140:1977-86.
"""

from __future__ import annotations

from dataclasses import dataclass

from tremorscope.config import CONTEXTS  # noqa: F401  (re-exported: the conditions)


@dataclass(frozen=True)
class TremorType:
    """A known tremor signature.

    Attributes
    ----------
    name : str
        Human-readable name.
    typical_hz : (float, float)
        Typical frequency range.
    possible_hz : (float, float)
        Range still reported in the literature.
    contexts : tuple of str
        Conditions in which it appears.
    regular : bool or None
        True when typically regular (stable frequency), False when typically variable.
    note : str
        What else characterises it, said plainly.

    """

    name: str
    typical_hz: tuple[float, float]
    possible_hz: tuple[float, float]
    contexts: tuple[str, ...]
    regular: bool | None
    note: str


TREMOR_TYPES: tuple[TremorType, ...] = (
    TremorType(
        "Parkinsonian rest tremor",
        (4.0, 6.0),
        (3.0, 7.0),
        ("rest",),
        True,
        "at rest, often one side first, lessens with movement",
    ),
    TremorType(
        "essential tremor",
        (5.0, 10.0),
        (4.0, 12.0),
        ("postural", "kinetic"),
        True,
        "both arms when holding a posture or moving, often head or voice",
    ),
    TremorType(
        "enhanced physiological tremor",
        (8.0, 12.0),
        (7.0, 14.0),
        ("postural",),
        True,
        "small, when holding a posture; stress, caffeine, drugs",
    ),
    TremorType(
        "orthostatic tremor",
        (13.0, 18.0),
        (12.0, 20.0),
        ("standing",),
        True,
        "in the legs when standing, very regular",
    ),
    TremorType(
        "dystonic tremor",
        (4.0, 7.0),
        (3.0, 9.0),
        ("postural", "kinetic", "rest"),
        False,
        "irregular, jerky, position-dependent, in a dystonic body part",
    ),
    TremorType(
        "functional tremor",
        (4.0, 8.0),
        (3.0, 11.0),
        ("rest", "postural", "kinetic"),
        False,
        "variable frequency, distractible, entrains to other rhythms",
    ),
    TremorType(
        "cerebellar or Holmes tremor",
        (2.0, 4.5),
        (2.0, 5.0),
        ("kinetic", "postural", "rest"),
        None,
        "slow, on target-directed movement (Holmes also at rest)",
    ),
)

#: Tremor stability index (Hz) above which a rhythm is called variable (di Biase 2017).
TSI_VARIABLE_HZ = 1.05


def frequency_match(freq_hz: float, tremor: TremorType) -> float:
    """1 inside the typical range, falling linearly to 0.3 at the possible range, 0 outside."""
    lo, hi = tremor.typical_hz
    plo, phi = tremor.possible_hz
    if lo <= freq_hz <= hi:
        return 1.0
    if plo <= freq_hz < lo:
        return 0.3 + 0.7 * (freq_hz - plo) / (lo - plo)
    if hi < freq_hz <= phi:
        return 0.3 + 0.7 * (phi - freq_hz) / (phi - hi)
    return 0.0


def compare_signatures(
    freq_hz: float, stability_index_hz: float | None, context: str
) -> list[tuple[TremorType, float, list[str]]]:
    """Score the resemblance of a rhythm to each known type, best first.

    Parameters
    ----------
    freq_hz : float
        Measured frequency.
    stability_index_hz : float or None
        Tremor stability index, see :func:`tremorscope.analysis.rhythm.tremor_stability_index`.
    context : str
        One of :data:`tremorscope.config.CONTEXTS`.

    Returns
    -------
    list of (TremorType, float, list of str)
        Each type with a resemblance in [0, 1] and the reasons for it; types that do not match the
        frequency at all are left out.

    """
    ranked = []
    for tremor in TREMOR_TYPES:
        score = frequency_match(freq_hz, tremor)
        if score == 0.0:
            continue
        reasons = [_frequency_reason(freq_hz, tremor, score)]
        if context != "unknown":
            if context in tremor.contexts:
                reasons.append(f"seen in the {context} condition, as is typical")
            else:
                score *= 0.4
                reasons.append(
                    f"typically not a {context} tremor (usually {', '.join(tremor.contexts)})"
                )
        else:
            reasons.append("condition (rest, posture, movement) unknown: not weighed")
        if stability_index_hz is not None and tremor.regular is not None:
            variable = stability_index_hz > TSI_VARIABLE_HZ
            if variable == (not tremor.regular):
                reasons.append(
                    f"rhythm {'variable' if variable else 'stable'} "
                    f"(stability index {stability_index_hz:.2f} Hz), as is typical"
                )
            else:
                score *= 0.5
                reasons.append(
                    f"rhythm {'variable' if variable else 'stable'} "
                    f"(stability index {stability_index_hz:.2f} Hz), unlike this type"
                )
        reasons.append(f"typically: {tremor.note}")
        ranked.append((tremor, round(score, 3), reasons))
    ranked.sort(key=lambda item: item[1], reverse=True)
    return ranked


def _frequency_reason(freq_hz: float, tremor: TremorType, score: float) -> str:
    lo, hi = tremor.typical_hz
    where = "within" if score == 1.0 else "near"
    return f"{freq_hz:.1f} Hz is {where} its typical {lo:g}-{hi:g} Hz"
