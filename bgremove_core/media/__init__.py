"""File and device I/O around the core: what the CLI reads frames from and writes results to.

One module per concern: :mod:`.formats` (which file suffix means what), :mod:`.ffmpeg` (finding
and running the ffmpeg binary), :mod:`.video` (decoding), :mod:`.writer` (encoding, with alpha
and audio), :mod:`.atomic` (outputs that are never left half-written), :mod:`.images` (stills
with alpha), :mod:`.sources` (camera and screen capture for live use) and :mod:`.democlip` (the
embedded demo clip). Nothing here imports MediaPipe; frames are OpenCV BGR(A) uint8 throughout.
"""

import os

# OpenCV's FFmpeg backend prints FFmpeg's own log lines ("moov atom not found") on stderr, beside
# the one sentence bgremove gives for the same broken file. The backend reads this variable once,
# when it first opens a file: it is set here, before any module of bgremove_core opens one (they
# all import this package), and a level the user set is kept. -8 is FFmpeg's AV_LOG_QUIET.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
