from __future__ import annotations

import pytest

from harness.retry_budget import BudgetSettings, RetryBudget


def test_retries_bounded_by_ratio_plus_floor_within_the_window() -> None:
    budget = RetryBudget(BudgetSettings(ratio=0.2, min_per_s=1.0, window_s=10.0))
    for i in range(100):
        budget.record_request(i * 0.01)
    allowed = sum(budget.try_spend(1.0) for _ in range(100))
    assert allowed == 20 + 10  # 20 % of 100 requests, plus 1/s over a 10 s window
    assert budget.denied == 70


def test_deposits_expire_after_the_window() -> None:
    budget = RetryBudget(BudgetSettings(ratio=1.0, min_per_s=0.0, window_s=5.0))
    for _ in range(10):
        budget.record_request(0.0)
    assert budget.try_spend(1.0)
    assert not budget.try_spend(6.0)  # the requests are older than the window


def test_a_zero_budget_refuses_every_retry() -> None:
    budget = RetryBudget(BudgetSettings(ratio=0.0, min_per_s=0.0))
    budget.record_request(0.0)
    assert not budget.try_spend(0.0)


def test_settings_validation() -> None:
    with pytest.raises(ValueError):
        BudgetSettings(window_s=0)
