"""The people panel's pure helpers: place and local time, device lines, pages, segments, and
the pending-edit base (custom data values: test_data_values.py; past conversations:
test_past_conversations.py)."""

from __future__ import annotations

from typing import Any

import pytest

from crisp_console.core import Conversation, Person
from crisp_console.present import people_info as info
from tests.core import factories as f

NOW = f.BASE_TIME  # 2023-11-14 22:13:20 UTC
COUNTRIES = {"FR": "France", "US": "United States"}.get


def names(code: str) -> str:
    return COUNTRIES(code) or code


def meta(**device: Any) -> dict[str, Any]:
    return {"device": device}


# ---- where and when ------------------------------------------------------------------------


@pytest.mark.parametrize(("offset", "label"), [
    (60, "23:13 (UTC+1)"),
    (-480, "14:13 (UTC-8)"),
    (330, "03:43 (UTC+5:30)"),  # past midnight: the visitor's next day
    (0, "22:13 (UTC)"),
    (-210, "18:43 (UTC-3:30)"),
])
def test_local_time_from_an_offset_east_of_utc(offset: int, label: str) -> None:
    assert info.local_time_label(offset, NOW) == label


def test_local_time_follows_the_clock() -> None:
    assert info.local_clock(60, NOW + 47 * 60_000) == "00:00"


def test_offset_prefers_the_live_device_then_the_profile() -> None:
    assert info.timezone_offset(meta(timezone=120), {"timezone": 60}) == 120
    assert info.timezone_offset(meta(), {"timezone": -300}) == -300
    assert info.timezone_offset({}, {}) is None


@pytest.mark.parametrize("bad", [True, 99_999, "60", 1.5, None])
def test_implausible_offsets_are_ignored(bad: Any) -> None:
    assert info.timezone_offset(meta(timezone=bad), {}) is None
    assert info.local_time_label(None, NOW) == ""


def test_place_and_local_time_are_lines_of_their_own() -> None:
    geo = {"country": "FR", "region": "Île-de-France", "city": "Paris"}
    live = meta(geolocation=geo, timezone=60)
    assert info.place_line(live, {}, names) == "Paris, France"
    assert info.local_time_line(live, {}, NOW) == "23:13 (UTC+1)"
    profile = {"geolocation": {"country": "US", "region": "Oregon"}}
    assert info.place_line(meta(), profile, names) == "Oregon, United States"
    assert info.local_time_line(meta(), profile, NOW) == ""
    assert info.place_line(meta(timezone=0), {}, names) == ""
    assert info.local_time_line(meta(timezone=0), {}, NOW) == "22:13 (UTC)"
    assert info.place_line({"device": "junk"}, {"geolocation": 3}, names) == ""
    assert info.local_time_line({"device": "junk"}, {"timezone": "x"}, NOW) == ""


# ---- device, languages, network ------------------------------------------------------------


def test_device_line_shows_browser_major_and_os() -> None:
    system = {"os": {"name": "Windows", "version": "11"},
              "browser": {"name": "Firefox", "version": "125.0"}}
    assert info.device_line(meta(system=system)) == "Firefox 125 · Windows 11"
    system["browser"] = {"name": "Chrome", "version": "124.0.1", "major": "124"}
    assert info.device_line(meta(system=system)) == "Chrome 124 · Windows 11"
    assert info.device_line(meta(system={"os": "Linux", "browser": []})) == ""


def test_locales_name_each_language_once_in_order() -> None:
    codes = info.locales_of(meta(locales=["fr", "en-GB", "en", 7, ""]), {})
    assert codes == ["fr", "en-GB", "en"]
    languages = {"fr": "French", "en-GB": "English", "en": "English"}
    assert info.locales_line(codes, languages.__getitem__) == "French, English"
    assert info.locales_of(meta(), {"locales": ["de"]}) == ["de"]


def test_network_line() -> None:
    assert info.network_line({"ip": "203.0.113.9", "connection": {"isp": "Orange",
                                                                   "asn": "AS3215"}}) == \
        "203.0.113.9 · Orange (AS3215)"
    assert info.network_line({"ip": 5, "connection": {"asn": "AS1"}}) == "AS1"


# ---- pages ---------------------------------------------------------------------------------


def page(ts: int, url: str = "https://shop.example/a", title: str = "A") -> dict[str, Any]:
    return {"page_title": title, "page_url": url, "page_referrer": "", "timestamp": ts}


def test_pages_are_validated_merged_newest_first_and_capped() -> None:
    first = info.pages_from([page(1), page(3, "https://shop.example/c"), {"page_url": 5},
                             "junk", {"page_title": "no url"}])
    assert [p.timestamp for p in first] == [1, 3]
    merged = info.merge_pages(first, info.pages_from([page(2), page(3, "https://shop.example/c")]))
    assert [p.timestamp for p in merged] == [3, 2, 1]  # the repeated page is kept once
    many = info.pages_from([page(ts, f"https://shop.example/{ts}") for ts in range(80)])
    capped = info.merge_pages([], many)
    assert len(capped) == info.MAX_PAGES and capped[0].timestamp == 79
    assert info.pages_from({"pages": []}) == []


def test_page_lines_fall_back_to_the_url_and_stay_on_one_line() -> None:
    title, line = info.page_lines(info.Page("", "https://x.example/\npath", "", NOW - 120_000),
                                  NOW)
    assert title == "https://x.example/ path"
    assert line == "2 min · https://x.example/ path"


# ---- segments ------------------------------------------------------------------------------


def test_split_and_add_segments() -> None:
    assert info.split_segments(" vip, trial ,,vip, \n") == ["vip", "trial"]
    assert info.split_segments("x" * 100) == ["x" * info.MAX_SEGMENT]
    assert info.with_segments(["customer", "vip"], ["vip", "trial", "trial"]) == \
        ["customer", "vip", "trial"]


def test_known_segments_most_used_first() -> None:
    convs = [Conversation.from_payload(f.conversation(meta={"segments": s}))
             for s in (["vip", "b2b"], ["vip"], ["lead"])]
    people = [Person.from_payload({"people_id": "p", "segments": ["lead", "beta"]})]
    assert info.known_segments(convs, people) == ["lead", "vip", "b2b", "beta"]


# ---- pending edits ---------------------------------------------------------------------


def test_pending_base_until_seen_or_expired() -> None:
    now = [0.0]
    pending: info.Pending[list[str]] = info.Pending(ttl=10, monotonic=lambda: now[0])
    assert pending.base(["a"]) == ["a"]
    pending.sent(["a", "b"])
    assert pending.base(["a"]) == ["a", "b"]  # the store has not caught up yet
    pending.seen(["a"])  # an older state: keep waiting
    assert pending.base(["a"]) == ["a", "b"]
    pending.seen(["a", "b"])
    assert pending.base(["z"]) == ["z"]
    pending.sent(["q"])
    now[0] = 11.0  # the request failed silently: the store is the truth again
    assert pending.base(["z"]) == ["z"]
