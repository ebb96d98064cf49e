"""The exceptions bgremove raises, one base class so callers can catch everything of ours.

Hierarchy::

    BgRemoveError             anything bgremove refuses to do, with a sentence a user understands
    ├── SettingsError         a setting is unknown, of the wrong type, or out of range (ValueError)
    ├── ModelError            the segmentation model cannot be found or loaded
    ├── MediaError            an input/background file is missing, unreadable or unsupported
    └── OutputError           an output cannot be written (exists, same as input, disk full, ...)

Every message is a full sentence that names the file or setting involved, because it is shown
as-is on the CLI's stderr and in OBS's log and properties panel.
"""

from __future__ import annotations


class BgRemoveError(Exception):
    """Base class of every error bgremove raises on purpose."""


class SettingsError(BgRemoveError, ValueError):
    """A setting is unknown, has the wrong type, or lies outside its allowed range."""


class ModelError(BgRemoveError):
    """The segmentation model cannot be found or loaded."""


class MediaError(BgRemoveError):
    """An input or background file is missing, unreadable, corrupt or of an unsupported kind."""


class OutputError(BgRemoveError):
    """An output file cannot be written."""
