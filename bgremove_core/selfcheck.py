"""Does this Python have everything bgremove needs? ``python -m bgremove_core.selfcheck``.

The usual failure of OBS background-removal plugins is "installed it, the filter never
appeared": a package missing from the interpreter OBS loads, or a model that cannot be read.
The installer runs this module inside the venv it built, and the OBS script can call
:func:`run` to put the same sentences in OBS's log, so both report one problem per sentence
instead of a traceback.

Nothing here needs the network: the models ship inside bgremove itself, and the test
picture is either scikit-image's bundled astronaut (a real person, when the demo extra is
installed) or a flat frame drawn in code, on which only "runs and finds nobody" is checked.
Only the standard library is imported up front, so a missing numpy becomes a sentence too.
"""

from __future__ import annotations

import importlib
import statistics
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .errors import BgRemoveError
from .settings import ModelName
from .systems import SUPPORTED_PYTHON, SUPPORTED_RANGE

if TYPE_CHECKING:
    import numpy as np

Log = Callable[[str], None]

#: Frame size the timings are reported at: the common webcam resolution streamers use.
BENCH_SIZE = (1280, 720)
#: Timed frames per model after one warm-up frame; enough for a stable median in under a second.
BENCH_FRAMES = 10

#: Module -> what the user should do when it cannot be imported.
_IMPORTS: tuple[tuple[str, str], ...] = (
    ("numpy", "install bgremove's pinned requirements (requirements/runtime.txt)"),
    ("cv2", "install opencv-contrib-python from requirements/runtime.txt"),
    ("mediapipe", "install mediapipe from requirements/runtime.txt"),
)


def run(log: Log | None = None) -> list[str]:
    """Check the interpreter, imports and both models; return one sentence per problem.

    ``log`` receives informational lines (versions, paths, timings) as they are measured.
    An empty list means the filter can work in this Python.
    """
    say = log or (lambda _line: None)
    problems = _check_python(say)
    problems += _check_imports(say)
    if problems:
        return problems
    frames = _test_frames(say)
    for model in ModelName:
        problems += _check_model(str(model), frames, say)
    return problems


def _check_python(say: Log) -> list[str]:
    version = sys.version_info[:2]
    in_venv = sys.prefix != sys.base_prefix
    say(f"Python {sys.version.split()[0]} at {sys.executable}")
    say(f"venv: {sys.prefix}" if in_venv else "venv: none (running in the base interpreter)")
    if version not in SUPPORTED_PYTHON:
        return [
            f"Python {version[0]}.{version[1]} is not supported: bgremove needs Python {SUPPORTED_RANGE}."
        ]
    return []


def _check_imports(say: Log) -> list[str]:
    problems = []
    for name, remedy in _IMPORTS:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            problems.append(f"Cannot import {name} ({exc}); {remedy}.")
            continue
        say(f"{name} {getattr(module, '__version__', '?')}")
    return problems


def _test_frames(say: Log) -> dict[str, tuple[np.ndarray, bool]]:
    """Name -> (BGR frame at BENCH_SIZE, whether a person is in it)."""
    import cv2
    import numpy as np

    frames = {"flat frame": (np.full((*BENCH_SIZE[::-1], 3), (40, 120, 200), np.uint8), False)}
    try:
        from skimage.data import astronaut
    except ImportError:
        say("scikit-image not installed: checking only that the models run, not what they see")
        return frames
    person = cv2.resize(cv2.cvtColor(astronaut(), cv2.COLOR_RGB2BGR), BENCH_SIZE)
    frames["astronaut photo"] = (person, True)
    return frames


def _check_model(model: str, frames: dict[str, tuple[np.ndarray, bool]], say: Log) -> list[str]:
    from .segment import Segmenter

    try:
        segmenter = Segmenter(model)
    except BgRemoveError as exc:
        return [f"The {model} model cannot be loaded: {exc}"]
    problems = []
    with segmenter:
        for name, (frame, has_person) in frames.items():
            prob = segmenter.segment(frame)
            problem = _judge(model, name, prob, has_person, segmenter.working_size(*BENCH_SIZE))
            if problem:
                problems.append(problem)
        bench_frame = next(iter(frames.values()))[0]
        timings = []
        for _ in range(BENCH_FRAMES):
            start = time.perf_counter()
            segmenter.segment(bench_frame)
            timings.append((time.perf_counter() - start) * 1000)
    say(
        f"model {model}: {statistics.median(timings):.1f} ms per {BENCH_SIZE[0]}x{BENCH_SIZE[1]} "
        f"frame (median of {BENCH_FRAMES})"
    )
    return problems


def _judge(model: str, name: str, prob: np.ndarray, has_person: bool, size: tuple[int, int]) -> str:
    """One sentence if the mask is malformed or plainly wrong for this picture, else ''.

    A person is judged on the lower-middle third (the torso), which every sane person
    mask covers, so the check does not depend on how edges or hair come out.
    """
    import numpy as np

    where = f"The {model} model on the {name}"
    if prob.shape != size[::-1] or prob.dtype != np.float32:
        return f"{where} returned a {prob.dtype} mask of shape {prob.shape}, not float32 {size[::-1]}."
    if not np.isfinite(prob).all() or prob.min() < 0 or prob.max() > 1:
        return f"{where} returned probabilities outside [0, 1]."
    h, w = prob.shape
    if has_person and prob[h // 3 :, w // 3 : 2 * w // 3].mean() < 0.5:
        return f"{where} did not find the person; the model file may be damaged."
    if not has_person and prob.max() >= 0.5:
        return f"{where} found a person where there is none; the model file may be damaged."
    return ""


def main() -> int:
    """Print what was checked and measured; exit status 1 when anything is wrong."""
    problems = run(print)
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("bgremove self-check: " + ("FAILED" if problems else "OK"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
