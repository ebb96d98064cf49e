"""One real install.sh run shared by every installer test of the session.

The install is the slow part (~0.5 GB of wheels into a fresh venv), so it runs once in
:func:`installed_home`: a temporary HOME that looks like a user's after OBS's first run, with
install.sh run from a snapshot of the checkout (edits made to the repository meanwhile do not
change what is being installed). test_install_sh.py exercises re-runs, --register, the refusals
and finally --uninstall on that HOME; test_install_obs.py runs real OBS on the installed venv
without touching that HOME's OBS config, so the two modules can run in either order. The helpers
are in :mod:`tests.support.install`.
"""

from __future__ import annotations

import pytest

from tests.support.install import (
    InstalledHome,
    run_install,
    snapshot_checkout,
    tree,
    user_env,
    write_obs_config,
)


@pytest.fixture(scope="session")
def installed_home(tmp_path_factory: pytest.TempPathFactory) -> InstalledHome:
    """A HOME with OBS's config and bgremove installed by install.sh with real detection.

    Tests that change this HOME's OBS config must leave it as test_install_sh.py expects
    (test_install_obs.py uses its own HOME and only reads the venv).
    """
    root = tmp_path_factory.mktemp("install")
    repo = snapshot_checkout(root / "bgremove")
    home = root / "home"
    home.mkdir()
    write_obs_config(home)
    before = tree(home)
    env = user_env(home)
    result = run_install(repo, env)
    assert result.returncode == 0, result.stdout + result.stderr
    return InstalledHome(
        repo=repo,
        home=home,
        venv=home / ".local" / "share" / "bgremove" / "venv",
        env=env,
        before=before,
        output=result.stdout,
    )
