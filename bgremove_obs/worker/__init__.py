"""The filter's worker process: ``python -m bgremove_obs.worker.main <channel file>``.

``main`` (the process: stdin watch, heartbeat, failures as status sentences), ``server`` (drives
the core's mask engine over the channel), ``framecheck``/``convert`` (OBS frame planes checked,
then turned into BGR). The only part of the filter that imports numpy, OpenCV and MediaPipe.
"""
