"""The bgremove OBS filter, split by the process each part runs in.

- :mod:`bgremove_obs.host`: what runs inside OBS (and the installer it launches). Standard
  library plus the core's standard-library modules (``bgremove_core.settings``, ``looks``,
  ``limits``, ``systems``, ``errors``) only, so a missing or broken venv never stops OBS from
  loading the script; ``tests/obs_adapter/test_host_imports.py`` holds it to that.
- :mod:`bgremove_obs.worker`: the worker process, the only part that imports numpy, OpenCV and
  MediaPipe.
- :mod:`bgremove_obs.wire`: what both sides share (the shared-memory channel, its messages, the
  frame formats, the memory fence); standard library only, importing neither side.
"""
