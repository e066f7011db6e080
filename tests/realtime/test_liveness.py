"""The live socket's watchdog and the reconnect's early end, on a virtual clock (liveness.py,
recovery.py); the probe and the watched websocket against real loopback servers."""

from __future__ import annotations

import asyncio
import random
import socket
from collections.abc import AsyncIterator

import aiohttp
import engineio
import pytest
import pytest_asyncio
import socketio
from aiohttp import web

from crisp_console.realtime import Backoff, Liveness, ReconnectPolicy
from crisp_console.realtime.liveness import Silence, Watchdog, probe_until_answered, unanswered
from crisp_console.realtime.recovery import Recovery
from crisp_console.realtime.transport import (
    Answer,
    WatchedWebSocket,
    probe,
    probe_url,
    split_url,
)
from crisp_console.sandbox.server import Sandbox
from tests.clock import VirtualClock


async def settle() -> None:
    """Enough turns of the loop for whatever the clock woke to run to its next wait."""
    for _ in range(20):
        await asyncio.sleep(0)


async def run_clock(clock: VirtualClock, seconds: float) -> None:
    """Let ``seconds`` pass on ``clock`` in steps of 0.5 s (exact in binary), letting every
    woken task run after each step."""
    await settle()
    for _ in range(round(seconds / 0.5)):
        clock.advance(0.5)
        await settle()


LIVE = Liveness(ping_interval=2.5, stall_after=7.0, drop_after=30.0, probe_interval=2.0,
                probe_jitter=0.0)


class Dog:
    """A watchdog on a virtual clock, recording its pings and what it says."""

    def __init__(self, policy: Liveness = LIVE) -> None:
        self.clock = VirtualClock()
        self.pings: list[float] = []
        self.said: list[tuple[str, float]] = []
        self.dog = Watchdog(policy, self.ping, sleep=self.clock.sleep,
                            monotonic=self.clock.monotonic,
                            on_silent=lambda last: self.said.append(("silent", last)),
                            on_heard=lambda: self.said.append(("heard", self.clock.now)))
        self.task = asyncio.ensure_future(self.dog.run())

    async def ping(self) -> None:
        self.pings.append(self.clock.now)

    async def to(self, moment: float) -> None:
        """Let the clock run to ``moment``, in steps of 0.5 s (exact in binary)."""
        await run_clock(self.clock, moment - self.clock.now)


@pytest_asyncio.fixture
async def dog() -> AsyncIterator[Dog]:
    made = Dog()
    try:
        yield made
    finally:
        made.task.cancel()
        await asyncio.gather(made.task, return_exceptions=True)


@pytest.mark.asyncio
async def test_a_quiet_socket_is_pinged_then_silent_after_stall_after(dog: Dog) -> None:
    await dog.to(6.5)
    assert dog.pings == [2.5, 5.0]  # every ping_interval while nothing answers
    assert dog.said == [] and not dog.dog.silent
    await dog.to(7.0)
    assert dog.said == [("silent", 0.0)]  # silent since the last frame (the start)
    await dog.to(10.0)
    assert dog.pings == [2.5, 5.0, 7.5, 10.0]  # it keeps asking: a frozen relay may wake
    assert dog.said == [("silent", 0.0)]  # said once


@pytest.mark.asyncio
async def test_any_frame_ends_the_silence_and_restarts_the_count(dog: Dog) -> None:
    await dog.to(8.0)
    dog.dog.frame()  # the pong of a ping sent while the relay was frozen
    assert dog.said == [("silent", 0.0), ("heard", 8.0)] and not dog.dog.silent
    await dog.to(14.5)
    assert dog.said[-1] == ("heard", 8.0)  # quiet 6.5 s: not silent yet
    await dog.to(15.0)
    assert dog.said[-1] == ("silent", 8.0)


@pytest.mark.asyncio
async def test_frames_keep_it_from_pinging(dog: Dog) -> None:
    for moment in (2.0, 4.0, 6.0, 8.0):  # events every 2 s: proof enough
        await dog.to(moment)
        dog.dog.frame()
    await dog.to(10.0)
    assert dog.pings == [] and dog.said == []
    await dog.to(10.5)
    assert dog.pings == [10.5]  # quiet for ping_interval since the last frame


@pytest.mark.asyncio
async def test_quiet_for_drop_after_gives_the_socket_up(dog: Dog) -> None:
    await dog.to(29.5)
    assert not dog.task.done()
    await dog.to(30.0)
    assert dog.task.done() and dog.task.result() is None


@pytest.mark.asyncio
async def test_a_late_wake_up_is_our_lag_not_the_relays_silence(dog: Dog) -> None:
    await settle()  # it sleeps until its first ping, at 2.5
    dog.clock.advance(12.0)  # our own loop was busy: it wakes 9.5 s late
    await settle()
    assert dog.said == []  # frames may wait unread: not silent yet
    assert dog.pings == [12.0]  # a fresh ping instead
    await dog.to(16.5)
    assert dog.said == [("silent", 9.5)]  # still nothing: silent, 7 s after the lag began


def test_the_policy_refuses_thresholds_in_the_wrong_order() -> None:
    with pytest.raises(ValueError, match="stall_after"):
        Liveness(ping_interval=5.0, stall_after=5.0)
    with pytest.raises(ValueError, match="drop_after"):
        Liveness(stall_after=7.0, drop_after=7.0)
    with pytest.raises(ValueError, match="probe_interval"):
        Liveness(probe_interval=0.0)
    assert ReconnectPolicy().liveness == Liveness()


@pytest.mark.asyncio
async def test_probes_ask_until_the_relay_answers() -> None:
    clock = VirtualClock()
    answers = [Answer.SILENT, Answer.REFUSED, Answer.ANSWERED]
    asked: list[float] = []

    async def ask() -> Answer:
        asked.append(clock.now)
        return answers.pop(0)

    task = asyncio.ensure_future(probe_until_answered(ask, LIVE, sleep=clock.sleep,
                                                      rng=random.Random(1)))
    await run_clock(clock, 6.0)
    assert task.done() and asked == [2.0, 4.0, 6.0]


@pytest.mark.asyncio
async def test_probe_jitter_stays_within_its_bounds() -> None:
    clock = VirtualClock()
    policy = Liveness(probe_interval=2.0, probe_jitter=0.25)

    async def ask() -> Answer:
        return Answer.SILENT if len(clock.sleeps) < 50 else Answer.ANSWERED

    task = asyncio.ensure_future(probe_until_answered(ask, policy, sleep=clock.sleep,
                                                      rng=random.Random(3)))
    await clock.run_out(step=0.5)
    await task
    assert len(clock.sleeps) == 50 and all(1.5 <= s <= 2.5 for s in clock.sleeps)
    assert len(set(clock.sleeps)) > 1  # spread: many consoles do not probe in step


# ---- Recovery: the waits between attempts ------------------------------------------------


class Waits:
    """A Recovery on a virtual clock with a scripted probe."""

    def __init__(self, backoff: Backoff, answers: list[Answer] | None = None) -> None:
        self.clock = VirtualClock()
        self.answers = list(answers or [])
        self.asked: list[float] = []
        self.silence = Silence()
        self.heard: list[float | None] = []
        self.silence.observe(self.heard.append)
        self.recovery = Recovery(ReconnectPolicy(backoff, liveness=LIVE), self.silence,
                                 lambda: "http://relay.invalid/", rng=random.Random(1),
                                 sleep=self.clock.sleep, monotonic=self.clock.monotonic,
                                 ask=self.ask)

    async def ask(self, url: str, wait: float) -> Answer:
        assert (url, wait) == ("http://relay.invalid/", LIVE.probe_timeout)
        self.asked.append(self.clock.now)
        return self.answers.pop(0) if self.answers else Answer.SILENT

    async def wait(self, refused: bool = False, limit: float = 100.0) -> float:
        """Run one wait to its end; how long it took on the clock."""
        start = self.clock.now
        task = asyncio.ensure_future(self.recovery.wait(refused=refused))
        await settle()
        while not task.done():
            assert self.clock.now - start < limit, "the wait never ended"
            await run_clock(self.clock, 0.5)
        await task
        return self.clock.now - start


def retry_at_of(recovery: Recovery) -> float | None:
    return recovery.retry_at  # read afresh: a call is not narrowed by an earlier assert


LONG = Backoff(first_delay=30.0, base=30.0, cap=30.0, jitter=0.0)


@pytest.mark.asyncio
async def test_a_probe_that_is_answered_ends_a_long_wait() -> None:
    waits = Waits(LONG, [Answer.SILENT, Answer.SILENT, Answer.ANSWERED])
    assert await waits.wait() == 6.0  # not 30: the third probe was answered
    assert waits.asked == [2.0, 4.0, 6.0]
    assert waits.recovery.shortcuts == {"probe": 1}
    assert waits.heard == [2.0, None]  # silent since the first probe; then it answered


@pytest.mark.asyncio
async def test_after_an_early_retry_that_failed_the_next_wait_is_served_in_full() -> None:
    waits = Waits(LONG, [Answer.ANSWERED, Answer.ANSWERED, Answer.ANSWERED])
    assert await waits.wait() == 2.0
    asked = len(waits.asked)
    assert await waits.wait() == 30.0  # no probe: answered probes, failing attempts
    assert len(waits.asked) == asked
    assert await waits.wait() == 2.0  # then probing again
    assert waits.recovery.shortcuts == {"probe": 2}


@pytest.mark.asyncio
async def test_a_refusal_or_a_short_wait_is_not_probed() -> None:
    waits = Waits(LONG, [Answer.ANSWERED])
    assert await waits.wait(refused=True) == 30.0  # the relay answered: nothing to learn
    short = Waits(Backoff(first_delay=0.0, base=1.5, cap=1.5, jitter=0.0), [Answer.ANSWERED])
    assert await short.wait() == 0.0
    assert await short.wait() == 1.5  # shorter than a probe interval
    assert waits.asked == short.asked == [] and waits.recovery.shortcuts == {}


@pytest.mark.asyncio
async def test_a_refused_probe_says_down_not_silent() -> None:
    waits = Waits(LONG, [Answer.SILENT, Answer.REFUSED, Answer.ANSWERED])
    await waits.wait()
    assert waits.heard == [2.0, None]  # the refusal ended the silence; the answer said nothing


@pytest.mark.asyncio
async def test_a_rest_answer_restarts_the_backoff_once_per_outage() -> None:
    waits = Waits(Backoff(first_delay=0.0, base=8.0, factor=2.0, cap=64.0, jitter=0.0))
    recovery = waits.recovery
    assert await waits.wait() == 0.0
    task = asyncio.ensure_future(recovery.wait(refused=False))  # 8 s, probed
    await run_clock(waits.clock, 1.0)
    assert recovery.retry_at == 8.0
    recovery.rest_answered()
    await settle()
    assert task.done()
    assert waits.clock.now == 1.0 and retry_at_of(recovery) is None
    assert recovery.shortcuts == {"rest": 1}
    assert await waits.wait() == 0.0  # the backoff started over: immediate, then 8 s
    task = asyncio.ensure_future(recovery.wait(refused=False))
    await settle()
    retry_at = recovery.retry_at
    recovery.rest_answered()  # the same outage: no second restart
    assert recovery.shortcuts == {"rest": 1} and recovery.retry_at == retry_at
    recovery.connected()  # a connection came and went: armed again
    recovery.rest_answered()
    assert recovery.shortcuts == {"rest": 2}
    await task


# ---- the probe and the websocket, on real sockets ----------------------------------------


def test_the_probe_asks_the_engineio_path_without_an_upgrade() -> None:
    assert probe_url("http://127.0.0.1:9/") == "http://127.0.0.1:9/?EIO=4&transport=websocket"
    assert probe_url("wss://relay.example/rtm/?a=1") == \
        "https://relay.example/rtm/?a=1&EIO=4&transport=websocket"


@pytest.mark.asyncio
async def test_probe_tells_answered_refused_and_silent(sandbox: Sandbox) -> None:
    assert await probe(sandbox.rtm_url, 5.0) is Answer.ANSWERED
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    assert await probe(f"http://127.0.0.1:{port}/", 5.0) is Answer.REFUSED
    with socket.socket() as frozen:  # the kernel accepts; nobody ever reads: a frozen relay
        frozen.bind(("127.0.0.1", 0))
        frozen.listen(8)
        port = frozen.getsockname()[1]
        assert await probe(f"http://127.0.0.1:{port}/", 0.2) is Answer.SILENT


@pytest.mark.asyncio
async def test_the_watched_websocket_sees_pongs_and_answers_pings() -> None:
    """Against a server that pings us and answers our pings: every frame reaches on_frame,
    pings and pongs never reach the reader (python-engineio would abort on them)."""
    got_pong = asyncio.Event()

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        await ws.ping(b"server")
        async for msg in ws:
            if msg.type is aiohttp.WSMsgType.PONG and msg.data == b"server":
                got_pong.set()
                await ws.send_str("after the pong")
            elif msg.type is aiohttp.WSMsgType.PING:
                await ws.pong(msg.data)
        return ws

    app = web.Application()
    app.router.add_get("/", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]  # noqa: SLF001
    try:
        async with aiohttp.ClientSession(ws_response_class=WatchedWebSocket) as session, \
                session.ws_connect(f"http://127.0.0.1:{port}/", autoping=False) as ws:
            assert isinstance(ws, WatchedWebSocket)
            frames: list[str] = []
            ws.on_frame = lambda: frames.append("frame")
            msg = await asyncio.wait_for(ws.receive(), 5)  # the ping was answered inside
            assert got_pong.is_set()
            assert (msg.type, msg.data) == (aiohttp.WSMsgType.TEXT, "after the pong")
            assert frames == ["frame", "frame"]  # the ping, the text
            await ws.ping(b"client")
            reading = asyncio.ensure_future(ws.receive())
            async with asyncio.timeout(5):
                while len(frames) < 3:  # the pong: seen, not returned
                    await asyncio.sleep(0.01)
            assert not reading.done()
            reading.cancel()
    finally:
        await runner.cleanup()


def raised_by_socketio(inner: Exception) -> BaseException:
    """What python-socketio raises when aiohttp failed: engineio re-raises inside its except
    (``__context__``), socketio ``from`` that."""
    try:
        try:
            try:
                raise inner
            except Exception:  # noqa: BLE001 - as python-engineio does
                raise engineio.exceptions.ConnectionError("Connection error")  # noqa: B904
        except engineio.exceptions.ConnectionError as exc:
            raise socketio.exceptions.ConnectionError("Connection error") from exc
    except socketio.exceptions.ConnectionError as outer:
        return outer


def test_unanswered_finds_a_timeout_in_the_chain() -> None:
    assert unanswered(TimeoutError())
    assert unanswered(raised_by_socketio(aiohttp.ServerTimeoutError("read")))
    assert not unanswered(raised_by_socketio(ConnectionRefusedError(111, "refused")))
    assert not unanswered(raised_by_socketio(ValueError("bad handshake")))


@pytest.mark.asyncio
async def test_the_sandbox_announces_socketios_default_ping_window(sandbox: Sandbox) -> None:
    """engine.io's own check stays what Crisp's node relay would announce by default
    (pingInterval 25 s, pingTimeout 20 s: 45 s before a client gives up): the watchdog is
    what makes a freeze show sooner, not a kinder sandbox."""
    client = socketio.AsyncClient(reconnection=False)
    try:
        origin, path = split_url(sandbox.rtm_url)
        await client.connect(origin, transports=["websocket"], socketio_path=path)
        assert (client.eio.ping_interval, client.eio.ping_timeout) == (25.0, 20.0)
    finally:
        await client.disconnect()
