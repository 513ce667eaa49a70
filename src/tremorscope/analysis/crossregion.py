"""Judge a region's rhythm against the others: camera motion and rhythm passed on by the body.

The engine judges every signal on its own. Across the regions of one video two more questions
decide what a rhythm is:

- Is it the camera? A rhythm the background shows, or one that every region shares when the
  background could not be measured, is the camera's motion, never tremor.
- Is it passed on? A voluntary movement of one hand shakes the head, the other hand and the
  knees a little at the same frequency; so does a large tremor. A much smaller rhythm at the
  frequency of a larger one elsewhere on the same person is reported as transmitted from it.
"""

from __future__ import annotations

from tremorscope.results import Finding, QualityFlag

#: Rhythms closer than this (Hz) count as the same rhythm.
SAME_RHYTHM_HZ = 0.2
#: A region's rhythm at the camera's frequency and below this share of its amplitude is the
#: camera's motion left over after compensation.
CAMERA_RESIDUAL_SHARE = 0.5
#: Up to this many times the camera's amplitude, a region's rhythm at the camera's frequency
#: may be the vibration that moves the camera passed on to the body: undetermined.
CAMERA_SHARED_SHARE = 4.0
#: Without a background, a rhythm shared by at least this share of the measured regions
#: (and at least :data:`MIN_SHARED_REGIONS` of them) is the camera.
SHARED_SHARE = 0.75
MIN_SHARED_REGIONS = 3
#: Widest frequency difference allowed by an irregular source's interval.
MAX_SAME_RHYTHM_HZ = 0.5
#: A rhythm below this share of a same-frequency rhythm elsewhere on the person is transmitted.
TRANSMITTED_SHARE = 0.25
#: A rhythm at twice or three times the frequency of one elsewhere on the person, and below this
#: share of it, is that movement's harmonic passed on (a jerky voluntary movement shakes the
#: body at its harmonics too); the stricter share keeps a real tremor at such a frequency.
HARMONIC_TRANSMITTED_SHARE = 0.05


def _rhythm(finding: Finding) -> tuple[float, float] | None:
    r = finding.rhythmic
    if not r.detected or r.frequency_hz is None or r.amplitude is None:
        return None
    return r.frequency_hz, r.amplitude


def _relabel(finding: Finding, kind: str, flag: QualityFlag, message: str) -> None:
    finding.rhythmic.kind = kind  # type: ignore[assignment]
    finding.rhythmic.kind_reasons = [message]
    finding.quality.add(flag, message)
    finding.signature.closest = None
    finding.signature.matches = []
    finding.signature.statement = f"Not compared with tremor types: {message}."


def mark_camera_rhythms(
    findings: dict[str, Finding], camera: Finding | None, compensated: bool
) -> list[str]:
    """Relabel as camera motion the region rhythms that belong to the camera.

    Parameters
    ----------
    findings : dict
        Region name to finding (changed in place).
    camera : Finding or None
        The background's own finding (its motion at the frame centre).
    compensated : bool
        Whether camera motion was measured and removed from the regions.

    Returns
    -------
    list of str
        Names of the regions relabelled.

    """
    changed: list[str] = []
    cam = _rhythm(camera) if camera is not None else None
    if cam is not None:
        f_cam, a_cam = cam
        for name, finding in findings.items():
            mine = _rhythm(finding)
            if (
                mine
                and abs(mine[0] - f_cam) <= SAME_RHYTHM_HZ
                and (mine[1] <= CAMERA_RESIDUAL_SHARE * a_cam)
            ):
                _relabel(
                    finding,
                    "camera",
                    QualityFlag.CAMERA_RHYTHM,
                    f"the camera itself moves at {f_cam:.2f} Hz ({a_cam:.2g} px RMS); what is "
                    "left of it here is camera motion",
                )
                changed.append(name)
            elif (
                mine
                and abs(mine[0] - f_cam) <= SAME_RHYTHM_HZ
                and mine[1] <= CAMERA_SHARED_SHARE * a_cam
                and finding.rhythmic.kind == "tremor"
            ):
                _relabel(
                    finding,
                    "undetermined",
                    QualityFlag.SHARED_WITH_CAMERA,
                    f"the background moves at {f_cam:.2f} Hz too ({a_cam:.2g} px RMS): this "
                    "may be that vibration passed on to the body",
                )
                changed.append(name)
    if compensated:
        return changed
    measured = {
        n: _rhythm(f) for n, f in findings.items() if not f.quality.has(QualityFlag.NOT_MEASURABLE)
    }
    rhythms = {n: r for n, r in measured.items() if r is not None}
    for f0, _ in rhythms.values():
        shared = [n for n, (f, _) in rhythms.items() if abs(f - f0) <= SAME_RHYTHM_HZ]
        if len(shared) >= MIN_SHARED_REGIONS and len(shared) >= SHARED_SHARE * len(measured):
            for n in shared:
                if n not in changed:
                    _relabel(
                        findings[n],
                        "camera",
                        QualityFlag.SHARED_BY_ALL_REGIONS,
                        f"a rhythm near {f0:.2f} Hz moves {len(shared)} of {len(measured)} "
                        "regions alike and the background could not be measured: most likely "
                        "the camera",
                    )
                    changed.append(n)
            break
    return changed


def _tolerance(source: Finding) -> float:
    """How far (Hz) a rhythm may be from a source's and still be the same rhythm.

    :data:`SAME_RHYTHM_HZ`, widened to the source's own 95 % interval (an irregular voluntary
    movement has a wide one), at most :data:`MAX_SAME_RHYTHM_HZ`.
    """
    ci = source.rhythmic.frequency_ci_hz
    half = (ci[1] - ci[0]) / 2 if ci else 0.0
    return max(SAME_RHYTHM_HZ, min(MAX_SAME_RHYTHM_HZ, half))


def mark_transmitted(parts: dict[str, Finding]) -> list[str]:
    """Label small rhythms that repeat a larger one elsewhere on the same person.

    Parameters
    ----------
    parts : dict
        Body-part name to finding, for one person (changed in place).

    Returns
    -------
    list of str
        Names of the body parts relabelled.

    """
    rhythms = {n: r for n, f in parts.items() if (r := _rhythm(f)) and f.rhythmic.kind != "camera"}
    changed = []
    for name, (f0, a0) in rhythms.items():
        sources = [
            (a, n, order)
            for n, (f, a) in rhythms.items()
            for order in (1, 2, 3)
            if n != name
            and abs(order * f - f0) <= _tolerance(parts[n]) * order
            and a0 < (TRANSMITTED_SHARE if order == 1 else HARMONIC_TRANSMITTED_SHARE) * a
        ]
        if not sources:
            continue
        a_src, source, order = max(sources)
        f_src = rhythms[source][0]
        parts[name].rhythmic.kind = "transmitted"
        harmonic = f"harmonic {order} of " if order > 1 else ""
        message = (
            f"transmitted: {harmonic}the movement of the {source.replace('_', ' ')} at "
            f"{f_src:.2f} Hz ({a_src:.2g} px RMS, {a_src / a0:.0f} times larger)"
        )
        parts[name].rhythmic.kind_reasons = [message]
        parts[name].quality.add(QualityFlag.TRANSMITTED, message)
        parts[name].signature.closest = None
        parts[name].signature.matches = []
        parts[name].signature.statement = f"Not compared with tremor types: {message}."
        changed.append(name)
    return changed
