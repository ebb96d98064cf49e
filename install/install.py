"""bgremove's installer for Linux, Windows and macOS (standard library only): see install/README.md."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bgremove_obs.host.installer import main

sys.exit(main())
