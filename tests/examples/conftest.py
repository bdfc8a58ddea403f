"""Throwaway virtual environments with this project and example plugins installed as wheels.

Tests have no network, so wheels are built offline (no build isolation) and
installed without dependencies; the venv then borrows the dependencies from
this environment's site-packages through a ``.pth`` file, written after the
install so that pip never sees them. The venv's own site-packages stays first
on ``sys.path``, so its copies of the installed projects are the ones used.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ECHO_EXAMPLE = REPO / "examples" / "harness-echo-provider"
_PIP = [sys.executable, "-m", "pip"]


@dataclass(frozen=True)
class InstalledVenv:
    root: Path
    site_packages: Path

    def command(self, name: str) -> str:
        return str(self.root / "bin" / name)

    def run(self, *args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.command(args[0]), *args[1:]],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _checked(command: Sequence[str], timeout: float = 300) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stderr[-3000:]}"
    return result.stdout


def venv_with_wheels_of(projects: Sequence[Path], where: Path) -> InstalledVenv:
    """A venv at ``where/venv`` with each project's wheel installed, dependencies borrowed."""
    wheels = where / "wheels"
    _checked(
        [*_PIP, "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels)]
        + [str(project) for project in projects]
    )
    root = where / "venv"
    # No pip inside: this environment's pip installs into it with --python.
    _checked([sys.executable, "-m", "venv", "--without-pip", str(root)], timeout=120)
    python = str(root / "bin" / "python")
    _checked(
        [*_PIP, "--python", python, "install", "--no-deps", "--no-index", "-q"]
        + [str(wheel) for wheel in sorted(wheels.glob("*.whl"))]
    )
    site = Path(
        _checked(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
        ).strip()
    )
    borrowed = [path for path in sys.path if path.endswith("site-packages")]
    (site / "borrowed-deps.pth").write_text("\n".join(borrowed) + "\n")
    return InstalledVenv(root, site)


@pytest.fixture(scope="module")
def echo_plugin_venv(tmp_path_factory: pytest.TempPathFactory) -> InstalledVenv:
    """This project and examples/harness-echo-provider, installed from wheels."""
    return venv_with_wheels_of([REPO, ECHO_EXAMPLE], tmp_path_factory.mktemp("echo-plugin"))


@pytest.fixture(scope="session")
def echo_example() -> Path:
    """The example plugin's source directory."""
    return ECHO_EXAMPLE
