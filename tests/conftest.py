"""Every fixture of the suite comes from one plugin, :mod:`tests.support.fixtures`."""

pytest_plugins = ["tests.support.fixtures"]
