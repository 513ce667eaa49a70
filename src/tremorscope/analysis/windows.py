"""The per-window series of one signal: peak frequency, rhythm size and presence, twitches."""

from __future__ import annotations

import numpy as np

from tremorscope.analysis import rhythm as rh
from tremorscope.analysis.rounding import round_sig
from tremorscope.results import Twitches, WindowRow

#: Sliding windows of the per-window series.
WINDOW_S, WINDOW_STEP_S = 4.0, 1.0


def window_series(
    pieces: list[np.ndarray],
    starts: list[float],
    fs: float,
    band_lo: float,
    band_hi: float,
    trace: rh.RhythmTrace | None,
    twitches: Twitches,
) -> list[WindowRow]:
    """Per-window peak frequency, rhythm size and presence, and twitch count."""
    rows = []
    n = round(WINDOW_S * fs)
    step = round(WINDOW_STEP_S * fs)
    taper = np.hanning(n)
    nfft = int(2 ** np.ceil(np.log2(n * 8)))
    freqs = np.fft.rfftfreq(nfft, 1 / fs)
    band = (freqs >= band_lo) & (freqs <= band_hi)
    times = np.array([e.t for e in twitches.events])
    for i, (piece, start) in enumerate(zip(pieces, starts, strict=True)):
        for a in range(0, len(piece) - n + 1, step):
            seg = piece[a : a + n]
            power = (np.abs(np.fft.rfft(seg * taper[:, None], nfft, axis=0)) ** 2).sum(axis=1)
            t0, t1 = start + a / fs, start + (a + n) / fs
            rms = present = None
            if trace is not None:
                x = trace.projected[i][a : a + n]
                rms = round_sig(float(np.sqrt(np.mean(x**2))))
                present = float(trace.present[i][a : a + n].mean()) if trace.present else 0.0
            rows.append(
                WindowRow(
                    t_start=round(t0, 3),
                    t_end=round(t1, 3),
                    peak_hz=round(float(freqs[band][np.argmax(power[band])]), 3),
                    rhythm_rms=rms,
                    present=round(present or 0.0, 3),
                    twitches=int(((times >= t0) & (times < t1)).sum()) if times.size else 0,
                )
            )
    return rows
