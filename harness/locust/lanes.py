"""Parallel lanes of one simulated user: a UserSession per request it has in flight.

A ChatClient serves one call at a time (its connection pool and its
``last_answer``), so a user that runs steps concurrently gives each running
step a lane of its own, all on the user's target; lanes are reused.
"""

from __future__ import annotations

from harness.locust.user_session import UserSession


class Lanes:
    def __init__(self, first: UserSession) -> None:
        self._first = first
        self._all = [first]
        self._free = [first]

    def take(self) -> UserSession:
        if self._free:
            return self._free.pop()
        lane = UserSession(self._first.target, self._first.workload)
        self._all.append(lane)
        return lane

    def give(self, lane: UserSession) -> None:
        self._free.append(lane)

    def close(self) -> None:
        for lane in self._all:
            lane.close()
