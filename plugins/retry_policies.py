"""The built-in retry policies: none, fixed, exponential and the three jitters."""

from __future__ import annotations

from collections.abc import Callable

from harness import hookimpl
from harness.backoff import BUILT_IN_NAMES, BackoffPolicy
from harness.contracts import RetryPolicy


@hookimpl
def harness_register_retry_policies(register: Callable[[RetryPolicy], None]) -> None:
    for name in BUILT_IN_NAMES:
        register(BackoffPolicy(name))
