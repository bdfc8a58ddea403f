from __future__ import annotations

import gevent

from harness.mock.slots import SlotQueue
from harness.mock.stats import SimulatorStats


def test_slots_are_handed_over_in_arrival_order() -> None:
    stats = SimulatorStats()
    slots = SlotQueue(1, stats)
    order: list[int] = []
    assert slots.try_acquire()

    def waiter(number: int) -> None:
        slots.wait()
        order.append(number)
        gevent.sleep(0.001)
        slots.release()

    greenlets = [gevent.spawn(waiter, n) for n in range(4)]
    gevent.sleep(0.01)
    assert stats.queued == 4
    assert not slots.try_acquire()  # a newcomer cannot overtake the queue
    slots.release()
    gevent.joinall(greenlets, timeout=5)
    assert order == [0, 1, 2, 3]
    assert (stats.queued, stats.max_queued) == (0, 4)
    assert slots.try_acquire()


def test_a_killed_waiter_leaves_the_queue() -> None:
    stats = SimulatorStats()
    slots = SlotQueue(1, stats)
    assert slots.try_acquire()
    waiting = gevent.spawn(slots.wait)
    gevent.sleep(0.01)
    waiting.kill()
    assert stats.queued == 0
    slots.release()
    assert slots.try_acquire()
