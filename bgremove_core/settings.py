"""The one settings schema: defaults, ranges and labels for the CLI flags and the OBS panel.

Each setting is declared once, as a field of :class:`Settings` carrying a :class:`FieldSpec`
in its metadata. The CLI generates its flags from :func:`schema`, the OBS adapter generates its
properties panel and defaults from it, and tests read ranges from it, so changing a default or
a label is a one-line change here and nowhere else.

Values are validated when a :class:`Settings` is built, so a Settings object that exists is
always within range; an invalid value raises :class:`~bgremove_core.errors.SettingsError`
naming the field and the allowed range.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from .errors import SettingsError

Kind = Literal["bool", "int", "float", "choice", "colour", "path"]


class Background(StrEnum):
    """What replaces the background."""

    BLUR = "blur"
    COLOUR = "colour"
    IMAGE = "image"
    VIDEO = "video"
    TRANSPARENT = "transparent"


class Stage(StrEnum):
    """What a change of a setting invalidates, from the most to the least work.

    Every setting declares its stage in the schema, so the processors, the OBS worker and the
    compositor learn what to redo from :func:`changed_stages` instead of keeping their own lists
    of keys (which drifted apart when a setting was added in one place and not the others).
    """

    MODEL = "model"
    """The segmentation model must be loaded again (implies MASK)."""
    MASK = "mask"
    """The mask must be computed again (refinement parameters)."""
    BACKGROUND = "background"
    """The replacement background must be opened again (mode, file, colour)."""
    LOOK = "look"
    """Only the composite drawn from the same mask and background changes."""
    PACE = "pace"
    """Only how often the model runs changes; nothing already computed is stale."""


class ModelName(StrEnum):
    """The segmentation models shipped inside the mediapipe wheel."""

    LANDSCAPE = "landscape"
    GENERAL = "general"


@dataclass(frozen=True)
class FieldSpec:
    """How one setting is typed, bounded and presented.

    Attributes:
        key: The stable identifier stored in OBS scene collections and used as ``--key`` on the CLI.
        kind: The value type; decides the widget in OBS and the argparse type on the CLI.
        default: The value used when the user sets nothing.
        label: Short human-readable name (OBS property label, CLI help heading).
        help: One sentence on what the setting changes and when to touch it.
        stage: What a change of this setting invalidates (see :class:`Stage`); the engine and
            the compositors redo exactly that, so a new setting needs no list updated elsewhere.
        minimum: Lowest allowed value for ``int``/``float`` settings.
        maximum: Highest allowed value for ``int``/``float`` settings.
        step: Slider step for ``int``/``float`` settings.
        choices: ``(value, label)`` pairs for ``choice`` settings.
        file_filter: Qt-style file dialog filter for ``path`` settings.
        suffix: Unit shown after the number in OBS (e.g. `` px``).
        cli: Whether the setting is offered as a CLI flag (debug views are OBS-only).
        realtime_only: Whether it only means something where frames arrive in real time (the OBS
            filter, ``bgremove live``); file commands segment every frame, so that their output
            is frame-exact, and do not offer it.
    """

    key: str
    kind: Kind
    default: Any
    label: str
    help: str
    stage: Stage
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    choices: tuple[tuple[str, str], ...] = ()
    file_filter: str = ""
    suffix: str = ""
    cli: bool = True
    realtime_only: bool = False

    def validate(self, value: Any) -> Any:
        """Return ``value`` coerced to this field's type, or raise SettingsError saying why."""
        where = f"Setting '{self.key}' ({self.label})"
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            raise SettingsError(f"{where} must be true or false, not {value!r}.")
        if self.kind in ("int", "float"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise SettingsError(f"{where} must be a number, not {value!r}.")
            if not math.isfinite(value):
                raise SettingsError(f"{where} must be a finite number, not {value!r}.")
            if self.kind == "int":
                if value != int(value):
                    raise SettingsError(f"{where} must be a whole number, not {value!r}.")
                value = int(value)
            else:
                value = float(value)
            assert self.minimum is not None and self.maximum is not None
            if not self.minimum <= value <= self.maximum:
                raise SettingsError(
                    f"{where} must be between {_fmt(self.minimum)} and {_fmt(self.maximum)}, "
                    f"not {_fmt(value)}."
                )
            return value
        if not isinstance(value, str):
            raise SettingsError(f"{where} must be text, not {value!r}.")
        if self.kind == "choice":
            allowed = [v for v, _ in self.choices]
            if value not in allowed:
                raise SettingsError(f"{where} must be one of {', '.join(allowed)}, not {value!r}.")
            return value
        if self.kind == "colour":
            return _parse_colour(value, where)
        return value


def _fmt(number: float) -> str:
    return f"{number:g}"


def _parse_colour(value: str, where: str) -> str:
    text = value.strip().lstrip("#")
    if len(text) != 6 or any(c not in "0123456789abcdefABCDEF" for c in text):
        raise SettingsError(f"{where} must be a colour like #00B140, not {value!r}.")
    return "#" + text.upper()


def _setting(default: Any, **spec: Any) -> Any:
    """Declare a Settings field; its key is the attribute name, so it cannot drift from it."""
    return dataclasses.field(default=default, metadata={"spec": spec})


IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.webp *.tif *.tiff);;All files (*.*)"
VIDEO_FILTER = "Videos (*.mp4 *.mkv *.mov *.webm *.avi *.m4v *.gif);;All files (*.*)"
MODEL_FILTER = "TensorFlow Lite models (*.tflite);;All files (*.*)"


@dataclass(frozen=True)
class Settings:
    """Everything that shapes the result, validated on construction.

    Attributes are documented by their :class:`FieldSpec` (see :func:`schema`), which is what the
    CLI's ``--help`` and OBS's property tooltips show.
    """

    model: str = _setting(
        ModelName.LANDSCAPE.value,
        kind="choice",
        stage=Stage.MODEL,
        label="Model",
        help="Landscape (144x256) is fastest and suits webcams; general (256x256) is a little "
        "more accurate for close-ups and portrait video.",
        choices=(
            (ModelName.LANDSCAPE.value, "Landscape 144x256 (fastest)"),
            (ModelName.GENERAL.value, "General 256x256 (close-ups)"),
        ),
    )
    model_path: str = _setting(
        "",
        kind="path",
        stage=Stage.MODEL,
        label="Custom model file",
        help="A MediaPipe selfie-segmentation .tflite file to use instead of the built-in model.",
        file_filter=MODEL_FILTER,
    )
    follow: bool = _setting(
        True,
        kind="bool",
        stage=Stage.MODEL,
        label="Follow the person",
        help="Runs the model on a crop around the person, so people who are small or far away "
        "keep their detail; the whole frame is still checked regularly for people who walk in. "
        "Costs about half again the segmentation and refinement time when the person is small, "
        "nothing extra when they fill the frame.",
    )
    threshold: float = _setting(
        0.5,
        kind="float",
        stage=Stage.MASK,
        label="Threshold",
        help="How sure the model must be that a pixel is you; raise it if background leaks in, "
        "lower it if your hair or hands get cut off.",
        minimum=0.05,
        maximum=0.95,
        step=0.01,
    )
    edge_softness: float = _setting(
        0.3,
        kind="float",
        stage=Stage.MASK,
        label="Edge softness",
        help="Width of the soft band around the threshold; 0 gives a hard cut-out edge.",
        minimum=0.0,
        maximum=0.9,
        step=0.01,
    )
    smoothing: float = _setting(
        0.5,
        kind="float",
        stage=Stage.MASK,
        label="Temporal smoothing",
        help="How strongly the mask is steadied between frames; it follows fast motion anyway, "
        "so it removes flicker without trailing behind you.",
        minimum=0.0,
        maximum=0.95,
        step=0.05,
    )
    edge_refine: bool = _setting(
        True,
        kind="bool",
        stage=Stage.MASK,
        label="Refine edges",
        help="Snap the mask edge to the real edges in the picture (hair, shoulders) when it is "
        "scaled up from the model's small resolution.",
    )
    feather: int = _setting(
        2,
        kind="int",
        stage=Stage.MASK,
        label="Feather",
        help="Blur radius of the mask edge, in pixels of a 720p picture.",
        minimum=0,
        maximum=30,
        step=1,
        suffix=" px",
    )
    grow: int = _setting(
        0,
        kind="int",
        stage=Stage.MASK,
        label="Grow / shrink",
        help="Move the mask edge outwards (positive) or inwards (negative), in pixels of a 720p picture.",
        minimum=-20,
        maximum=20,
        step=1,
        suffix=" px",
    )
    min_region: float = _setting(
        0.005,
        kind="float",
        stage=Stage.MASK,
        label="Remove small regions",
        help="Drop detached foreground blobs smaller than this fraction of the picture "
        "(stray patches of background); 0 keeps everything.",
        minimum=0.0,
        maximum=0.2,
        step=0.001,
    )
    background: str = _setting(
        Background.BLUR.value,
        kind="choice",
        stage=Stage.BACKGROUND,
        label="Background",
        help="What to put behind you.",
        choices=(
            (Background.BLUR.value, "Blur"),
            (Background.COLOUR.value, "Colour"),
            (Background.IMAGE.value, "Image"),
            (Background.VIDEO.value, "Video"),
            (Background.TRANSPARENT.value, "Transparent"),
        ),
    )
    blur_strength: int = _setting(
        40,
        kind="int",
        stage=Stage.LOOK,
        label="Blur strength",
        help="How blurred the background is, as a blur radius in pixels of a 720p picture.",
        minimum=1,
        maximum=100,
        step=1,
    )
    colour: str = _setting(
        "#00B140",
        kind="colour",
        stage=Stage.BACKGROUND,
        label="Colour",
        help="Background colour in colour mode, as #RRGGBB.",
    )
    image: str = _setting(
        "",
        kind="path",
        stage=Stage.BACKGROUND,
        label="Background image",
        help="Picture shown behind you in image mode; it is scaled to cover the frame.",
        file_filter=IMAGE_FILTER,
    )
    video: str = _setting(
        "",
        kind="path",
        stage=Stage.BACKGROUND,
        label="Background video",
        help="Video played (looping) behind you in video mode; it is scaled to cover the frame.",
        file_filter=VIDEO_FILTER,
    )
    light_wrap: float = _setting(
        0.2,
        kind="float",
        stage=Stage.LOOK,
        label="Light wrap",
        help="Let the new background's light spill a little onto your edges so you look part of "
        "the scene (colour, image and video modes).",
        minimum=0.0,
        maximum=1.0,
        step=0.05,
    )
    max_fps: int = _setting(
        30,
        kind="int",
        stage=Stage.PACE,
        label="Max inference rate",
        help="Run the model at most this many times per second and reuse the last mask in "
        "between; lower it to save CPU. 0 runs it on every frame.",
        minimum=0,
        maximum=120,
        step=1,
        suffix=" fps",
        realtime_only=True,
    )
    keep_in_sync: bool = _setting(
        True,
        kind="bool",
        stage=Stage.PACE,
        label="Keep in sync",
        help="Draw every frame with its own mask: camera and media frames wait for it (captures "
        "and scenes show the picture it was made from), about one frame of video delay, which OBS "
        "shows in the filter's properties (shift your microphone by as much). Off draws the newest "
        "mask on the newest frame: no delay, but the mask trails fast motion.",
        realtime_only=True,
    )
    show_mask: bool = _setting(
        False,
        kind="bool",
        stage=Stage.LOOK,
        label="Show mask (debug)",
        help="Show the mask itself (white = you) instead of the composited picture.",
        cli=False,
    )

    def __post_init__(self) -> None:
        for spec in schema():
            object.__setattr__(self, spec.key, spec.validate(getattr(self, spec.key)))

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, ignore_unknown: bool = False) -> Settings:
        """Build Settings from a dict (OBS data, JSON, CLI args); missing keys take defaults.

        Unknown keys raise SettingsError unless ``ignore_unknown`` is set, which OBS needs because
        its settings objects also carry keys of other versions of this filter.
        """
        known = {spec.key for spec in schema()}
        unknown = sorted(set(values) - known)
        if unknown and not ignore_unknown:
            raise SettingsError(
                f"Unknown setting(s): {', '.join(unknown)}. Known settings: {', '.join(sorted(known))}."
            )
        return cls(**{k: v for k, v in values.items() if k in known})

    def to_mapping(self) -> dict[str, Any]:
        """Return the settings as a plain dict of JSON-compatible values."""
        return dataclasses.asdict(self)

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some settings changed (validated like any construction)."""
        return dataclasses.replace(self, **changes)

    @property
    def colour_bgr(self) -> tuple[int, int, int]:
        """The background colour as an OpenCV (blue, green, red) tuple."""
        rgb = int(self.colour[1:], 16)
        return (rgb & 0xFF, (rgb >> 8) & 0xFF, rgb >> 16)


def schema() -> tuple[FieldSpec, ...]:
    """All settings in display order, each with its type, default, range and label."""
    return _SCHEMA


_SCHEMA: tuple[FieldSpec, ...] = tuple(
    FieldSpec(key=f.name, default=f.default, **f.metadata["spec"]) for f in dataclasses.fields(Settings)
)


def changed_stages(old: Settings, new: Settings) -> frozenset[Stage]:
    """The stages whose inputs differ between ``old`` and ``new`` (a new model implies a new mask)."""
    stages = {spec.stage for spec in _SCHEMA if getattr(old, spec.key) != getattr(new, spec.key)}
    if Stage.MODEL in stages:
        stages.add(Stage.MASK)
    return frozenset(stages)
