"""File and device I/O around the core: what the CLI reads frames from and writes results to.

One module per concern: :mod:`.formats` (which file suffix means what), :mod:`.ffmpeg` (finding
and running the ffmpeg binary), :mod:`.video` (decoding), :mod:`.writer` (encoding, with alpha
and audio), :mod:`.atomic` (outputs that are never left half-written), :mod:`.images` (stills
with alpha), :mod:`.sources` (camera and screen capture for live use) and :mod:`.democlip` (the
embedded demo clip). Nothing here imports MediaPipe; frames are OpenCV BGR(A) uint8 throughout.
"""
