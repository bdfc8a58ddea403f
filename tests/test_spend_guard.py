from __future__ import annotations

from decimal import Decimal as D

import pytest

from harness.spend_guard import SpendGuard


def test_admits_while_worst_cases_fit_and_counts_real_spend() -> None:
    guard = SpendGuard(D("1.00"))
    assert guard.reserve(D("0.40")) and guard.reserve(D("0.40"))
    assert not guard.reserve(D("0.40"))  # 0.80 in flight + 0.40 > 1.00
    guard.add(D("0.10"))
    guard.release(D("0.40"))
    assert guard.reserve(D("0.40"))  # 0.10 spent + 0.40 in flight + 0.40
    guard.add(D("0.50"))
    guard.release(D("0.40"))
    guard.release(D("0.40"))
    assert (guard.spent, guard.reserved) == (D("0.60"), D("0"))
    assert not guard.reserve(D("0.41"))


def test_budget_must_be_positive() -> None:
    with pytest.raises(ValueError):
        SpendGuard(D("0"))
