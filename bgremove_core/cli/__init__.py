"""The ``bgremove`` command line: one module per subcommand, flags generated from the settings schema.

Importing this package is cheap on purpose: heavy modules (OpenCV, MediaPipe) are imported by a
subcommand only when it runs, so ``bgremove --version`` and ``--help`` answer at once.
"""
