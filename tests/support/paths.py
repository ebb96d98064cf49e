"""Where things are: the checkout, the product's OBS script, the test-only OBS scripts, the data.

The shared development data sits beside the checkout (``../shared/data``) in every session and in
CI; it is read in place, never copied into the repository.
"""

from __future__ import annotations

from pathlib import Path

SUPPORT = Path(__file__).resolve().parent
REPO = SUPPORT.parents[1]
SCRIPT = REPO / "obs_bgremove.py"
"""The product's OBS script, as a user adds it in Tools > Scripts."""
COMPANION = SUPPORT / "companion.py"
PROBE = SUPPORT / "probe.py"
SHARED_DATA = (REPO / ".." / "shared" / "data").resolve()
CLIPS = SHARED_DATA / "clips"
LUCIA = CLIPS / "lucia.mp4"
LUCIA_FRAMES = CLIPS / "lucia_frames"
LUCIA_MASKS = CLIPS / "lucia_masks"
PEOPLE = SHARED_DATA / "people"
