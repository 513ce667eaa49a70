"""From a sensor recording to findings: each vector of channels analysed, the main one chosen.

The twin of :mod:`tremorscope.analysis.video` for wearables, motion capture and landmark CSVs:
every group of channels (an accelerometer's x, y, z; one marker's position) goes through the
same engine on a uniform grid; the group that best shows an involuntary rhythm is the main
finding.
"""

from __future__ import annotations

from tremorscope.analysis.engine import analyze_uniform, choose_dominant
from tremorscope.config import RunConfig
from tremorscope.errors import InputError
from tremorscope.results import Analysis, QualityFlag, Source
from tremorscope.signals import Recording, to_uniform


def sensor_analysis(
    recording: Recording,
    *,
    context: str,
    config: RunConfig,
    unit: str | None = None,
) -> Analysis:
    """The findings of a loaded sensor recording (see :func:`tremorscope.api.analyze_signal`).

    Parameters
    ----------
    recording : Recording
        Sample times (s) and the channels grouped into vectors.
    context : str
        The condition given (or ``unknown``).
    config : RunConfig
        Settings (``config.analysis``; stored with the result).
    unit : str, optional
        Unit of the values, overriding what was inferred.

    Returns
    -------
    Analysis

    Raises
    ------
    InputError
        When no group of channels could be measured; the message gives every reason.

    """
    settings = config.analysis
    groups = []
    rate = None
    for group in recording.groups:
        if unit is not None:
            group.unit = unit
        uniform = to_uniform(group, recording.time_s, settings.max_gap_s)
        rate = rate or uniform.rate_hz
        groups.append(analyze_uniform(uniform, settings, context))
    measurable = [g for g in groups if not g.finding.quality.has(QualityFlag.NOT_MEASURABLE)]
    if not measurable:
        reasons = "; ".join(sorted({m for g in groups for m in g.finding.quality.messages}))
        raise InputError(recording.path, f"nothing measurable ({reasons})")
    best = choose_dominant(measurable)
    duration = float(recording.time_s[-1] - recording.time_s[0])
    source = Source(
        path=recording.path,
        kind="signal",
        duration_s=round(duration, 4),
        sample_rate_hz=None if rate is None else round(rate, 4),
        n_samples=len(recording.time_s),
        time_source=recording.time_source,
        notes=recording.notes,
    )
    return Analysis(
        source=source,
        groups=groups,
        dominant=best.finding if best else None,
        dominant_group=best.name if best else None,
        config=config,
    )
