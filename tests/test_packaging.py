"""An installed bgremove has its models and the studio its page: the wheel and the sdist both carry
bgremove_core/model_files and bgremove_studio/static;
the Python versions it accepts are the same wherever they are written down; and building it
(wheel, sdist, the editable install `make` does) prints no setuptools warning.

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
from dataclasses import dataclass
from pathlib import Path

import pytest

from bgremove_core.models import MODEL_DIR
from bgremove_core.systems import SUPPORTED_PYTHON, SUPPORTED_RANGE

REPO = Path(__file__).resolve().parent.parent
SHIPPED = sorted(p.name for p in MODEL_DIR.iterdir() if p.is_file())


# Runs one PEP 517 hook the way pip does: warnings recorded, the UserWarnings among them (setuptools'
# deprecation banners, its "Editable installation" notice) are what pip prints on `pip install -e .`.
HOOK = """
import pathlib, sys, warnings
from setuptools import build_meta
hook, out, record = sys.argv[1:]  # read first: setuptools rewrites sys.argv
with warnings.catch_warnings(record=True) as caught:
    getattr(build_meta, hook)(out)
pathlib.Path(record).write_text(
    "".join(f"{w.category.__name__}: {w.message}\\n" for w in caught if issubclass(w.category, UserWarning))
)
"""


@dataclass(frozen=True)
class Built:
    """The member names of each archive and the warnings each build hook gave pip to print."""

    names: dict[str, list[str]]
    warnings: dict[str, str]
    metadata: str


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    work = tmp_path_factory.mktemp("packaging")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, source)
    for package in ("bgremove_core", "bgremove_obs", "bgremove_studio"):
        shutil.copytree(REPO / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    warnings: dict[str, str] = {}
    for hook in ("build_wheel", "build_sdist", "build_editable"):  # one process each: setuptools keeps state
        out = work / hook
        run = subprocess.run(
            [sys.executable, "-c", HOOK, hook, out, work / f"{hook}.warnings"],
            cwd=source,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert run.returncode == 0, run.stderr[-3000:]
        warnings[hook] = (work / f"{hook}.warnings").read_text()
    (wheel,), (sdist,) = (work / "build_wheel").glob("*.whl"), (work / "build_sdist").glob("*.tar.gz")
    with zipfile.ZipFile(wheel) as whl, tarfile.open(sdist) as tar:
        (metadata,) = (n for n in whl.namelist() if n.endswith(".dist-info/METADATA"))
        return Built(
            names={"wheel": whl.namelist(), "sdist": tar.getnames()},
            warnings=warnings,
            metadata=whl.read(metadata).decode(),
        )


def test_building_and_installing_print_no_setuptools_warnings(built: Built) -> None:
    """`make demo` on a fresh clone runs `pip install -e .`, which prints every UserWarning a hook
    raises (a TOML-table licence was a three-fold deprecation banner, the import-finder editable
    strategy an "Editable installation" notice); the Makefile builds with this same setuptools."""
    assert built.warnings == {"build_wheel": "", "build_sdist": "", "build_editable": ""}
    assert "--no-build-isolation -e ." in (REPO / "Makefile").read_text()


def test_wheel_declares_both_licences(built: Built) -> None:
    assert "License-Expression: MIT AND Apache-2.0" in built.metadata
    for name in ("LICENSE", "bgremove_core/model_files/LICENSE"):
        assert f"License-File: {name}" in built.metadata


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_archive_carries_the_models_their_licence_and_checksums(built: Built, kind: str) -> None:
    assert {"LICENSE", "README.md", "SHA256SUMS", "selfie_segmentation.tflite"} <= set(SHIPPED)
    names = built.names[kind]
    for name in SHIPPED:
        assert any(n.endswith(f"bgremove_core/model_files/{name}") for n in names), (
            f"{name} not in the {kind}"
        )


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_archive_carries_the_studio_page(built: Built, kind: str) -> None:
    for name in ("index.html", "studio.css", "studio.js"):
        shipped = any(n.endswith(f"bgremove_studio/static/{name}") for n in built.names[kind])
        assert shipped, f"{name} not in the {kind}"


@pytest.mark.parametrize("kind", ["wheel", "sdist"])
def test_archive_carries_every_module_of_the_obs_filter(built: Built, kind: str) -> None:
    """The filter is split into subpackages (host/, worker/, wire/); a packages.find pattern
    that only matched the top package would ship an OBS side without its worker."""
    modules = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "bgremove_obs").rglob("*.py"))
    assert any("/worker/" in m for m in modules) and any("/wire/" in m for m in modules)
    missing = [m for m in modules if not any(n.endswith(m) for n in built.names[kind])]
    assert missing == [], f"not in the {kind}: {missing}"


def test_every_place_that_names_the_supported_pythons_agrees() -> None:
    """pyproject's requires-python and the one list the installer and the self-check read agree."""
    spec = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    low, high = re.fullmatch(r">=3\.(\d+),<3\.(\d+)", spec).groups()
    from_pyproject = [(3, minor) for minor in range(int(low), int(high))]
    assert list(SUPPORTED_PYTHON) == from_pyproject
    assert f"3.{from_pyproject[0][1]} to 3.{from_pyproject[-1][1]}" == SUPPORTED_RANGE
