"""The OBS side of the filter: everything that runs inside the OBS process, plus the installer.

By concern: ``script`` (what OBS loads), ``environment`` (find the venv), ``setup``/``installer``
/``obs_python``/``scene_collection`` (build the venv, register the filter), ``libobs`` (C
signatures and structs), ``registry`` (reload-safe registration), ``plugin`` (the filter type's
callbacks), ``filter`` (one instance), ``properties``/``values`` (the panel and settings, from the
core's schema), ``supervisor`` (the worker process's lifecycle), ``readback``/``ring``/``hold``/
``maskstore``/``delay``/``lag``/``colour`` (the frame path), ``gpu`` (effect and textures).

Standard library only (plus the core's standard-library modules): never numpy, OpenCV or
MediaPipe, which live in :mod:`bgremove_obs.worker`.
"""
