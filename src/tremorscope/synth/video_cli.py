"""Command ``tremorscope synth``: inject known motion into a real video (registered by the CLI)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from tremorscope.options import parse_region
from tremorscope.synth.motion import CameraMove, Injection, Oscillation, Shake, Twitch
from tremorscope.synth.truth import load_spec, write_truth
from tremorscope.synth.video import inject_video
from tremorscope.video.reader import probe_video
from tremorscope.video.writer import X264_PRESETS, output_size


def parse_episodes(text: str) -> list[tuple[float, float]]:
    """Parse ``"1-4,6-9"`` into ``[(1.0, 4.0), (6.0, 9.0)]`` (seconds).

    Raises
    ------
    typer.BadParameter
        For anything but comma-separated ``START-END`` pairs with END after START.

    """
    episodes = []
    for part in text.split(","):
        start, sep, end = part.strip().partition("-")
        try:
            a, b = float(start), float(end)
        except ValueError:
            a = b = float("nan")
        if not sep or not b > a or a < 0:
            raise typer.BadParameter(
                f"{part.strip()!r}: use START-END in seconds, e.g. 1-4,6-9",
                param_hint="'--episodes'",
            )
        episodes.append((a, b))
    return episodes


def parse_twitch(text: str) -> tuple[float, float]:
    """Parse ``T:AMP`` (peak time in seconds, peak displacement in pixels).

    Raises
    ------
    typer.BadParameter
        When the text is not two numbers separated by a colon.

    """
    t_text, sep, amp_text = text.partition(":")
    try:
        t, amp = float(t_text), float(amp_text)
    except ValueError:
        sep = ""
    if not sep:
        raise typer.BadParameter(f"{text!r}: use T:AMP, e.g. 2.5:3", param_hint="'--twitch'")
    return t, amp


def parse_pair(text: str, option: str, sep: str = ",") -> tuple[float, float]:
    """Parse two numbers ``A<sep>B`` (e.g. ``1:1.3`` or ``10,0``).

    Raises
    ------
    typer.BadParameter
        When the text is not two numbers separated by ``sep``.

    """
    a_text, found, b_text = text.partition(sep)
    try:
        a, b = float(a_text), float(b_text)
    except ValueError:
        found = ""
    if not found:
        raise typer.BadParameter(f"{text!r}: use A{sep}B, two numbers", param_hint=f"'{option}'")
    return a, b


def camera_from_flags(
    source: Path,
    height: int | None,
    zoom: str | None,
    zoom_centre: str | None,
    pan: str | None,
    integer_crop: bool,
) -> CameraMove | None:
    """The camera move the ``--zoom``, ``--zoom-centre``, ``--pan`` flags describe, or None.

    The view's centre starts at ``--zoom-centre`` (default the frame centre, in output pixels)
    and travels by ``--pan DX,DY`` pixels at constant speed over the clip while the zoom goes
    from the first to the second factor of ``--zoom START:END``.
    """
    if zoom is None and pan is None and zoom_centre is None and not integer_crop:
        return None
    z0, z1 = parse_pair(zoom, "--zoom", ":") if zoom else (1.0, 1.0)
    if not (z0 >= 1 and z1 >= 1):
        raise typer.BadParameter(f"{zoom!r}: zooms must be at least 1", param_hint="'--zoom'")
    if zoom_centre is not None:
        centre = parse_pair(zoom_centre, "--zoom-centre")
    else:
        info = probe_video(source)
        width, high = output_size(info.width, info.height, height)
        centre = ((width - 1) / 2, (high - 1) / 2)
    dx, dy = parse_pair(pan, "--pan") if pan else (0.0, 0.0)
    end = (centre[0] + dx, centre[1] + dy)
    return CameraMove(z0, z1, centre, end, integer_crop=integer_crop)


def _flag_motion(
    regions: list[str],
    freq: float | None,
    amp: float | None,
    direction: float,
    episodes: str | None,
    twitches: list[str],
    shake_freq: float | None,
    shake_amp: float,
    shake_direction: float,
    freq_sd: float = 0.0,
    amp_mod: float = 0.0,
    seed: int = 0,
) -> tuple[list[Injection], list[Shake]]:
    """Injections and shakes described by command-line flags."""
    if (freq is None) != (amp is None):
        raise typer.BadParameter("give --freq and --amp together", param_hint="'--freq'")
    if freq is not None and not freq > 0:
        raise typer.BadParameter(f"{freq}: must be positive", param_hint="'--freq'")
    if amp is not None and not amp >= 0:
        raise typer.BadParameter(f"{amp}: must be zero or positive", param_hint="'--amp'")
    if (freq is not None or twitches) and not regions:
        raise typer.BadParameter("--freq, --amp and --twitch need at least one --region")
    spans = parse_episodes(episodes) if episodes else None
    parsed_twitches = [parse_twitch(text) for text in twitches]
    injections = []
    for i, text in enumerate(regions, start=1):
        try:
            name, box = parse_region(text, i)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="'--region'") from None
        oscillations = []
        if freq is not None and amp is not None:
            oscillations.append(
                Oscillation(
                    freq,
                    amp,
                    direction,
                    episodes=spans,
                    frequency_sd_hz=freq_sd,
                    amplitude_modulation=amp_mod,
                    seed=seed,
                )
            )
        jerks = [Twitch(t, a) for t, a in parsed_twitches]
        injections.append(Injection(name, box, oscillations, jerks))
    shakes = []
    if shake_freq is not None or shake_amp:
        if shake_freq is None or not shake_freq > 0:
            raise typer.BadParameter(
                "a shake needs a positive --shake-freq", param_hint="'--shake-freq'"
            )
        if not shake_amp >= 0:
            raise typer.BadParameter(
                f"{shake_amp}: must be zero or positive", param_hint="'--shake-amp'"
            )
        shakes.append(Shake(shake_freq, shake_amp, shake_direction))
    return injections, shakes


def synth(
    source: Annotated[Path, typer.Argument(help="Real video to inject motion into.")],
    output: Annotated[Path, typer.Argument(help="Video to write (H.264, e.g. out.mp4).")],
    region: Annotated[
        list[str] | None,
        typer.Option(
            help="Box to move, X,Y,W,H[:NAME] in output pixels (after --height); repeatable."
        ),
    ] = None,
    freq: Annotated[float | None, typer.Option(help="Oscillation frequency, Hz.")] = None,
    amp: Annotated[float | None, typer.Option(help="Oscillation peak amplitude, pixels.")] = None,
    direction: Annotated[
        float, typer.Option(help="Oscillation direction, degrees (0 right, 90 down).")
    ] = 0.0,
    episodes: Annotated[
        str | None,
        typer.Option(help="When the oscillation is on, seconds, e.g. 1-4,6-9 (default: always)."),
    ] = None,
    freq_sd: Annotated[
        float,
        typer.Option(help="SD of the oscillation's slow frequency wander, Hz (0: fixed)."),
    ] = 0.0,
    amp_mod: Annotated[
        float,
        typer.Option(help="Depth of its slow random size change, e.g. 0.4 for +-40 % (0: none)."),
    ] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed of the wander and the size change.")] = 0,
    twitch: Annotated[
        list[str] | None,
        typer.Option(help="A downward twitch T:AMP (peak time s, peak px); repeatable."),
    ] = None,
    shake_freq: Annotated[float | None, typer.Option(help="Camera shake frequency, Hz.")] = None,
    shake_amp: Annotated[float, typer.Option(help="Camera shake peak amplitude, pixels.")] = 0.0,
    shake_direction: Annotated[
        float, typer.Option(help="Camera shake direction, degrees (0 right, 90 down).")
    ] = 0.0,
    crf: Annotated[
        int, typer.Option(help="libx264 quality (0 lossless, 18 high, 23 default).")
    ] = 18,
    preset: Annotated[str, typer.Option(help="libx264 speed preset.")] = "medium",
    start: Annotated[float, typer.Option(help="Start in the source, seconds.")] = 0.0,
    duration: Annotated[float | None, typer.Option(help="Length to keep, seconds.")] = None,
    height: Annotated[
        int | None, typer.Option(help="Resize to this height first (aspect kept).")
    ] = None,
    fps: Annotated[
        float | None,
        typer.Option(
            help="Output frame rate: keep the frames nearest a regular grid (like ffmpeg's fps)."
        ),
    ] = None,
    zoom: Annotated[
        str | None,
        typer.Option(help="Camera zoom START:END over the clip, e.g. 1:1.3 (factors >= 1)."),
    ] = None,
    zoom_centre: Annotated[
        str | None,
        typer.Option(help="X,Y the zoom centres on at the start, output pixels (default: centre)."),
    ] = None,
    pan: Annotated[
        str | None,
        typer.Option(help="DX,DY pixels the view's centre travels over the clip (a pan)."),
    ] = None,
    integer_crop: Annotated[
        bool,
        typer.Option(help="Zoom and pan with whole-pixel crop windows (ffmpeg zoompan's jitter)."),
    ] = False,
    spec: Annotated[
        Path | None,
        typer.Option(help="JSON file with lists 'injections' and 'shakes' (instead of flags)."),
    ] = None,
    truth: Annotated[
        Path | None,
        typer.Option(help="Where to write the truth JSON (default: OUTPUT with .truth.json)."),
    ] = None,
) -> None:
    """Inject known motion into regions of a real video, re-encode it, and write the truth."""
    region, twitch = region or [], twitch or []
    if not 0 <= crf <= 51:
        raise typer.BadParameter(f"{crf}: use 0 to 51", param_hint="'--crf'")
    if preset not in X264_PRESETS:
        raise typer.BadParameter(f"use one of {', '.join(X264_PRESETS)}", param_hint="'--preset'")
    if start < 0:
        raise typer.BadParameter(f"{start}: must be zero or positive", param_hint="'--start'")
    if duration is not None and not duration > 0:
        raise typer.BadParameter(f"{duration}: must be positive", param_hint="'--duration'")
    if height is not None and height < 2:
        raise typer.BadParameter(f"{height}: must be at least 2", param_hint="'--height'")
    if fps is not None and not fps > 0:
        raise typer.BadParameter(f"{fps}: must be positive", param_hint="'--fps'")
    camera = camera_from_flags(source, height, zoom, zoom_centre, pan, integer_crop)
    flags_used = region or twitch or freq is not None or shake_freq is not None or shake_amp
    if spec is not None and flags_used:
        raise typer.BadParameter(
            "use either --spec or the motion flags (--region, --freq, --twitch, --shake-*)",
            param_hint="'--spec'",
        )
    if spec is not None:
        loaded = load_spec(spec)
        injections, shakes = loaded.injections, loaded.shakes
        camera = camera or loaded.camera
    else:
        try:
            injections, shakes = _flag_motion(
                region,
                freq,
                amp,
                direction,
                episodes,
                twitch,
                shake_freq,
                shake_amp,
                shake_direction,
                freq_sd,
                amp_mod,
                seed,
            )
        except ValueError as exc:  # a value the dataclasses refuse
            raise typer.BadParameter(str(exc)) from None
    result = inject_video(
        source,
        output,
        injections,
        shakes,
        crf=crf,
        preset=preset,
        start_s=start,
        duration_s=duration,
        resize_to_height=height,
        fps=fps,
        camera=camera,
    )
    truth_path = truth or output.with_suffix(".truth.json")
    write_truth(result, truth_path)
    moved = ", ".join(i.name for i in injections) or "no region"
    shaken = f", {len(shakes)} shake(s)" if shakes else ""
    Console().print(
        f"Wrote {output} ({result.width}x{result.height}, {result.n_frames} frames, "
        f"{result.duration_s:.2f} s, crf {crf}; moved: {moved}{shaken}) and truth {truth_path}",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
