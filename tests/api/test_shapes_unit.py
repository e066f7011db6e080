"""Every public route method against answers of the wrong shape. Unit tests with
httpx.MockTransport ON PURPOSE: the sandbox always answers well-formed JSON.

Whatever Crisp (or something pretending to be it) answers, only CrispError subclasses may
escape a route method, and a 2xx answer the console cannot read is a ProtocolError: never
AttributeError, KeyError, TypeError, ValueError, OverflowError or RecursionError.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from crisp_console.api import CrispApi
from crisp_console.api.paging import iter_before
from crisp_console.api.routes import Routes
from crisp_console.api.shapes import SAFE_INTEGER
from crisp_console.errors import CrispError, ProtocolError
from tests.api.helpers import FAST, mock_api

W, S, P = "website-1", "session_1", "person@example.com"
WHEN = datetime(2024, 5, 1, tzinfo=UTC)
Call = Callable[[CrispApi], Awaitable[Any]]


async def drain(iterator: Any) -> list[Any]:
    return [item async for item in iterator]


# One call per public route method; the test below fails when a method is missing here.
CALLS: dict[str, Call] = {
    "check_session": lambda a: a.check_session(),
    "connect_account": lambda a: a.connect_account(),
    "connect_websites": lambda a: a.connect_websites(),
    "iter_connect_websites": lambda a: drain(a.iter_connect_websites()),
    "connect_websites_since": lambda a: a.connect_websites_since(WHEN),
    "connect_endpoints": lambda a: a.connect_endpoints(),
    "subscription_settings": lambda a: a.subscription_settings(W, "plugin"),
    "save_settings": lambda a: a.save_settings(W, "plugin", {"a": 1}),
    "update_settings": lambda a: a.update_settings(W, "plugin", {"a": 1}),
    "get_website": lambda a: a.get_website(W),
    "list_operators": lambda a: a.list_operators(W),
    "operator_availabilities": lambda a: a.operator_availabilities(W),
    "list_conversations": lambda a: a.list_conversations(W),
    "iter_conversations": lambda a: drain(a.iter_conversations(W)),
    "get_conversation": lambda a: a.get_conversation(W, S),
    "create_conversation": lambda a: a.create_conversation(W),
    "remove_conversation": lambda a: a.remove_conversation(W, S),
    "get_messages": lambda a: a.get_messages(W, S),
    "iter_messages_before": lambda a: drain(a.iter_messages_before(W, S, None)),
    "send_message": lambda a: a.send_message(W, S, type="text", content="hi", fingerprint=7),
    "update_message": lambda a: a.update_message(W, S, 7, "edited"),
    "remove_message": lambda a: a.remove_message(W, S, 7),
    "compose": lambda a: a.compose(W, S, "start", excerpt="typing"),
    "mark_read": lambda a: a.mark_read(W, S),
    "mark_unread": lambda a: a.mark_unread(W, S),
    "schedule_reminder": lambda a: a.schedule_reminder(W, S, WHEN, "note"),
    "set_state": lambda a: a.set_state(W, S, "resolved"),
    "assign": lambda a: a.assign(W, S, "operator-1"),
    "update_meta": lambda a: a.update_meta(W, S, {"nickname": "x"}),
    "set_block": lambda a: a.set_block(W, S, True),
    "list_pages": lambda a: a.list_pages(W, S),
    "list_events": lambda a: a.list_events(W, S),
    "list_files": lambda a: a.list_files(W, S),
    "get_person": lambda a: a.get_person(W, P),
    "update_person": lambda a: a.update_person(W, P, {"email": "a@b.co"}),
    "get_person_data": lambda a: a.get_person_data(W, P),
    "list_person_events": lambda a: a.list_person_events(W, P),
    "list_person_conversations": lambda a: a.list_person_conversations(W, P),
    "generate_bucket_url": lambda a: a.generate_bucket_url(request_id="r", name="n.png",
                                                           mime="image/png"),
}


def objects(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(x, dict) for x in value)


def safe(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) \
        and abs(value) <= SAFE_INTEGER


# What each method may return when it does not raise: its promise to the caller.
LISTS = {"connect_websites", "iter_connect_websites", "connect_websites_since",
         "list_operators", "operator_availabilities", "list_conversations",
         "iter_conversations", "get_messages", "list_pages", "list_events", "list_files",
         "list_person_events"}
OBJECTS = {"connect_account", "connect_endpoints", "subscription_settings", "get_website",
           "get_conversation", "get_person", "get_person_data"}
CHECKS: dict[str, Callable[[Any], bool]] = {
    **{name: objects for name in LISTS},
    **{name: lambda v: isinstance(v, dict) for name in OBJECTS},
    "check_session": lambda v: v is True,
    "create_conversation": lambda v: isinstance(v, str) and v != "",
    "send_message": safe,
    "iter_messages_before": lambda v: isinstance(v, list) and all(objects(b) for b in v),
    "list_person_conversations": lambda v: isinstance(v, list)
    and all(isinstance(x, str) for x in v),
}
MUTATIONS = set(CALLS) - set(CHECKS)


def public_route_methods() -> set[str]:
    return {name for name, member in inspect.getmembers(Routes)
            if not name.startswith("_") and name != "request" and callable(member)}


def test_the_battery_covers_every_public_route_method() -> None:
    assert set(CALLS) == public_route_methods()
    assert all(CHECKS[name] for name in set(CALLS) - MUTATIONS)


DEEP = "[" * 100_000 + "]" * 100_000
HUGE_INT = "1" * 5000  # more digits than int() accepts by default: json raises ValueError
# Raw bodies that are not a readable envelope at all.
NOT_ENVELOPES = ["null", '"text"', "42", "true", "[]", "[1, 2]", "Infinity", "NaN", "1e400",
                 "", "<html>hi</html>", "\xff\xfe", DEEP, HUGE_INT, '{"data": ' + DEEP + "}"]
# ``data`` values (raw JSON text) of the wrong shape, in a well-formed envelope.
WRONG_DATA = [
    "null", '"text"', "42", "-Infinity", "Infinity", "NaN", "1e400", "true", "[]", "{}",
    '[1, "x", null, Infinity, [], true]', '[{}, 1]', "[[]]", '{"x": 1}', HUGE_INT,
    '{"session_id": 5}', '{"session_id": ""}', '{"session_id": Infinity}',
    '{"session_id": ["s"]}', '{"plugin_id": null}', '{"plugin_id": {"a": 1}}',
    '{"socket": "x"}', '{"socket": {"app": 5}}', '{"socket": {"app": "http://h/"}, "rescue": 5}',
    '{"socket": {"app": "http://h/"}, "rescue": {"socket": []}}',
    '{"fingerprint": Infinity}', '{"fingerprint": NaN}', '{"fingerprint": 1e400}',
    '{"fingerprint": 9007199254740993}', '{"fingerprint": -9007199254740993}',
    '{"fingerprint": "7"}', '{"fingerprint": true}', '{"fingerprint": 7.5}',
    '{"state": 5}', '{"state": null}', '{"state": ["resolved"]}',
    '{"assigned": "u"}', '{"assigned": []}', '{"assigned": {"user_id": 5}}',
    '{"assigned": {"user_id": Infinity}}', '{"blocked": "yes"}', '{"blocked": Infinity}',
    '{"blocked": null}', '{"data": "x"}', '{"data": [1]}', '{"data": Infinity}',
    '[{"timestamp": Infinity}, {"timestamp": NaN}, {"timestamp": "x"}, {"timestamp": 1e400}]',
    '[{"timestamp": -Infinity, "fingerprint": Infinity}]', '[{"timestamp": null}]',
    '[{"session_id": [1]}, {"session_id": {"a": 1}}, {"session_id": Infinity}]',
    '["session_1", 5, null, {"a": 1}, Infinity]', '[{"x": NaN}]',
]
ERROR_ANSWERS = [  # error statuses with bodies of the wrong shape
    (404, '{"error": true, "reason": 5, "data": "x"}'),
    (403, '{"error": true, "reason": null, "data": Infinity}'),
    (400, '{"error": true, "reason": "invalid_data", "data": {"message": Infinity}}'),
    (429, '{"error": true, "reason": ["x"], "data": []}'),
    (420, "NaN"),
    (409, DEEP),
    (503, '{"reason": 1e400}'),
]


def answering(status: int, body: str, headers: dict[str, str] | None = None,
              ) -> Callable[[httpx.Request], httpx.Response]:
    raw = body.encode("utf-8", "surrogateescape")

    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "HEAD":
            return httpx.Response(status, headers=headers)
        return httpx.Response(status, content=raw, headers=headers)

    return answer


async def outcome(name: str, status: int, body: str) -> tuple[Any, BaseException | None]:
    mock = mock_api(answering(status, body), retry=FAST)
    async with mock.api:
        try:
            return await CALLS[name](mock.api), None
        except Exception as exc:  # noqa: BLE001 - the point: see what escapes
            return None, exc


@pytest.mark.asyncio
@pytest.mark.parametrize("name", sorted(CALLS))
async def test_only_crisp_errors_escape(name: str) -> None:
    cases = [(200, body) for body in NOT_ENVELOPES]
    cases += [(200, '{"error": false, "reason": "resolved", "data": ' + data + "}")
              for data in WRONG_DATA]
    cases += [(202, '{"error": false, "reason": Infinity, "data": ' + data + "}")
              for data in ('{"fingerprint": 7}', "[]")]
    cases += ERROR_ANSWERS
    for status, body in cases:
        value, exc = await outcome(name, status, body)
        what = f"{name} on {status} {body[:60]!r}"
        if exc is not None:
            assert isinstance(exc, CrispError), f"{what}: {type(exc).__name__}: {exc}"
            # A 2xx that cannot be read is a ProtocolError, and only a 2xx is.
            assert isinstance(exc, ProtocolError) == (200 <= status < 300), \
                f"{what}: {type(exc).__name__}"
            assert not isinstance(exc, ProtocolError) or exc.where
        elif status >= 300:
            pytest.fail(f"{what} returned {value!r:.100}")
        elif name in MUTATIONS:
            assert value is None, what
        else:
            assert CHECKS[name](value), f"{what} returned {value!r:.100}"


@pytest.mark.asyncio
@pytest.mark.parametrize("name", sorted(set(CALLS) - {"check_session"}))
async def test_a_body_that_is_no_envelope_is_a_protocol_error(name: str) -> None:
    for body in NOT_ENVELOPES:
        _, exc = await outcome(name, 200, body)
        assert isinstance(exc, ProtocolError), f"{name} on {body[:40]!r}: {exc!r}"


@pytest.mark.asyncio
@pytest.mark.parametrize(("name", "data"), [
    ("create_conversation", '{"session_id": 5}'),
    ("create_conversation", "{}"),
    ("connect_account", '{"plugin_id": null}'),
    ("connect_endpoints", '{"socket": {"app": 5}}'),
    ("connect_endpoints", "{}"),
    ("send_message", '{"fingerprint": 9007199254740992}'),
    ("send_message", '{"fingerprint": Infinity}'),
    ("send_message", '{"fingerprint": "7"}'),
    ("send_message", '"dispatched"'),
    ("get_person_data", '{"data": [1]}'),
    ("get_website", '"text"'),
    ("list_conversations", '{"session_id": "s"}'),
    ("list_person_conversations", '{"a": 1}'),
    ("get_messages", "Infinity"),
])
async def test_required_shapes(name: str, data: str) -> None:
    _, exc = await outcome(name, 200, '{"error": false, "reason": "x", "data": ' + data + "}")
    assert isinstance(exc, ProtocolError), repr(exc)
    assert "cannot read" in str(exc)


@pytest.mark.asyncio
async def test_well_shaped_answers_pass_through() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        data: Any = {}
        if path.endswith("/endpoints"):
            data = {"socket": {"app": "wss://relay/"}, "rescue": {"socket": {"app": "wss://r/"}}}
        elif path.endswith("/message"):
            data = {"fingerprint": SAFE_INTEGER}
        elif path.endswith("/list/1"):
            data = ["session_1", 5, "session_2"]
        return httpx.Response(200, json={"error": False, "reason": "resolved", "data": data})

    mock = mock_api(answer)
    async with mock.api as api:
        assert (await api.connect_endpoints())["rescue"] == {"socket": {"app": "wss://r/"}}
        assert await api.send_message(W, S, type="text", content="x", fingerprint=1) \
            == SAFE_INTEGER
        assert await api.list_person_conversations(W, P) == ["session_1", "session_2"]


@pytest.mark.asyncio
async def test_a_malformed_rescue_is_dropped_not_fatal() -> None:
    body = {"socket": {"app": "wss://relay/"}, "rescue": {"socket": {"app": ""}}}
    mock = mock_api(lambda r: httpx.Response(200, json={"data": body}))
    async with mock.api as api:
        assert await api.connect_endpoints() == {"socket": {"app": "wss://relay/"}}


@pytest.mark.asyncio
async def test_dropped_items_are_logged_once_per_route_with_a_count(
        caplog: pytest.LogCaptureFixture) -> None:
    mock = mock_api(lambda r: httpx.Response(
        200, content=b'{"data": [{"session_id": "a"}, 1, "x", null, Infinity]}'))
    with caplog.at_level(logging.DEBUG, logger="crisp_console.api"):
        async with mock.api as api:
            for _ in range(3):
                assert await api.list_conversations(W) == [{"session_id": "a"}]
            assert await api.list_operators(W) == [{"session_id": "a"}]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.args[0] for r in warnings] == ["list_conversations", "list_operators"]  # type: ignore[index]
    assert "dropped 4 list item(s)" in warnings[0].getMessage()
    assert not any(r.exc_info for r in caplog.records)  # words, not tracebacks
    assert api.shapes.dropped == {"list_conversations": 12, "list_operators": 4}


@pytest.mark.asyncio
async def test_paging_ends_against_a_server_that_ignores_the_page() -> None:
    for data in ('[{"session_id": "a"}]', '[{"x": NaN}]', '[{"session_id": [1]}]'):
        mock = mock_api(lambda r, d=data: httpx.Response(200, content=(
            '{"data": ' + d + "}").encode()))
        async with mock.api as api:
            assert len([c async for c in api.iter_conversations(W)]) == 1
            assert len([c async for c in api.iter_connect_websites()]) == 1
        assert len(mock.requests) == 4  # two pages each: the second repeats the first


@pytest.mark.asyncio
async def test_history_paging_ends_against_a_server_that_ignores_the_cursor() -> None:
    for data in ('[{"timestamp": 5}, {"timestamp": 9}]', '[{"timestamp": Infinity}]',
                 '[{"timestamp": "x"}, {"timestamp": 3}]'):
        mock = mock_api(lambda r, d=data: httpx.Response(200, content=(
            '{"data": ' + d + "}").encode()))
        async with mock.api as api:
            batches = [b async for b in api.iter_messages_before(W, S, None)]
        assert len(batches) == 1 and len(mock.requests) <= 2


@pytest.mark.asyncio
async def test_history_paging_is_bounded_against_a_server_stepping_back_one_ms() -> None:
    async def fetch(cursor: int | None) -> list[dict[str, Any]]:
        return [{"timestamp": (cursor or 10**12) - 1}]

    batches = [b async for b in iter_before(fetch, None, max_batches=50)]
    assert len(batches) == 50
