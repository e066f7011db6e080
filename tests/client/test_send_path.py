"""The send path against a fake Crisp (MockTransport, injected clocks): what each outcome of
an attempt allows next. Never a second POST after the message may have been stored, unless
a complete read proved it absent."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from crisp_console.api import RetryPolicy
from crisp_console.client.send_lookup import LookupIncomplete
from crisp_console.client.sending import SendPolicy
from crisp_console.client.waiting import QueuedError
from crisp_console.client.words import local_hhmm
from crisp_console.errors import (
    ClosedError,
    NotAllowedError,
    ProtocolError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    TransportError,
    ValidationError,
)
from tests.api.helpers import MIDNIGHT, until
from tests.client.send_helpers import SID, rig

pytestmark = pytest.mark.asyncio


async def test_a_plain_send_is_one_post() -> None:
    r = rig()
    out = r.pending()
    await r.sender.deliver(out)
    assert r.crisp.log == ["POST"]
    assert r.status(out) == ("sent", None)
    assert r.crisp.stored(out.fingerprint) == [out.content]
    assert r.sender.owed(SID, out.fingerprint) is None


@pytest.mark.parametrize("fault", ["late503", "late_reset"])
async def test_stored_then_failed_is_found_by_a_read_and_not_posted_again(fault: str) -> None:
    r = rig()
    r.crisp.posts = [fault]
    out = r.pending()
    await r.sender.deliver(out)
    assert r.crisp.log == ["POST", "GET"]
    assert r.crisp.stored(out.fingerprint) == [out.content]
    assert r.status(out) == ("sent", None)
    assert r.sender.stats.found == 1


@pytest.mark.parametrize("fault", ["early503", "early_reset"])
async def test_failed_before_storing_is_posted_again_after_a_read_proves_it_absent(
        fault: str) -> None:
    r = rig()
    r.crisp.posts = [fault]
    out = r.pending()
    await r.sender.deliver(out)
    assert r.crisp.log == ["POST", "GET", "POST"]
    assert r.crisp.stored(out.fingerprint) == [out.content]


async def test_a_reply_that_cannot_reach_crisp_waits_and_goes_without_a_read() -> None:
    """Refused connections (the API layer tried already): queued at once, in words; each
    time a probe gets through it is posted again, never read (it never left)."""
    r = rig()
    r.crisp.posts = ["refused", "refused"]
    out = r.pending()
    with pytest.raises(QueuedError):
        await r.sender.deliver(out)
    assert r.status(out)[1] is not None
    assert (r.status(out)[1] or "").startswith("Queued: Crisp cannot be reached")
    await until(lambda: r.status(out)[0] == "sent", "sent once Crisp answers")
    assert r.crisp.log == ["POST", "HEAD", "POST", "HEAD", "POST"]
    assert r.crisp.stored(out.fingerprint) == [out.content]
    await r.tasks.aclose()


async def test_while_crisp_cannot_be_reached_new_replies_wait_at_once_in_order() -> None:
    r = rig(manual=True)
    r.crisp.reachable = False
    first, second = r.pending("first"), r.pending("second")
    with pytest.raises(QueuedError):
        await r.sender.deliver(first)
    with pytest.raises(QueuedError):
        await r.sender.deliver(second)  # no attempt: Crisp is known to be away
    assert r.crisp.log.count("POST") == 1
    assert r.status(second) == ("queued", r.status(first)[1])
    assert [o.fingerprint for o in r.sender.queued()] == [first.fingerprint, second.fingerprint]
    await until(lambda: r.clock.sleeping > 0, "probing, on the backoff")
    assert set(r.crisp.log[1:]) == {"HEAD"}
    r.crisp.reachable = True
    r.clock.advance(60.0)  # past the probe's backoff delay
    await until(lambda: r.status(second)[0] == "sent", "both sent once a probe got through")
    assert [m["content"] for m in r.crisp.messages[-2:]] == ["first", "second"]
    await r.tasks.aclose()


async def test_a_failed_read_never_lets_a_post_through() -> None:
    r = rig()
    r.crisp.posts = ["early503"]
    r.crisp.reads = ["503", "503", "503"]
    out = r.pending()
    await r.sender.deliver(out)
    assert r.crisp.log == ["POST", "GET", "GET", "GET", "GET", "POST"]
    assert r.crisp.stored(out.fingerprint) == [out.content]


async def test_when_the_window_ends_on_failed_reads_retry_reads_first() -> None:
    r = rig(policy=SendPolicy(window=5.0))
    r.crisp.posts = ["late503"]
    r.crisp.reads = ["503"] * 100
    out = r.pending()
    with pytest.raises(ServerError):
        await r.sender.deliver(out)
    status, error = r.status(out)
    assert status == "failed" and error is not None
    assert error.startswith("Perhaps not sent") and "Retry checks first" in error
    assert "POST" not in r.crisp.log[1:]
    owed = r.sender.owed(SID, out.fingerprint)
    assert owed is not None and owed.ambiguous
    r.crisp.reads = []
    r.crisp.log.clear()
    await r.sender.deliver(out)  # the operator's Retry
    assert r.crisp.log == ["GET"]
    assert r.status(out) == ("sent", None)
    assert r.crisp.stored(out.fingerprint) == [out.content]


async def test_the_window_cuts_a_call_that_hangs_and_the_retry_finds_it() -> None:
    r = rig(policy=SendPolicy(window=0.3, first_delay=0.01), real_time=True)
    r.crisp.posts = ["hang"]  # stored, and then no answer ever comes
    out = r.pending()
    with pytest.raises(TransportError) as caught:
        await r.sender.deliver(out)
    assert caught.value.sent
    status, error = r.status(out)
    assert status == "failed" and error is not None and error.startswith("Perhaps not sent")
    r.crisp.log.clear()
    await r.sender.deliver(out)
    assert r.crisp.log == ["GET"]
    assert r.crisp.stored(out.fingerprint) == [out.content]


async def test_another_consoles_message_under_the_same_fingerprint_is_not_ours() -> None:
    r = rig()
    out = r.pending("our reply")
    r.crisp.add(out.fingerprint, "their reply")  # a colliding console, same fingerprint
    r.crisp.add(out.fingerprint, "our reply", type="note")  # same content, another type
    r.crisp.posts = ["early503"]
    await r.sender.deliver(out)
    assert r.crisp.log == ["POST", "GET", "POST"]
    assert r.crisp.stored(out.fingerprint) == ["their reply", "our reply", "our reply"]
    assert r.sender.stats.found == 0


async def test_a_read_pages_back_past_newer_messages() -> None:
    r = rig()
    r.crisp.posts = ["late503"]
    r.crisp.flood_after_store = 100  # 100 visitor lines land after ours
    out = r.pending()
    await r.sender.deliver(out)
    assert r.crisp.log == ["POST", "GET", "GET", "GET"]
    assert r.crisp.stored(out.fingerprint) == [out.content]


async def test_a_read_stops_at_the_first_attempt_minus_the_skew_margin() -> None:
    r = rig(policy=SendPolicy(skew_ms=60_000), history=0)
    base = int(r.clock.wall() * 1000) - 3_600_000
    for i in range(400):  # an hour-old history: far below the floor
        r.crisp.add(10 ** 15 + i, f"old {i}", timestamp=base + i)
    r.crisp.posts = ["early503"]
    out = r.pending()
    await r.sender.deliver(out)
    assert r.crisp.log == ["POST", "GET", "POST"]  # one batch reached below the floor


async def test_a_read_that_cannot_reach_the_first_attempt_proves_nothing() -> None:
    r = rig(policy=SendPolicy(window=5.0, max_pages=2))
    r.crisp.posts = ["early503"]
    r.crisp.flood_after_store = 0
    out = r.pending()
    for i in range(200):  # newer than the first attempt: two batches do not get past them
        r.crisp.add(10 ** 15 + i, f"visitor {i}", from_="user")
    with pytest.raises(LookupIncomplete):
        await r.sender.deliver(out)
    assert r.crisp.log.count("POST") == 1
    assert r.status(out)[1] is not None and r.status(out)[1].startswith("Perhaps not sent")


async def test_retry_after_zero_cannot_loop() -> None:
    """5,039 requests in 10 s before: now a bounded number over the whole window."""
    r = rig(retry=RetryPolicy(), policy=SendPolicy(window=120.0))
    r.crisp.posts = ["rate0"] * 10_000
    out = r.pending()
    start = r.clock.monotonic()
    with pytest.raises(RateLimitError):
        await r.sender.deliver(out)
    assert len(r.crisp.log) <= 60
    assert r.clock.monotonic() - start <= 120.0 + 60.0  # the window, plus one call's pauses
    status, error = r.status(out)
    assert status == "failed" and error is not None and error.startswith("Not sent")
    assert "GET" not in r.crisp.log  # rate limited means not processed: nothing to read


async def test_a_spent_quota_queues_in_words_and_the_queue_goes_out_in_order() -> None:
    r = rig(manual=True)
    r.crisp.posts = ["quota"]
    replies = [r.pending(f"reply {i}") for i in range(3)]
    for out in replies:
        with pytest.raises(QuotaExceededError):
            await r.sender.deliver(out)
    assert r.crisp.log == ["POST"]  # the next two waited behind the first, no request
    for out in replies:
        status, error = r.status(out)
        assert status == "queued"  # not failed: it goes by itself
        assert error == (f"Queued: the daily API quota is spent; it resets at "
                         f"{local_hhmm(MIDNIGHT)} — it will be sent then")
    assert [o.fingerprint for o in r.sender.queued()] == [o.fingerprint for o in replies]
    await until(lambda: r.clock.sleeping == 1, "the queue waiting for the probe slot")
    assert r.crisp.log == ["POST"]
    r.clock.advance(60.0)
    await until(lambda: all(r.status(o)[0] == "sent" for o in replies), "the queue sent")
    assert r.crisp.log == ["POST", "HEAD", "POST", "POST", "POST"]
    assert [m["content"] for m in r.crisp.messages[-3:]] == ["reply 0", "reply 1", "reply 2"]
    assert r.sender.queued() == []
    await r.tasks.aclose()


async def test_a_queued_ambiguous_reply_is_read_before_it_goes_again() -> None:
    r = rig()
    r.crisp.posts = ["late503"]
    r.crisp.reads = ["quota"]  # the read that should follow is refused: quota spent
    out = r.pending()
    with pytest.raises(QuotaExceededError):
        await r.sender.deliver(out)
    await until(lambda: r.status(out)[0] == "sent", "the queue sent")
    assert r.crisp.log == ["POST", "GET", "HEAD", "GET"]
    assert r.crisp.stored(out.fingerprint) == [out.content]
    await r.tasks.aclose()


async def test_the_operator_can_retry_a_queued_reply_at_any_time() -> None:
    r = rig()
    r.crisp.posts = ["quota"]
    out = r.pending()
    with pytest.raises(QuotaExceededError):
        await r.sender.deliver(out)
    r.sender.api.gate.reopen()  # e.g. another request got through
    await r.sender.deliver(out)
    assert r.status(out) == ("sent", None)
    assert r.sender.queued() == []
    assert r.crisp.stored(out.fingerprint) == [out.content]
    await r.tasks.aclose()


@pytest.mark.parametrize(("fault", "error", "words"), [
    ("invalid", ValidationError, "Not sent: Crisp refused this message"),
    ("forbidden", NotAllowedError, "Not sent: this plugin token is not allowed"),
])
async def test_refusals_fail_in_words_without_a_retry(fault: str, error: type[Exception],
                                                      words: str) -> None:
    r = rig()
    r.crisp.posts = [fault]
    out = r.pending()
    with pytest.raises(error):
        await r.sender.deliver(out)
    assert r.crisp.log == ["POST"]
    status, text = r.status(out)
    assert status == "failed" and text is not None and text.startswith(words)


async def test_an_unreadable_answer_fails_and_the_retry_finds_the_message() -> None:
    r = rig()
    r.crisp.posts = ["garbled"]
    out = r.pending()
    with pytest.raises(ProtocolError):
        await r.sender.deliver(out)
    assert r.crisp.log == ["POST"]
    assert (r.status(out)[1] or "").startswith("Perhaps sent")
    await r.sender.deliver(out)
    assert r.crisp.log == ["POST", "GET"]
    assert r.status(out) == ("sent", None)


async def test_a_read_the_token_may_not_make_says_it_cannot_check() -> None:
    r = rig()
    r.crisp.posts = ["late503"]
    r.crisp.reads = ["403"]
    out = r.pending()
    with pytest.raises(NotAllowedError):
        await r.sender.deliver(out)
    assert r.crisp.log == ["POST", "GET"]
    assert "cannot read the conversation to check" in (r.status(out)[1] or "")


async def test_an_echo_confirms_an_ambiguous_reply_without_a_read() -> None:
    r = rig()

    def echo(msg: dict[str, object]) -> None:  # the RTM echo arrives before the 503
        r.store.apply("message:received", msg)

    r.crisp.on_store = echo
    r.crisp.posts = ["late503"]
    out = r.pending()
    await r.sender.deliver(out)
    assert r.crisp.log == ["POST"]
    assert r.status(out) == ("sent", None)


async def test_two_deliveries_of_one_reply_share_one_flight() -> None:
    r = rig()
    out = r.pending()
    await asyncio.gather(r.sender.deliver(out), r.sender.deliver(dataclasses.replace(out)))
    assert r.crisp.log == ["POST"]


async def test_closing_while_sending_fails_the_reply_in_words() -> None:
    r = rig(real_time=True)
    r.crisp.posts = ["hang_early"]
    out = r.pending()
    sending = asyncio.ensure_future(r.sender.deliver(out))
    await until(lambda: r.crisp.log == ["POST"], "the POST")
    await r.tasks.aclose()
    with pytest.raises(ClosedError):
        await sending
    status, error = r.status(out)
    assert status == "failed" and (error or "").startswith("Perhaps not sent")


async def test_cancelling_the_caller_does_not_cancel_the_send() -> None:
    r = rig(real_time=True)
    r.crisp.posts = ["hang_early"]
    out = r.pending()
    sending = asyncio.ensure_future(r.sender.deliver(out))
    await until(lambda: r.crisp.log == ["POST"], "the POST")
    sending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sending
    assert r.status(out)[0] == "pending"  # still being sent
    await r.tasks.aclose()
