"""A relay frozen for real: the sandbox runs in a process of its own, stopped with SIGSTOP
(its sockets stay open, nothing answers) and resumed with SIGCONT. The gateway says it is
silent while connected, keeps the socket through a short freeze, and after a long one
reconnects as soon as a probe finds the relay back, not when the backoff says."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from crisp_console.realtime import (
    Backoff,
    ConnectionState,
    Liveness,
    RealtimeGateway,
    ReconnectPolicy,
)
from crisp_console.types import Credentials
from tests.client.conftest import until
from tests.realtime.frozen import SandboxProcess, sandbox_process

pytestmark = [pytest.mark.asyncio, pytest.mark.skipif(sys.platform == "win32",
                                                      reason="SIGSTOP")]
S = ConnectionState


class Watched:
    """A gateway on the process's relay, recording states, silences and visitor counts."""

    def __init__(self, sandbox: SandboxProcess, policy: ReconnectPolicy) -> None:
        self.states: list[ConnectionState] = []
        self.silences: list[float | None] = []
        self.counts: list[int] = []
        info = sandbox.info
        self.gateway = RealtimeGateway(Credentials(info["identifier"], info["key"]), self.sink,
                                       events=["website:update_visitors_count"], policy=policy)
        self.gateway.add_state_observer(self.states.append)
        self.gateway.add_silence_observer(self.silences.append)

    def sink(self, name: str, payload: Any) -> None:
        self.counts.append(payload["visitors_count"])


async def test_a_short_freeze_is_silence_on_the_same_socket() -> None:
    policy = ReconnectPolicy(liveness=Liveness(ping_interval=0.25, stall_after=1.5,
                                               drop_after=None, probe_interval=None))
    async with sandbox_process() as sandbox:
        watched = Watched(sandbox, policy)
        gateway = watched.gateway
        try:
            await gateway.connect(sandbox.rtm)
            await sandbox.simulate(action="visitors", count=1)
            await until(lambda: watched.counts == [1], what="a live event")
            sandbox.freeze()
            await until(lambda: gateway.silent_since is not None, timeout=10,
                        what="the frozen relay found silent")
            assert watched.states[-1] is S.CONNECTED  # the same socket: nothing is lost
            sandbox.thaw()
            await until(lambda: gateway.silent_since is None, timeout=10,
                        what="the relay answering again")
            await sandbox.simulate(action="visitors", count=2)
            await until(lambda: watched.counts == [1, 2], what="a live event after SIGCONT")
            assert watched.states == [S.CONNECTING, S.AUTHENTICATING, S.CONNECTED]
            assert watched.silences[-1] is None
        finally:
            await gateway.aclose()


async def test_after_a_long_freeze_a_probe_ends_the_backoff_early() -> None:
    """The socket is given up (drop_after); the retry would wait 60 s, but the probes find
    the relay back right after SIGCONT and the retry goes then."""
    liveness = Liveness(ping_interval=0.25, stall_after=1.0, drop_after=2.0, probe_interval=0.3,
                        probe_timeout=0.5)
    policy = ReconnectPolicy(Backoff(first_delay=60.0, base=60.0, cap=60.0, jitter=0.0),
                             connect_timeout=5.0, liveness=liveness)
    async with sandbox_process() as sandbox:
        watched = Watched(sandbox, policy)
        gateway = watched.gateway
        try:
            await gateway.connect(sandbox.rtm)
            sandbox.freeze()
            await until(lambda: gateway.retry_at is not None, timeout=20,
                        what="the socket given up, and a 60 s wait begun")
            assert watched.states[-1] is S.RECONNECTING
            silent_since = watched.silences[-1]
            assert silent_since is not None  # silent: the probes get no answer
            sandbox.thaw()
            await until(lambda: gateway.state is S.CONNECTED, timeout=20,
                        what="reconnected through a probe")
            assert gateway.shortcuts == {"probe": 1}  # not by waiting the 60 s out
            assert watched.silences[-1] is None
            await sandbox.simulate(action="visitors", count=5)
            await until(lambda: watched.counts == [5], what="a live event after SIGCONT")
            assert watched.states == [S.CONNECTING, S.AUTHENTICATING, S.CONNECTED,
                                      S.RECONNECTING, S.AUTHENTICATING, S.CONNECTED]
        finally:
            await gateway.aclose()
