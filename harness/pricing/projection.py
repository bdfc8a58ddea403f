"""What a measured spend comes to per day and per month, at the same rate.

A month is 730 hours (365 days x 24 h / 12, the convention of cloud price
calculators), so a monthly figure is 30.4167 times the daily one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

SECONDS_PER_DAY = Decimal(86_400)
HOURS_PER_MONTH = Decimal(730)
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3_600


@dataclass(frozen=True)
class Projection:
    per_day: Decimal
    per_month: Decimal


def project(amount: Decimal, seconds: Decimal) -> Projection:
    """``amount`` spent over ``seconds``, extended to a day and a month.

    Multiplying before dividing rounds once (Python's decimal context, 28
    significant digits), so the figures do not depend on the order of steps.
    """
    return Projection(
        per_day=amount * SECONDS_PER_DAY / seconds,
        per_month=amount * SECONDS_PER_MONTH / seconds,
    )
