"""Generation slots: a capacity limit with a FIFO queue, like a serving engine.

With ``slots = N`` at most N generations run at once; further requests wait
in arrival order, and a freed slot passes straight to the oldest waiter (so a
newcomer can never overtake the queue). The wait happens before the TTFT
clock starts, so queueing shows up in the client's TTFT as load grows.
"""

from __future__ import annotations

from collections import deque

from gevent.event import Event

from .stats import SimulatorStats


class SlotQueue:
    """A FIFO of generation slots: a freed slot goes straight to the oldest waiter."""

    def __init__(self, slots: int, stats: SimulatorStats) -> None:
        self._free = slots
        self._waiters: deque[Event] = deque()
        self._stats = stats

    def try_acquire(self) -> bool:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return True
        return False

    def wait(self) -> None:
        """Queue until a slot is handed over (call after ``try_acquire`` failed)."""
        ticket = Event()
        self._waiters.append(ticket)
        self._stats.enter_queue()
        try:
            ticket.wait()
        except BaseException:
            # Killed while queued (server stopping): give back a slot handed
            # over in the meantime, or leave the queue.
            if ticket.is_set():
                self.release()
            else:
                self._waiters.remove(ticket)
            raise
        finally:
            self._stats.leave_queue()

    def release(self) -> None:
        if self._waiters:
            self._waiters.popleft().set()
        else:
            self._free += 1
