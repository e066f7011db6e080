"""Backoff.delays(): immediate first retry, growth, cap, jitter bounds; ReconnectPolicy's
attempt limits."""

from __future__ import annotations

import random
from itertools import islice

import pytest

from crisp_console.realtime import Backoff, ReconnectPolicy


def take(backoff: Backoff, n: int, seed: int = 1) -> list[float]:
    return list(islice(backoff.delays(random.Random(seed)), n))


def test_defaults_follow_crisps_advice() -> None:
    policy = ReconnectPolicy()
    backoff = policy.backoff
    assert (backoff.first_delay, backoff.base, backoff.factor, backoff.cap, backoff.jitter) == (
        0.0, 1.0, 2.0, 30.0, 0.3)
    assert (policy.auth_timeout, policy.connect_timeout) == (10.0, 10.0)


def test_first_retry_is_immediate_whatever_the_jitter() -> None:
    for seed in range(20):
        assert take(Backoff(jitter=0.9), 1, seed) == [0.0]


def test_without_jitter_delays_double_up_to_the_cap() -> None:
    assert take(Backoff(jitter=0.0), 9) == [0.0, 1, 2, 4, 8, 16, 30, 30, 30]


def test_custom_first_delay_base_and_factor() -> None:
    policy = Backoff(first_delay=0.5, base=0.1, factor=3.0, cap=1.0, jitter=0.0)
    assert take(policy, 6) == pytest.approx([0.5, 0.1, 0.3, 0.9, 1.0, 1.0])


def test_jitter_stays_within_bounds_around_the_nominal_delay() -> None:
    policy = Backoff(base=1.0, factor=2.0, cap=8.0, jitter=0.25)
    nominal = [1.0, 2.0, 4.0, 8.0] + [8.0] * 46
    for seed in range(20):
        got = take(policy, 51, seed)[1:]
        for value, nom in zip(got, nominal, strict=True):
            assert nom * 0.75 <= value <= nom * 1.25


def test_jitter_actually_varies_and_is_reproducible() -> None:
    policy = Backoff(jitter=0.3)
    first = take(policy, 12, seed=3)
    assert first == take(policy, 12, seed=3)
    assert first != take(policy, 12, seed=4)
    capped = first[7:]
    assert len(set(capped)) == len(capped)  # not all pinned to the cap


def test_each_iterator_starts_over() -> None:
    # The gateway asks for a new iterator after a successful authentication: the reset.
    policy = Backoff(jitter=0.0)
    used = policy.delays()
    assert list(islice(used, 4)) == [0.0, 1, 2, 4]
    assert next(used) == 8
    assert list(islice(policy.delays(), 3)) == [0.0, 1, 2]


def test_default_rng_is_used_when_none_given() -> None:
    values = list(islice(Backoff(jitter=0.3).delays(), 5))
    assert values[0] == 0.0 and 0.7 <= values[1] <= 1.3


@pytest.mark.parametrize(("kind", "kwargs"), [
    (Backoff, {"base": -1.0}), (Backoff, {"cap": -0.1}), (Backoff, {"first_delay": -1.0}),
    (Backoff, {"factor": 0.5}), (Backoff, {"jitter": 1.0}), (Backoff, {"jitter": -0.1}),
    (ReconnectPolicy, {"auth_timeout": 0.0}), (ReconnectPolicy, {"connect_timeout": -1.0}),
])
def test_nonsense_policies_are_rejected(kind: type, kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match=next(iter(kwargs)).split("_")[0]):
        kind(**kwargs)


def test_policy_is_frozen() -> None:
    with pytest.raises(AttributeError):
        ReconnectPolicy().backoff.base = 2.0  # type: ignore[misc]
    with pytest.raises(AttributeError):
        ReconnectPolicy().auth_timeout = 2.0  # type: ignore[misc]
