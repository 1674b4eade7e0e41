"""Issue 29, choke point 3: the one limit primitive counts first and compares after."""

from __future__ import annotations

from core.base import ratelimit
from core.base.models import RateCount

T0 = 1_800_000_000  # the start of a 60-second window (and of a 900-second one)


def test_count_first_compare_after(db):
    assert [ratelimit.hit("k", 3, 60, now=T0 + 1) for _ in range(5)] == [True] * 3 + [False] * 2
    assert RateCount.get().count == 5  # refused tries are counted too: nothing slips through
    assert ratelimit.hit("k", 3, 60, now=T0 + 60)  # the next window starts afresh
    assert not ratelimit.hit("k", 0, 60, now=T0)  # a limit of 0 lets nothing through


def test_a_try_in_flight_from_the_old_window_does_not_reopen_it(db):
    """A request that read the clock just before the minute turned arrives after the next
    window opened: the old window keeps its count (it used to be re-created at zero)."""
    for _ in range(3):
        ratelimit.hit("widget:ip:1.2.3.4", 3, 60, now=T0 + 10)
    assert ratelimit.hit("widget:ip:1.2.3.4", 3, 60, now=T0 + 61)
    assert not ratelimit.hit("widget:ip:1.2.3.4", 3, 60, now=T0 + 59)


def test_several_keys_and_giving_back(db):
    limits = {"pair": 2, "address": 3}
    assert ratelimit.hit_all(limits, 900, now=T0)
    ratelimit.give_back("address", 900, now=T0)  # a right password is not a failure
    ratelimit.clear("pair", 900)
    assert [ratelimit.hit_all(limits, 900, now=T0) for _ in range(4)] == [True, True, False, False]
    # each key counted every try: the address has 4 (the given-back one is gone)
    assert RateCount.get(RateCount.key == "address/900").count == 4


def test_an_anchored_window_follows_its_record(db):
    """A code's tries are counted from the code's own start, not the clock's grid."""
    start = T0 + 895  # 5 s before the grid's 900-s window would turn
    assert all(ratelimit.hit("code:7", 2, 600, start=start) for _ in range(2))
    assert not ratelimit.hit("code:7", 2, 600, start=start, now=T0 + 905)
