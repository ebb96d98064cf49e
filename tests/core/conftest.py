"""Shared fixtures: one Segmenter per model and the model's answers on the shared data, computed once.

Running MediaPipe over the 80 photos and the 70-frame clip takes a few seconds per model; every
accuracy test reuses these probabilities, so each test only pays for the step it checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from bgremove_core.segment import Segmenter
from bgremove_core.settings import ModelName
from lab.data import clip as read_clip
from lab.data import people


@dataclass(frozen=True)
class Photo:
    image: np.ndarray
    truth: np.ndarray
    prob: np.ndarray


@dataclass(frozen=True)
class Clip:
    frames: list[np.ndarray]
    truths: list[np.ndarray]
    probs: list[np.ndarray]


@pytest.fixture(scope="session", params=[m.value for m in ModelName])
def model(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def segmenters() -> Iterator[dict[str, Segmenter]]:
    made = {m.value: Segmenter(m.value) for m in ModelName}
    yield made
    for s in made.values():
        s.close()


@pytest.fixture(scope="session")
def segmenter(segmenters: dict[str, Segmenter]) -> Segmenter:
    """The landscape model, for tests that need a real mask but not a particular model."""
    return segmenters[ModelName.LANDSCAPE]


@pytest.fixture(scope="session")
def answers() -> dict[tuple[str, str], object]:
    """(data set, model) -> the model's answers, kept for the session whatever the test order."""
    return {}


@pytest.fixture
def photos(model: str, segmenters: dict[str, Segmenter], answers: dict, shared_data: Path) -> list[Photo]:
    """The 80 people photos with truth masks and this model's probabilities."""
    key = ("people", model)
    if key not in answers:
        answers[key] = [
            Photo(image, truth, segmenters[model].segment(image)) for _, image, truth in people(shared_data)
        ]
    return answers[key]


@pytest.fixture
def clip(model: str, segmenters: dict[str, Segmenter], answers: dict, shared_data: Path) -> Clip:
    """The lucia clip with hand-drawn masks and this model's probabilities for every frame."""
    key = ("lucia", model)
    if key not in answers:
        frames, truths = read_clip(shared_data)
        answers[key] = Clip(frames, truths, [segmenters[model].segment(f) for f in frames])
    return answers[key]


@pytest.fixture(scope="session")
def lucia_frame(shared_data: Path) -> np.ndarray:
    """One real frame with a person in it (854x480)."""
    return read_clip(shared_data)[0][10]
