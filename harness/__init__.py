"""llm-load-harness: load-test LLM chat endpoints with Locust.

Importing this package never imports gevent or Locust; the Locust glue lives in
:mod:`harness.locust`, the simulator in :mod:`harness.mock`. Plugin authors
mark their hook implementations with :data:`hookimpl`.
"""

from __future__ import annotations

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("harness")

__all__ = ["__version__", "hookimpl"]
