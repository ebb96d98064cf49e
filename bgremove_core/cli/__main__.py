"""``python -m bgremove_core.cli``: the same entry point as the ``bgremove`` script."""

import sys

from .main import main

sys.exit(main())
