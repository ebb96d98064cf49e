"""An installed bgremove has its models and the studio its page: the wheel and the sdist both carry
bgremove_core/model_files and bgremove_studio/static;
and the Python versions it accepts are the same wherever they are written down.

Built offline with the build backend pyproject.toml names (setuptools, pinned in requirements/test.txt),
from a copy of the checkout so the build leaves nothing behind in the repository.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from bgremove_core.models import MODEL_DIR
from bgremove_core.systems import SUPPORTED_PYTHON, SUPPORTED_RANGE

REPO = Path(__file__).resolve().parent.parent
SHIPPED = sorted(p.name for p in MODEL_DIR.iterdir() if p.is_file())


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """'wheel' and 'sdist' -> the member names of each archive."""
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    source.mkdir()
    shutil.copy(REPO / "pyproject.toml", source)
    shutil.copy(REPO / "README.md", source)
    for package in ("bgremove_core", "bgremove_obs", "bgremove_studio"):
        shutil.copytree(REPO / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    out = work / "dist"
    for hook in ("build_wheel", "build_sdist"):  # one process each: setuptools keeps state between them
        run = subprocess.run(
            [
                sys.executable,
                "-c",
                f"import sys; from setuptools import build_meta; build_meta.{hook}(sys.argv[1])",
                out,
            ],
            cwd=source,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert run.returncode == 0, run.stderr[-3000:]
    (wheel,), (sdist,) = out.glob("*.whl"), out.glob("*.tar.gz")
    with zipfile.ZipFile(wheel) as whl, tarfile.open(sdist) as tar:
        return {"wheel": whl.namelist(), "sdist": tar.getnames()}


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_archive_carries_the_models_their_licence_and_checksums(
    built: dict[str, list[str]], kind: str
) -> None:
    assert {"LICENSE", "README.md", "SHA256SUMS", "selfie_segmentation.tflite"} <= set(SHIPPED)
    names = built[kind]
    for name in SHIPPED:
        assert any(n.endswith(f"bgremove_core/model_files/{name}") for n in names), (
            f"{name} not in the {kind}"
        )


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_archive_carries_the_studio_page(built: dict[str, list[str]], kind: str) -> None:
    for name in ("index.html", "studio.css", "studio.js"):
        shipped = any(n.endswith(f"bgremove_studio/static/{name}") for n in built[kind])
        assert shipped, f"{name} not in the {kind}"


def test_every_place_that_names_the_supported_pythons_agrees() -> None:
    """pyproject's requires-python and the one list the installer and the self-check read agree."""
    spec = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    low, high = re.fullmatch(r">=3\.(\d+),<3\.(\d+)", spec).groups()
    from_pyproject = [(3, minor) for minor in range(int(low), int(high))]
    assert list(SUPPORTED_PYTHON) == from_pyproject
    assert f"3.{from_pyproject[0][1]} to 3.{from_pyproject[-1][1]}" == SUPPORTED_RANGE
