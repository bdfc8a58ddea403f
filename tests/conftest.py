"""Shared fixtures. Patch with gevent before anything imports ssl, socket users or requests."""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import itertools  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable, Iterator, Sequence  # noqa: E402
from contextlib import ExitStack  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

from harness.contracts import RequestRecord  # noqa: E402
from harness.mock.config import SimulatorConfig  # noqa: E402
from harness.mock.process import SimulatorProcess  # noqa: E402

StartSimulator = Callable[..., SimulatorProcess]
RecordFactory = Callable[..., RequestRecord]


@pytest.fixture
def make_record() -> RecordFactory:
    """A successful streaming attempt on target "a"; keyword arguments override fields."""
    ids = itertools.count(1)

    def build(**overrides: Any) -> RequestRecord:
        fields: dict[str, Any] = {
            "request_id": f"r{next(ids)}",
            "attempt": 1,
            "started_at": 1000.0,
            "target": "a",
            "provider": "openai",
            "model": "m",
            "stream": True,
            "ok": True,
        }
        fields.update(overrides)
        return RequestRecord(**fields)

    return build


@pytest.fixture
def start_simulator() -> Iterator[StartSimulator]:
    """Start simulator subprocesses on loopback; each stops at teardown."""
    with ExitStack() as stack:

        def start(**settings: Any) -> SimulatorProcess:
            return stack.enter_context(SimulatorProcess(SimulatorConfig(**settings)))

        yield start


# Throwaway virtual environments with projects installed from their wheels.
#
# Tests have no network, so wheels are built offline (no build isolation) and
# installed without dependencies; the venv then borrows the dependencies from
# this environment's site-packages through a ``.pth`` file, written after the
# install so that pip never sees them. The venv's own site-packages stays first
# on ``sys.path``, so its copies of the installed projects are the ones used.

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


def _venv_with_wheels_of(projects: Sequence[Path], where: Path) -> InstalledVenv:
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


MakeWheelVenv = Callable[[Sequence[Path], Path], "InstalledVenv"]


@pytest.fixture(scope="session")
def make_wheel_venv() -> MakeWheelVenv:
    """``make_wheel_venv(projects, where)``: a venv with each project installed from its wheel."""
    return _venv_with_wheels_of
