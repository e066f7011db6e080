"""The gateway against the strict sandbox (crisp-api.md §10): refused rooms and on_refused,
the rescue endpoint, the root path, and hostile frames that must not become tracebacks."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Sequence
from typing import Any

import httpx
import pytest

from crisp_console.errors import RealtimeUnauthorized
from crisp_console.realtime import NO_LIVENESS, Backoff, ConnectionState, ReconnectPolicy
from crisp_console.sandbox.server import Sandbox
from tests.realtime.conftest import (
    FAST,
    GatewayFactory,
    Recorder,
    ServerSpy,
    authenticated_clients,
    subscribed,
    visitors,
)

pytestmark = pytest.mark.asyncio
S = ConnectionState
VISITORS = "website:update_visitors_count"


def unbound(sb: Sandbox) -> str:
    return next(w.website_id for w in sb.state.websites.values() if not w.subscribed)


class Refusals:
    """An ``on_refused`` that answers the given rooms in turn (or raises), counting calls."""

    def __init__(self, *answers: Sequence[str] | Exception | None) -> None:
        self.answers = list(answers)
        self.calls = 0

    async def __call__(self) -> Sequence[str] | None:
        self.calls += 1
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def warnings_of(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The first report of each kind (the reporter adds a summary line at 10, 100...)."""
    return [r.getMessage() for r in caplog.records
            if r.name == "crisp_console.realtime" and r.levelno >= logging.WARNING
            and "times so far" not in r.getMessage()]


# ---- refusals and on_refused --------------------------------------------------------------


@pytest.mark.parametrize("answer", [None, "bound"])
async def test_a_refused_first_authentication_refreshes_once_then_connects(
    sandbox: Sandbox, make_gateway: GatewayFactory, spy: ServerSpy,
    caplog: pytest.LogCaptureFixture, answer: str | None
) -> None:
    first = subscribed(sandbox)[0]
    refusals = Refusals([first] if answer else None)
    gw, rec = make_gateway(on_refused=refusals, events=[VISITORS])
    with caplog.at_level(logging.WARNING, logger="crisp_console.realtime"):
        await gw.connect(sandbox.rtm_url, [first, unbound(sandbox)])
    assert refusals.calls == 1
    assert spy.rooms() == [[first, unbound(sandbox)], [first] if answer else None]
    assert rec.states == [S.CONNECTING, S.AUTHENTICATING, S.RECONNECTING, S.AUTHENTICATING,
                          S.CONNECTED]
    assert gw.rooms == ((first,) if answer else None)
    [warning] = warnings_of(caplog)  # the refusal, its reason, once
    assert "refused" in warning and "not subscribed" in warning
    visitors(sandbox, first, 4)
    await rec.until(lambda: len(rec.events) == 1)


async def test_a_refused_bind_refreshes_and_authenticates_a_fresh_socket(
    sandbox: Sandbox, make_gateway: GatewayFactory, spy: ServerSpy
) -> None:
    first, second = subscribed(sandbox)[:2]
    refusals = Refusals([second])
    gw, rec = make_gateway(on_refused=refusals, events=[VISITORS], rebind_interval=0.05)
    await gw.connect(sandbox.rtm_url, [first])
    gw.set_rooms([first, unbound(sandbox)])  # e.g. a website uninstalled a moment ago
    await rec.until_count(S.CONNECTED, 2)
    assert spy.binds == [{"events": [VISITORS], "rooms": [first, unbound(sandbox)]}]
    assert refusals.calls == 1 and spy.connects == 2
    assert spy.rooms() == [[first], [second]]
    assert rec.states[2:] == [S.CONNECTED, S.RECONNECTING, S.AUTHENTICATING, S.CONNECTED]
    [client] = authenticated_clients(sandbox)
    assert client.rooms == {second}
    visitors(sandbox, first, 1)
    visitors(sandbox, second, 2)
    await rec.until(lambda: len(rec.events) == 1)
    assert rec.events[0][1]["website_id"] == second


async def test_a_second_refusal_in_a_row_is_final(
    sandbox: Sandbox, make_gateway: GatewayFactory, spy: ServerSpy,
    caplog: pytest.LogCaptureFixture
) -> None:
    refusals = Refusals([unbound(sandbox)], [])
    gw, rec = make_gateway(on_refused=refusals)
    with caplog.at_level(logging.WARNING, logger="crisp_console.realtime"), \
            pytest.raises(RealtimeUnauthorized, match="not subscribed"):
        await gw.connect(sandbox.rtm_url, [unbound(sandbox)])
    assert refusals.calls == 1
    assert gw.state is S.UNAUTHORIZED and rec.states[-1] is S.UNAUTHORIZED
    assert spy.connects == 2
    assert len(warnings_of(caplog)) == 2  # each refusal once: "trying once more", "giving up"
    await rec.until(lambda: not sandbox.rtm or not sandbox.rtm.clients)  # we closed ours


async def test_on_refused_raising_makes_the_refusal_final(
    sandbox: Sandbox, make_gateway: GatewayFactory, spy: ServerSpy
) -> None:
    refusals = Refusals(httpx.ConnectError("REST is down"))
    gw, rec = make_gateway(on_refused=refusals)
    with pytest.raises(RealtimeUnauthorized):
        await gw.connect(sandbox.rtm_url, [unbound(sandbox)])
    assert refusals.calls == 1 and spy.connects == 1
    assert rec.states == [S.CONNECTING, S.AUTHENTICATING, S.RECONNECTING, S.UNAUTHORIZED]


async def test_refusals_separated_by_a_success_each_get_their_refresh(
    sandbox: Sandbox, make_gateway: GatewayFactory
) -> None:
    first = subscribed(sandbox)[0]
    refusals = Refusals([first], [first])
    gw, rec = make_gateway(on_refused=refusals, rebind_interval=0.05)
    await gw.connect(sandbox.rtm_url, [unbound(sandbox)])  # refused, refreshed, connected
    gw.set_rooms([unbound(sandbox)])  # refused again, but after a success
    await rec.until_count(S.CONNECTED, 2)
    assert refusals.calls == 2 and gw.state is S.CONNECTED


# ---- rooms: narrowing and widening ----------------------------------------------------------


async def test_widening_reauthenticates_without_rooms_and_never_binds(
    sandbox: Sandbox, make_gateway: GatewayFactory, spy: ServerSpy
) -> None:
    first, second = subscribed(sandbox)[:2]
    gw, rec = make_gateway(events=[VISITORS], rebind_interval=0.05)
    await gw.connect(sandbox.rtm_url, [first])
    gw.set_rooms(None)
    await rec.until_count(S.CONNECTED, 2)
    assert spy.rooms() == [[first], None] and spy.binds == []
    assert rec.states[3:] == [S.RECONNECTING, S.AUTHENTICATING, S.CONNECTED]
    assert rec.sleeps == []  # deliberate: no backoff
    visitors(sandbox, second, 8)
    await rec.until(lambda: len(rec.events) == 1)


# ---- the rescue endpoint ---------------------------------------------------------------------


async def test_main_down_switches_to_rescue_after_three_failures_and_stays(
    sandbox: Sandbox, make_gateway: GatewayFactory, spy: ServerSpy, admin: httpx.AsyncClient
) -> None:
    await admin.patch("faults", json={"rtm_main_down": True})
    gw, rec = make_gateway(events=[VISITORS])
    await asyncio.wait_for(gw.connect([sandbox.rtm_url, sandbox.rescue_url]), 10)
    assert gw.url == sandbox.rescue_url
    assert len(rec.sleeps) == FAST.rescue_after == 3  # three refused handshakes on the main
    assert spy.paths == ["/rescue/"]
    await admin.patch("faults", json={"rtm_main_down": False})
    await admin.post("sockets/drop")
    await rec.until_count(S.CONNECTED, 2)
    assert spy.paths == ["/rescue/", "/rescue/"]  # a success stays where it worked
    visitors(sandbox, subscribed(sandbox)[0], 1)
    await rec.until(lambda: len(rec.events) == 1)


async def test_both_down_alternates_between_main_and_rescue(
    sandbox: Sandbox, make_gateway: GatewayFactory
) -> None:
    urls: list[str | None] = []
    rec_holder: list[Recorder] = []
    enough = asyncio.Event()

    async def sleep(seconds: float) -> None:  # which URL failed, at each retry
        urls.append(gw.url)
        if len(urls) >= 6:
            enough.set()
        await rec_holder[0].sleep(seconds)

    policy = ReconnectPolicy(Backoff(base=0.02, cap=0.05, jitter=0.0), rescue_after=2,
                             connect_timeout=2.0, auth_timeout=2.0, liveness=NO_LIVENESS)
    gw, rec = make_gateway(policy=policy, sleep=sleep)
    rec_holder.append(rec)
    await gw.connect([sandbox.rtm_url, sandbox.rescue_url])
    # Both endpoints stay down until the gateway has retried six times, however slow the
    # machine: the outage is ended by the attempts, not by a clock.
    await sandbox.stop()
    await asyncio.wait_for(enough.wait(), 30)
    await sandbox.start()
    await rec.until_count(S.CONNECTED, 2, timeout=10)
    main, rescue = sandbox.rtm_url, sandbox.rescue_url
    assert len(urls) >= 6
    # The URL of the next attempt at each wait: the drop keeps the main; after that, two
    # failures on one URL move to the other: M (drop), M, R, R, M, M, R...
    assert urls == [main] + [(main, rescue)[(i // 2) % 2] for i in range(1, len(urls))]


# ---- the root path ---------------------------------------------------------------------------


async def test_the_root_path_is_requested_as_slash(
    sandbox: Sandbox, make_gateway: GatewayFactory, spy: ServerSpy
) -> None:
    assert sandbox.rtm_url == f"{sandbox.base_url}/"
    gw, _ = make_gateway()
    await gw.connect(sandbox.rtm_url)
    assert spy.paths == ["/"]  # python-engineio alone would have asked for "//"


# ---- hostile frames --------------------------------------------------------------------------

HOSTILE = ['2not json', '2[]', '2{"a":1}', 'x', '9', '2[["list"],1]',
           f'2["{VISITORS}"]', f'2["{VISITORS}",1,2]', f'2["{VISITORS}","text"]',
           '2["authenticated",1,2,3]']


async def test_hostile_frames_are_counted_not_traced_and_delivery_goes_on(
    sandbox: Sandbox, make_gateway: GatewayFactory, caplog: pytest.LogCaptureFixture
) -> None:
    loop_errors: list[dict[str, Any]] = []
    loop = asyncio.get_running_loop()
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: loop_errors.append(context))
    try:
        gw, rec = make_gateway(events=[VISITORS])
        await gw.connect(sandbox.rtm_url)
        assert sandbox.rtm is not None
        [sid] = sandbox.rtm.clients
        eio_sid = sandbox.rtm.sio.manager.eio_sid_from_sid(sid, "/")
        with caplog.at_level(logging.DEBUG):
            for _ in range(3):
                for frame in HOSTILE:
                    await sandbox.rtm.sio.eio.send(eio_sid, frame)
            await sandbox.rtm.sio.emit(VISITORS, {"visitors_count": 5}, to=sid)
            await rec.until(lambda: len(rec.events) == 1)
            gc.collect()  # an unretrieved task exception would be reported now
    finally:
        loop.set_exception_handler(previous)
    assert loop_errors == []
    assert rec.events == [(VISITORS, {"visitors_count": 5})]
    assert gw.state is S.CONNECTED
    assert not [r for r in caplog.records if r.exc_info or r.levelno > logging.WARNING]
    kinds = {"RTM frame that could not be read": 3 * 7,
             f"RTM {VISITORS} without an object payload": 3 * 3}
    assert dict(gw.problems) == kinds
    assert sorted(w.split(":")[0] for w in warnings_of(caplog)) == sorted(
        k.split(":")[0] for k in kinds)
