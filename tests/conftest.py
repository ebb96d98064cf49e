"""Fixtures shared by every test folder: where the shared development data lives."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared people photos and clip beside the checkout (read-only, never copied)."""
    if not (SHARED_DATA / "clips" / "lucia.mp4").is_file():
        pytest.fail(f"The shared development data is missing at {SHARED_DATA.resolve()}.", pytrace=False)
    return SHARED_DATA
