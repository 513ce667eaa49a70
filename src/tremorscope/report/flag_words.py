"""The quality flags' texts, in one place: a short phrase and a sentence for each flag.

Only data lives here; :mod:`tremorscope.report.words` turns a flag into the words a page shows
(:func:`~tremorscope.report.words.flag_short`, :func:`~tremorscope.report.words.flag_meaning`).
"""

#: Quality flags in plain words: a short phrase for the summary, a sentence for the methods.
FLAG_WORDS: dict[str, tuple[str, str]] = {
    "band_capped_by_sampling_rate": (
        "frame rate caps the frequencies",
        "The sampling (frame) rate limits the fastest rhythm that can be seen: the analysed band "
        "stops at 0.9 x half the rate. A faster tremor would be missed, or appear at a false, "
        "lower frequency.",
    ),
    "orthostatic_band_not_visible": (
        "13-18 Hz not visible",
        "Orthostatic tremor (13-18 Hz) needs about 40 samples per second or more; it could not "
        "have been seen in this recording.",
    ),
    "irregular_sampling_resampled": (
        "irregular timing resampled",
        "The samples (frames) were not evenly spaced; they were interpolated onto an even grid "
        "before analysis.",
    ),
    "gaps_bridged": (
        "short gaps filled",
        "Short gaps (up to 0.25 s) were filled by straight lines between the samples either side.",
    ),
    "record_split_at_gaps": (
        "split at gaps",
        "Long gaps split the record into pieces; nothing was computed across a gap.",
    ),
    "short_record": (
        "short record",
        "The record is short: the frequency resolution of the spectrum is coarse (over 0.5 Hz).",
    ),
    "weak_rhythm": (
        "weak rhythm",
        "The rhythm stands less than 10 dB above the background noise: treat it with caution.",
    ),
    "voluntary_movement_present": (
        "measured during movement",
        "A slower, voluntary-like movement was present too; the rhythm was measured during it.",
    ),
    "transmitted": (
        "passed on from elsewhere",
        "A much larger rhythm at the same frequency elsewhere on the same person probably shook "
        "this body part: it is reported as passed on, not as a tremor of its own.",
    ),
    "below_measurement_floor": (
        "below what video can vouch for",
        "A rhythm stood out of the noise but was smaller than 0.1 px RMS, below what video "
        "tracking can vouch for; it is not reported.",
    ),
    "camera_not_compensated": (
        "camera motion not removed everywhere",
        "In part of the video the background showed too little texture to measure the camera's "
        "own motion, which then could not be removed.",
    ),
    "compression_limits_amplitude": (
        "compression may shrink the size",
        "The video is heavily compressed; compression smooths away part of sub-pixel motion, so "
        "the size of a small rhythm may be underestimated.",
    ),
    "no_scale": (
        "pixels only",
        "No scale was known (shoulders not seen, none given): sizes stay in pixels.",
    ),
    "scale_estimated": (
        "centimetres estimated (about +-16 %)",
        "Centimetres come from the person's shoulder width taken as an adult average "
        "(36 +- 5.9 cm), about +-16 %; parts nearer the camera than the shoulders read larger. "
        "Give a measured scale (--scale) for better.",
    ),
    "articulated": (
        "fingers against the hand",
        "The size is that of the fingers moving against the hand (how the tracked points move "
        "against each other), not of the hand's displacement.",
    ),
    "not_measurable": (
        "not measurable",
        "Nothing could be measured here (too little valid data, or a sampling rate too low).",
    ),
    "camera_rhythm": (
        "camera motion",
        "The rhythm is at the frequency of the camera's own motion and no larger than it: it is "
        "the camera, not the person.",
    ),
    "shared_by_all_regions": (
        "shared by every region: camera",
        "Every region showed the same rhythm while the background could not be measured: it is "
        "taken to be the camera's motion.",
    ),
}
