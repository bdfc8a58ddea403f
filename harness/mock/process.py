"""Run the simulator in a child process, for tests and for ``harness run``.

A separate process keeps the simulator's CPU off the load generator's event
loop (and lets a benchmark pin it to its own core), and works the same
whether or not the calling process is gevent-monkey-patched: this module
uses only ``subprocess``, ``select`` and ``urllib`` and never imports gevent.

    with SimulatorProcess(SimulatorConfig(ttft_ms=50)) as sim:
        ...  # send requests to sim.url
        assert sim.stats()["completed"] == 10
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from .cli import LISTENING_PREFIX
from .config import SimulatorConfig

# The directory holding the ``harness`` package, so the child imports the same
# code even when the project is not installed.
_PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Talk to loopback directly, whatever *_proxy variables the environment sets.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class SimulatorStartError(RuntimeError):
    """The child process did not come up; the message carries its stderr."""


class SimulatorProcess:
    """``python -m harness.mock`` as a context manager.

    ``cpu`` pins the child to one CPU (``os.sched_setaffinity``). The child's
    stderr goes to a temporary file (never a pipe nobody reads, which could
    block it), shown in the error when start-up fails.
    """

    def __init__(
        self,
        config: SimulatorConfig | None = None,
        *,
        cpu: int | None = None,
        startup_timeout_s: float = 15.0,
        python: str | None = None,
    ) -> None:
        self.config = config or SimulatorConfig()
        self.cpu = cpu
        self.startup_timeout_s = startup_timeout_s
        self.python = python or sys.executable
        self.url = ""
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._final_stderr = ""

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> SimulatorProcess:
        """Spawn the child and wait for its listening line; return self."""
        if self._process is not None:
            raise RuntimeError("the simulator process is already running")
        self._final_stderr = ""
        command = [self.python, "-m", "harness.mock", *self.config.to_cli_args()]
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(_PROJECT_ROOT), *filter(None, [env.get("PYTHONPATH")])]
        )
        # Lives as long as the child; closed in stop().
        self._stderr = tempfile.TemporaryFile(prefix="harness-mock-", suffix=".stderr")  # noqa: SIM115
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            close_fds=True,
        )
        try:
            if self.cpu is not None:
                os.sched_setaffinity(self._process.pid, {self.cpu})
            line = self._read_listening_line()
        except BaseException:
            self.stop()
            raise
        self.url = line[len(LISTENING_PREFIX) :].strip()
        return self

    def _read_listening_line(self) -> str:
        assert self._process is not None and self._process.stdout is not None
        descriptor = self._process.stdout.fileno()
        deadline = time.monotonic() + self.startup_timeout_s
        received = b""
        while b"\n" not in received:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._start_error(f"no listening line within {self.startup_timeout_s:g} s")
            ready, _, _ = select.select([descriptor], [], [], min(remaining, 0.5))
            if not ready:
                continue
            data = os.read(descriptor, 4096)
            if not data:
                self._process.wait(timeout=5)
                raise self._start_error(f"exited with code {self._process.returncode}")
            received += data
        line = received.split(b"\n", 1)[0].decode("utf-8", "replace")
        if not line.startswith(LISTENING_PREFIX):
            raise self._start_error(f"unexpected first line {line!r}")
        return line

    def _start_error(self, problem: str) -> SimulatorStartError:
        command = " ".join(["python -m harness.mock", *self.config.to_cli_args()])
        return SimulatorStartError(
            f"simulator ({command}) failed to start: {problem}; stderr:\n{self.stderr_text()}"
        )

    def stderr_text(self) -> str:
        """Everything the child wrote to stderr so far (kept after :meth:`stop`)."""
        if self._stderr is None:
            return self._final_stderr
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self, timeout_s: float = 5.0) -> int | None:
        """SIGTERM the child, SIGKILL it after ``timeout_s``; return its exit code."""
        process = self._process
        if process is None:
            return None
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()
        if self._stderr is not None:
            self._final_stderr = self.stderr_text()
            self._stderr.close()
            self._stderr = None
        self._process = None
        self.url = ""
        return process.returncode

    def __enter__(self) -> SimulatorProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- control routes --------------------------------------------------------

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        if not self.url:
            raise RuntimeError("the simulator process is not running")
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(
            self.url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with _OPENER.open(request, timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as error:
            body = error.read()
            try:
                message = json.loads(body)["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = body.decode("utf-8", "replace")
            if error.code == 400:
                raise ValueError(message) from None
            raise RuntimeError(f"{method} {path}: HTTP {error.code}: {message}") from None

    def stats(self) -> dict[str, Any]:
        """The counters of ``GET /_harness/stats`` (see :mod:`harness.mock.stats`)."""
        result: dict[str, Any] = self._call("GET", "/_harness/stats")
        return result

    def reset(self) -> None:
        """Zero the counters (``POST /_harness/reset``)."""
        self._call("POST", "/_harness/reset", {})

    def add_fault(self, spec: str) -> None:
        """Add a fault spec at run time; ValueError with the parse error when bad."""
        self._call("POST", "/_harness/faults", {"spec": spec})

    def faults(self) -> list[str]:
        """The fault specs still able to fire."""
        result: list[str] = self._call("GET", "/_harness/faults")["faults"]
        return result

    def clock_s(self) -> float:
        """The simulator's clock: seconds since it started, as ``@t=`` windows count."""
        return float(self._call("GET", "/_harness/faults")["clock_s"])

    def clear_faults(self) -> None:
        """Remove every fault spec, the configured ones included."""
        self._call("DELETE", "/_harness/faults")
