"""The bgremove OBS filter: a thin adapter between libobs (via ctypes) and a worker process.

Modules, by concern: ``environment`` (find the venv), ``libobs`` (C signatures and structs),
``registry`` (reload-safe registration), ``plugin`` (the filter type's callbacks), ``filter``
(one instance), ``properties``/``values`` (the panel and settings, from the core's schema),
``channel``/``protocol``/``formats`` (shared memory with the worker), ``supervisor`` (worker
process lifecycle), ``gpu`` (effect and textures), ``worker``/``engine``/``convert`` (the worker
side, the only modules that import numpy, OpenCV and MediaPipe). The OBS process imports only the
standard library and the core's standard-library modules ``bgremove_core.settings``,
``bgremove_core.limits`` and ``bgremove_core.systems``.
"""
