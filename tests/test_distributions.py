"""Length distributions: SPEC parsing with precise errors, and seeded sampling."""

from __future__ import annotations

import json
import math
import random
import statistics
from collections import Counter
from pathlib import Path

import pytest

from harness.distributions import parse_distribution
from harness.errors import HarnessConfigError

DRAWS = 20_000


def draws(spec: str, seed: int = 1) -> list[int]:
    distribution = parse_distribution(spec)
    rng = random.Random(seed)
    return [distribution.sample(rng) for _ in range(DRAWS)]


def test_fixed_always_gives_its_value() -> None:
    assert set(draws("fixed:128")) == {128}


def test_uniform_covers_its_bounds_inclusive_and_centres() -> None:
    values = draws("uniform:64-512")
    assert min(values) == 64 and max(values) == 512
    assert statistics.fmean(values) == pytest.approx(288, rel=0.02)


def test_normal_mean_and_spread() -> None:
    values = draws("normal:256,64")
    assert statistics.fmean(values) == pytest.approx(256, rel=0.01)
    assert statistics.stdev(values) == pytest.approx(64, rel=0.03)


def test_lognormal_takes_the_median_and_the_sigma_of_the_log() -> None:
    values = draws("lognormal:256,0.5")
    assert statistics.median(values) == pytest.approx(256, rel=0.02)
    assert statistics.fmean(values) == pytest.approx(256 * math.exp(0.5**2 / 2), rel=0.02)


def test_draws_are_clamped_to_at_least_one() -> None:
    values = draws("normal:2,50")
    assert min(values) == 1
    assert all(isinstance(value, int) for value in values)


def test_same_seed_same_draws() -> None:
    assert draws("lognormal:100,1", seed=5) == draws("lognormal:100,1", seed=5)
    assert draws("lognormal:100,1", seed=5) != draws("lognormal:100,1", seed=6)


def test_empirical_csv_follows_the_weights(tmp_path: Path) -> None:
    histogram = tmp_path / "lengths.csv"
    histogram.write_text("value,weight\n# short chats dominate\n100,6\n1000,3\n\n4000,1\n")
    counts = Counter(draws(f"empirical:{histogram}"))
    assert set(counts) == {100, 1000, 4000}
    for value, weight in ((100, 0.6), (1000, 0.3), (4000, 0.1)):
        assert counts[value] / DRAWS == pytest.approx(weight, abs=0.015)


@pytest.mark.parametrize("data", [[[50, 1], [150, 3]], {"50": 1, "150": 3}])
def test_empirical_json_pairs_or_object(tmp_path: Path, data: object) -> None:
    histogram = tmp_path / "lengths.json"
    histogram.write_text(json.dumps(data))
    counts = Counter(draws(f"empirical:{histogram}"))
    assert counts[150] / DRAWS == pytest.approx(0.75, abs=0.015)


def test_empirical_zero_weight_value_is_never_drawn(tmp_path: Path) -> None:
    histogram = tmp_path / "lengths.csv"
    histogram.write_text("10,0\n20,1\n")
    assert set(draws(f"empirical:{histogram}")) == {20}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("128", "expected KIND:PARAMS with KIND one of fixed, uniform"),
        ("poisson:3", "expected KIND:PARAMS"),
        ("fixed:0", "expected a number >= 1, got 0 in fixed:N"),
        ("fixed:abc", "expected a whole number, got 'abc' in fixed:N"),
        ("uniform:512-64", "expected LO <= HI"),
        ("uniform:64", "expected uniform:LO-HI"),
        ("normal:256", "expected normal:MEAN,STDDEV"),
        ("normal:-5,3", "expected a positive centre and a spread >= 0"),
        ("lognormal:256,x", "expected a number, got 'x' in lognormal:MEDIAN,SIGMA"),
        ("lognormal:inf,1", "expected a finite number"),
        ("empirical:/no/such.csv", "no file '/no/such.csv'"),
    ],
)
def test_bad_specs_say_what_was_expected(spec: str, message: str) -> None:
    with pytest.raises(HarnessConfigError, match="--prompt-dist") as error:
        parse_distribution(spec, "--prompt-dist")
    assert message in str(error.value)


def test_bad_empirical_lines_name_file_and_line(tmp_path: Path) -> None:
    histogram = tmp_path / "lengths.csv"
    histogram.write_text("100,1\n200;2\n")
    with pytest.raises(HarnessConfigError, match=r"lengths.csv:2: expected value,weight"):
        parse_distribution(f"empirical:{histogram}")
    histogram.write_text("100,-1\n")
    with pytest.raises(HarnessConfigError, match=r"lengths.csv:1: expected a weight >= 0"):
        parse_distribution(f"empirical:{histogram}")
    histogram.write_text("100,0\n")
    with pytest.raises(HarnessConfigError, match="at least one value with a positive weight"):
        parse_distribution(f"empirical:{histogram}")
