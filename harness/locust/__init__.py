"""Locust glue: user classes and the event listeners that run the harness.

Importing this package imports Locust (which monkey-patches with gevent).
"""

from __future__ import annotations

from harness.locust import lifecycle as _lifecycle  # registers the event listeners
from harness.locust.agent_user import AgentUser
from harness.locust.arrival_user import ArrivalUser
from harness.locust.session_user import SessionUser
from harness.locust.shapes import RampShape, SoakShape, SpikeShape, StepShape
from harness.locust.user import ChatUser

__all__ = [
    "AgentUser",
    "ArrivalUser",
    "ChatUser",
    "RampShape",
    "SessionUser",
    "SoakShape",
    "SpikeShape",
    "StepShape",
]
del _lifecycle
