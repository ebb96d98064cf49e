"""Regenerate every picture in docs/images from the real thing: ``make screenshots``.

Why generated rather than hand-made: the user guide promises "this is what the setting does",
so each picture is a real OBS Studio rendering of the Background Remover filter (started headless
through the test harness, tests/support/obs.py) or a real ``bgremove`` CLI run, and re-running
this script after a change to the filter shows the change in the guide.

Inputs, chosen for their licences (every picture here is committed):

- one frame of ``../shared/data/clips/lucia.mp4`` (DAVIS 2016, Perazzi et al., CC BY-NC 4.0; the
  guide credits it under every picture made from it), encoded losslessly as a short looping clip
  and played by an ``ffmpeg_source``. A still clip rather than the moving one: every frame the
  filter gets is the same, so the temporal smoothing settles and the pictures are repeatable
  (pausing and seeking the real clip left the worker's last frame out of step with the shown one).
- scikit-image's sample photos (in its wheel): the astronaut (public domain) for the CLI
  before/after, SpaceX's rocket (public domain) as the replacement image, and NASA's Hubble deep
  field (public domain) panned into a short clip as the replacement video.

Pictures are downscaled and palette-quantized so each stays under :data:`MAX_BYTES`. The filters
dialog is found and sized with Xlib and captured from the harness's Xvfb display with ffmpeg's
x11grab.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image
from skimage import data as samples

from bgremove_core.settings import schema
from tests.support.install import REAL_HOME, snapshot_checkout
from tests.support.obs import Obs
from tests.support.paths import REPO

from .x11 import X11

IMAGES = REPO / "docs" / "images"
CLIP = REPO / ".." / "shared" / "data" / "clips" / "lucia.mp4"
SOURCE, FILTER, KIND = "Camera clip", "Background Remover", "bgremove_filter"
FRAME_SECONDS = 1.5
"""The frame of the clip shown: the walker in the middle of the picture, a bench behind her."""
FULL_WIDTH = 640
TILE_WIDTH = 300
MAX_BYTES = 300_000
CROP_MARGIN = 0.35
"""Extra room around the person in close-up tiles, as a fraction of the person's box width."""
CHECKER = 16
LABEL_HEIGHT = 28
SETTLE_SECONDS = 30
MOVING_FRAMES = 20
DIALOG_TITLE = b"Filters for "
DIALOG_HEIGHT = 1060
"""Tall enough (on the 1080-line Xvfb screen) to show every setting of the properties panel."""
LABELS = {spec.key: spec.label for spec in schema()}
MAIN_TITLE = b"OBS "
SCRIPTS_TITLE = b"Scripts"
SCRIPTS_PLACE = (400, 60, 1000, 860)
"""x, y, width, height of the Scripts window: on the 1080-line Xvfb screen, big enough for
bgremove's whole panel, button included."""
BUTTON_BGR = (75, 64, 60)
"""The fill of a push button in OBS 29's default (Yami) theme."""
BUTTON_ROW = 100
"""Height of the Scripts window's own buttons (Defaults ... Close) at its bottom, left out."""
TOOLS_SCRIPTS_KEYS = ("alt+t", "Down", "Down", "Down", "Return")
"""Tools menu, then down to Scripts (OBS 29 on Linux: Auto-Configuration Wizard, separator,
Automatic Scene Switcher, Output Timer, Scripts); a wrong count shows up as no Scripts window."""
SELECTED_BGR = (184, 76, 40)
"""The highlight of the selected list row in OBS 29's default (Yami) theme."""
COLOUR_TOLERANCE = 6
SETUP_SECONDS = 1200.0
"""Deadline for the set-up (a venv and ~0.5 GB of wheels from pip's cache): only catches a hang."""


@dataclass(frozen=True)
class Shot:
    """One full-frame OBS picture: its file name and the settings that differ from the defaults.

    String values may name an input file as ``{image}`` or ``{video}``. A ``moving`` picture (a
    video background) never settles: it is taken after :data:`MOVING_FRAMES` frames instead.
    """

    name: str
    settings: Mapping[str, Any] = field(default_factory=dict)
    moving: bool = False


@dataclass(frozen=True)
class Pair:
    """Close-ups of the person side by side: one setting at a few values, all else the same.

    ``cli`` renders with ``bgremove process`` instead of OBS, for what the OBS filter does not draw
    yet (light wrap, see docs/OBS.md "Known gaps").
    """

    name: str
    key: str
    values: tuple[Any, ...]
    base: Mapping[str, Any] = field(default_factory=dict)
    cli: bool = False


MASK = {"show_mask": True}
IMAGE = {"background": "image", "image": "{image}"}
SHOTS = (
    Shot("mode-blur", {"background": "blur"}),
    Shot("mode-colour", {"background": "colour"}),
    Shot("mode-image", IMAGE),
    Shot("mode-video", {"background": "video", "video": "{video}"}, moving=True),
    Shot("mode-transparent", {"background": "transparent"}),
    Shot("show-mask", MASK),
)
PAIRS = (
    Pair("setting-model", "model", ("landscape", "general"), MASK),
    Pair("setting-threshold", "threshold", (0.2, 0.8), MASK),
    Pair("setting-edge-softness", "edge_softness", (0.0, 0.9), MASK),
    Pair("setting-edge-refine", "edge_refine", (False, True), MASK),
    Pair("setting-feather", "feather", (0, 20), MASK),
    Pair("setting-grow", "grow", (-10, 10), MASK),
    Pair("setting-blur-strength", "blur_strength", (8, 100)),
    Pair("setting-light-wrap", "light_wrap", (0.0, 0.3, 1.0), IMAGE, cli=True),
)
ASTRONAUT_RUNS = (("blur", {}), ("transparent", {"background": "transparent"}))


@dataclass(frozen=True)
class Inputs:
    """Files every picture is made from, written into a temporary folder."""

    frame: Path
    clip: Path
    image: Path
    video: Path
    astronaut: Path

    def resolve(self, settings: Mapping[str, Any]) -> dict[str, Any]:
        """``{image}``/``{video}`` placeholders in string values replaced by the real paths."""
        files = {"image": str(self.image), "video": str(self.video)}
        return {k: v.format(**files) if isinstance(v, str) else v for k, v in settings.items()}


def make_inputs(workdir: Path) -> Inputs:
    """The still clip of the lucia frame, the replacement image and video, the astronaut photo."""
    frame, clip = workdir / "frame.png", workdir / "still.mp4"
    ffmpeg = ["ffmpeg", "-v", "error", "-y"]
    grab = ["-ss", str(FRAME_SECONDS), "-i", str(CLIP), "-frames:v", "1", str(frame)]
    subprocess.run([*ffmpeg, *grab], check=True)
    encode = ["-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv444p", "-r", "10", "-t", "3", str(clip)]
    subprocess.run([*ffmpeg, "-loop", "1", "-i", str(frame), *encode], check=True)
    image = workdir / "rocket.png"
    cv2.imwrite(str(image), cv2.cvtColor(samples.rocket(), cv2.COLOR_RGB2BGR))
    video = workdir / "sky.mp4"
    sky = cv2.cvtColor(samples.hubble_deep_field(), cv2.COLOR_RGB2BGR)
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter.fourcc(*"mp4v"), 24, (640, 360))
    h, w = sky.shape[:2]
    for i in range(96):
        x = (w - 640) * i // 95
        writer.write(sky[(h - 360) // 2 : (h + 360) // 2, x : x + 640])
    writer.release()
    astronaut = workdir / "astronaut.png"
    cv2.imwrite(str(astronaut), cv2.cvtColor(samples.astronaut(), cv2.COLOR_RGB2BGR))
    return Inputs(frame, clip, image, video, astronaut)


# ---------------------------------------------------------------------- picture helpers
def save_png(name: str, bgr: np.ndarray, width: int) -> Path:
    """Write docs/images/<name>.png downscaled to ``width`` and quantized to 256 colours."""
    height = round(bgr.shape[0] * width / bgr.shape[1])
    small = cv2.resize(bgr, (width, height), interpolation=cv2.INTER_AREA)
    rgb = Image.fromarray(cv2.cvtColor(small, cv2.COLOR_BGR2RGB))
    path = IMAGES / f"{name}.png"
    rgb.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise RuntimeError(f"{path} is {size} bytes, over the {MAX_BYTES} budget for a docs picture.")
    print(f"wrote {path.relative_to(REPO)} ({size // 1024} KB)")
    return path


def as_bgr(bgra: np.ndarray) -> np.ndarray:
    """Opaque pictures as they are; transparent ones over a grey checkerboard, as editors show them."""
    if bgra.shape[2] == 3 or bgra[..., 3].min() == 255:
        return np.ascontiguousarray(bgra[..., :3])
    h, w = bgra.shape[:2]
    yy, xx = np.mgrid[:h, :w]
    board = np.where(((yy // CHECKER + xx // CHECKER) % 2)[..., None] == 0, 200, 150).astype(np.float32)
    alpha = bgra[..., 3:4].astype(np.float32) / 255
    return (bgra[..., :3].astype(np.float32) * alpha + board * (1 - alpha)).astype(np.uint8)


def tile(bgr: np.ndarray, text: str) -> np.ndarray:
    """The picture at :data:`TILE_WIDTH` with a caption bar under it (text stays readable)."""
    height = round(bgr.shape[0] * TILE_WIDTH / bgr.shape[1])
    small = cv2.resize(bgr, (TILE_WIDTH, height), interpolation=cv2.INTER_AREA)
    bar = np.full((LABEL_HEIGHT, TILE_WIDTH, 3), 32, np.uint8)
    cv2.putText(bar, text, (8, 19), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1, cv2.LINE_AA)
    return np.vstack((small, bar))


def side_by_side(tiles: Sequence[np.ndarray], gap: int = 6) -> np.ndarray:
    spacer = np.full((tiles[0].shape[0], gap, 3), 255, np.uint8)
    parts: list[np.ndarray] = []
    for part in tiles:
        parts += [part, spacer]
    return np.hstack(parts[:-1])


def person_box(mask: np.ndarray) -> tuple[slice, slice]:
    """Rows and columns around the person in a mask picture, with :data:`CROP_MARGIN` of room."""
    ys, xs = np.nonzero(mask > 127)
    dx, dy = int((xs.max() - xs.min()) * CROP_MARGIN), int((ys.max() - ys.min()) * CROP_MARGIN / 3)
    h, w = mask.shape
    rows = slice(max(0, ys.min() - dy), min(h, ys.max() + dy))
    return rows, slice(max(0, xs.min() - dx), min(w, xs.max() + dx))


def caption(key: str, value: Any) -> str:
    shown = ("on" if value else "off") if isinstance(value, bool) else value
    return f"{LABELS[key]}: {shown}"


# ---------------------------------------------------------------------- the bgremove CLI
def cli_flags(settings: Mapping[str, Any]) -> list[str]:
    """``--key value`` flags (``--[no-]key`` for switches), as ``bgremove --help`` lists them."""
    flags: list[str] = []
    for key, value in settings.items():
        name = key.replace("_", "-")
        if isinstance(value, bool):
            flags.append(f"--{name}" if value else f"--no-{name}")
        else:
            flags += [f"--{name}", str(value)]
    return flags


def run_cli(source: Path, output: Path, settings: Mapping[str, Any]) -> np.ndarray:
    """``bgremove process source output <flags>``; returns the written picture (BGR or BGRA)."""
    command = [sys.executable, "-m", "bgremove_core.cli", "process", str(source), str(output)]
    subprocess.run([*command, *cli_flags(settings), "--quiet", "--overwrite"], check=True, cwd=output.parent)
    return cv2.imread(str(output), cv2.IMREAD_UNCHANGED)


def make_cli_pictures(inputs: Inputs) -> None:
    """Before/after of ``bgremove process`` on the astronaut photo."""
    tiles = [tile(cv2.imread(str(inputs.astronaut)), "before")]
    for name, settings in ASTRONAUT_RUNS:
        result = run_cli(inputs.astronaut, inputs.astronaut.with_name(f"astronaut-{name}.png"), settings)
        tiles.append(tile(as_bgr(result), f"after: {name}"))
    joined = side_by_side(tiles)
    save_png("cli-astronaut", joined, joined.shape[1])


# ---------------------------------------------------------------------- real OBS
class Scene:
    """The still clip playing in real OBS with the filter on it; pictures of it under any settings."""

    def __init__(self, obs: Obs, inputs: Inputs) -> None:
        self.obs = obs
        self.inputs = inputs
        obs.add_media(SOURCE, inputs.clip)
        obs.fit_to_canvas(SOURCE)
        obs.add_filter(SOURCE, FILTER, KIND, {})
        obs.wait_log("worker started (pid")

    def show(self, settings: Mapping[str, Any], *, moving: bool = False) -> np.ndarray:
        """Apply ``settings`` over the defaults; BGRA screenshot once two in a row are equal."""
        self.obs.set_filter_settings(SOURCE, FILTER, self.inputs.resolve(settings), overlay=False)
        if moving:
            self.obs.wait_frames(MOVING_FRAMES)
            return cv2.cvtColor(self.obs.screenshot(SOURCE), cv2.COLOR_RGBA2BGRA)
        previous = self.obs.screenshot(SOURCE)
        for _ in range(SETTLE_SECONDS * 2):
            self.obs.wait_frames(5)
            current = self.obs.screenshot(SOURCE)
            if np.array_equal(current, previous):
                return cv2.cvtColor(current, cv2.COLOR_RGBA2BGRA)
            previous = current
        raise RuntimeError(f"The filtered picture did not settle within ~{SETTLE_SECONDS} s for {settings}.")

    def original(self) -> np.ndarray:
        self.obs.set_filter_enabled(SOURCE, FILTER, False)
        self.obs.wait_frames(5)
        shot = self.obs.screenshot(SOURCE)
        self.obs.set_filter_enabled(SOURCE, FILTER, True)
        return cv2.cvtColor(shot, cv2.COLOR_RGBA2BGRA)


def make_obs_pictures(scene: Scene) -> None:
    save_png("obs-original", as_bgr(scene.original()), FULL_WIDTH)
    for shot in SHOTS:
        save_png(shot.name, as_bgr(scene.show(shot.settings, moving=shot.moving)), FULL_WIDTH)
    rows, cols = person_box(scene.show(MASK)[..., 0])
    for pair in PAIRS:
        tiles = []
        for value in pair.values:
            settings = {**pair.base, pair.key: value}
            if pair.cli:
                output = scene.inputs.frame.with_name(f"{pair.name}-{value}.png")
                picture = run_cli(scene.inputs.frame, output, scene.inputs.resolve(settings))
            else:
                picture = scene.show(settings)
            tiles.append(tile(as_bgr(picture)[rows, cols], caption(pair.key, value)))
        joined = side_by_side(tiles)
        save_png(pair.name, joined, joined.shape[1])


def capture_filters_dialog(obs: Obs, workdir: Path) -> None:
    """Open the source's Filters dialog (obs-websocket), make it tall, and grab it from the display."""
    obs.request("OpenInputFiltersDialog", {"inputName": SOURCE})
    obs.wait_frames(30)
    x11 = X11(obs.display)
    try:
        dialog = x11.find(DIALOG_TITLE)
        x11.resize(dialog, x11.geometry(dialog)[2], DIALOG_HEIGHT)
        obs.wait_frames(30)
        picture = x11.grab(dialog, workdir)
    finally:
        x11.close()
    save_png("obs-filters-dialog", picture, min(picture.shape[1], 900))


# ---------------------------------------------------------------------- Tools > Scripts, Set up
def open_scripts_window(x11: X11) -> int:
    """Tools > Scripts from the main window's menu, with the keyboard as a user would."""
    x11.focus(x11.find(MAIN_TITLE))
    x11.keys(*TOOLS_SCRIPTS_KEYS)
    return x11.wait_for(SCRIPTS_TITLE)


def largest_box(picture: np.ndarray, bgr: tuple[int, int, int]) -> tuple[int, int, int, int]:
    """x, y, width, height of the largest patch of colour ``bgr`` (give or take a few levels)."""
    near = np.all(np.abs(picture.astype(np.int16) - bgr) <= COLOUR_TOLERANCE, axis=2).astype(np.uint8)
    count, _, boxes, _ = cv2.connectedComponentsWithStats(near)
    if count < 2:
        raise RuntimeError(f"Nothing of colour {bgr} in the Scripts window.")
    x, y, w, h, _ = max(boxes[1:], key=lambda box: box[4])
    return int(x), int(y), int(w), int(h)


def click_in(x11: X11, window: int, workdir: Path, find: Callable[[np.ndarray], tuple[int, int]]) -> None:
    """Click, with the mouse as a user does, where ``find`` points in a grab of ``window``."""
    x, y = find(x11.grab(window, workdir))
    left, top, _, _ = x11.geometry(window)
    x11.click(left + x, top + y)


def below_selected_row(window: np.ndarray) -> tuple[int, int]:
    """The list row under the highlighted one (the companion comes first, bgremove second)."""
    x, y, w, h = largest_box(window[:, : window.shape[1] // 2], SELECTED_BGR)
    return x + w // 2, y + h + h // 2


def panel_button(window: np.ndarray) -> tuple[int, int]:
    """The button in the script's panel: right half, above the window's own button row."""
    height, width = window.shape[:2]
    x, y, w, h = largest_box(window[: height - BUTTON_ROW, width // 2 :], BUTTON_BGR)
    return width // 2 + x + w // 2, y + h // 2


def make_setup_pictures(workdir: Path) -> None:
    """The Scripts panel of an OBS where bgremove has no environment yet: before the Set up
    bgremove button, while it runs, and once it has finished (a real install from pip's cache)."""
    repo = snapshot_checkout(workdir / "bgremove")
    fresh = {"BGREMOVE_VENV": "", "XDG_DATA_HOME": "", "PIP_CACHE_DIR": str(REAL_HOME / ".cache" / "pip")}
    with Obs(workdir / "obs-setup", scripts=[repo / "obs_bgremove.py"], env=fresh) as obs:
        obs.wait_log("bgremove's Python environment is missing")
        x11 = X11(obs.display)
        try:
            window = open_scripts_window(x11)
            x11.place(window, *SCRIPTS_PLACE)
            obs.wait_frames(10)
            click_in(x11, window, workdir, below_selected_row)
            obs.wait_frames(10)
            save_png("obs-scripts-setup", x11.grab(window, workdir), SCRIPTS_PLACE[2])
            click_in(x11, window, workdir, panel_button)
            obs.wait_log("setup: ")
            obs.wait_frames(10)
            save_png("obs-scripts-setting-up", x11.grab(window, workdir), SCRIPTS_PLACE[2])
            obs.wait_log(f"bgremove set up: filter '{KIND}' ready", timeout=SETUP_SECONDS)
            click_in(x11, window, workdir, panel_button)
            obs.wait_frames(10)
            save_png("obs-scripts-set-up", x11.grab(window, workdir), SCRIPTS_PLACE[2])
        finally:
            x11.close()
        obs.assert_no_script_errors()


GROUPS = ("cli", "filter", "setup")


def main(argv: Sequence[str]) -> None:
    """Make the pictures of the groups named in ``argv`` (all of :data:`GROUPS` without any)."""
    groups = set(argv) or set(GROUPS)
    unknown = groups - set(GROUPS)
    if unknown:
        raise SystemExit(
            f"Unknown picture group(s) {', '.join(sorted(unknown))}; choose from {', '.join(GROUPS)}."
        )
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bgremove-screenshots-") as tmp:
        workdir = Path(tmp)
        inputs = make_inputs(workdir)
        if "cli" in groups:
            make_cli_pictures(inputs)
        if "filter" in groups:
            with Obs(workdir / "obs", scripts=[REPO / "obs_bgremove.py"]) as obs:
                scene = Scene(obs, inputs)
                make_obs_pictures(scene)
                scene.show({})
                capture_filters_dialog(obs, workdir)
                obs.assert_no_script_errors()
        if "setup" in groups:
            make_setup_pictures(workdir)


if __name__ == "__main__":
    main(sys.argv[1:])
