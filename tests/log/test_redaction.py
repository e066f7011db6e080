"""No form of the key reaches any file in the log directory, whoever logs it and however."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from crisp_console import crash
from crisp_console.log import SecretFilter, log_file, recent_lines
from tests.log.conftest import Token, leaks


def _log_everything(token: Token) -> None:
    app = logging.getLogger("crisp_console.client")
    key, basic = token.key, token.basic
    app.info("the key in the message: " + key)
    app.info("the key as an argument: %s (and again %r)", key, key)
    app.warning("the Basic form as an argument: %s", basic)
    app.debug(f"identifier:key = {token.identifier}:{key}")
    app.info({"password": key, "note": "a dict as the message"})
    app.error("bad format %d", key)  # broken %-args must not raise nor leak
    try:
        raise ValueError(f"request failed for key={key}")
    except ValueError:
        app.exception("with exc_info, key in the exception text")
    try:
        try:
            raise KeyError(key)
        except KeyError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError:
        app.error("chained", exc_info=True, stack_info=True)
    # Third-party loggers, shaped like what they print at DEBUG.
    logging.getLogger("httpx").debug("Request headers: Authorization: Basic %s", basic)
    logging.getLogger("httpcore.http11").debug(
        "send_request_headers.started request=<Request [b'GET']> headers=%r",
        [(b"Host", b"api.crisp.chat"), (b"Authorization", f"Basic {basic}".encode())])
    logging.getLogger("httpx").info("headers %s", {"authorization": f"Basic {basic}"})
    logging.getLogger("socketio.client").info(
        "Emitting event \"%s\" [%s]", "authentication",
        {"username": token.identifier, "password": key, "tier": "plugin", "events": ["x"]})
    logging.getLogger("engineio.client").debug(
        'Sending packet MESSAGE data 2["authentication",{"username":"%s","password":"%s"}]',
        token.identifier, key)
    logging.getLogger("aiohttp.client").debug(
        "GET https://%s:%s@relay.crisp.chat/?password=%s", token.identifier, key, key)
    logging.getLogger("crisp_console.realtime").warning("password = %s", key)


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file())


def test_nothing_secret_in_any_log_file_or_crash_report(log_dir: Path, token: Token) -> None:
    _log_everything(token)
    handler = crash.CrashHandler(log_dir=log_dir, versions={"Qt": "6.x"})
    try:
        raise PermissionError(f"auth {token.identifier}:{token.key} Basic {token.basic}")
    except PermissionError as exc:
        report = handler.handle((type(exc), exc, exc.__traceback__), "test")
    worker = threading.Thread(target=lambda: _raise(token), name="keyring-worker")
    hook = threading.excepthook
    threading.excepthook = handler._thread_hook  # noqa: SLF001 - the hook it installs
    try:
        worker.start()
        worker.join()
    finally:
        threading.excepthook = hook
    for handler_ in logging.getLogger().handlers:
        handler_.flush()

    files = _files(log_dir)
    assert report is not None and report in files
    assert len([p for p in files if p.name.startswith("crash-")]) == 2
    assert leaks(log_dir, token) == []
    # The lines were written (masked), so the search above had something to search.
    text = (log_dir / "crisp-console.log").read_text(encoding="utf-8")
    for marker in ("the key in the message: ***", "as an argument: *** (and again '***')",
                   "Authorization: Basic ***", "'password': '***'", "ValueError",
                   "KeyError", "chained", "Emitting event", "relay.crisp.chat"):
        assert marker in text
    assert token.identifier in text  # the identifier is not a secret: it helps debugging
    assert "the crash callback failed" not in text
    assert "the key in the message: ***" in report.read_text(encoding="utf-8")


def _raise(token: Token) -> None:
    raise RuntimeError(f"keyring said {token.key}")


def test_recent_lines_are_redacted(log_dir: Path, token: Token) -> None:
    logging.getLogger("x").info("tail %s", token.key)
    assert recent_lines()[-1].endswith("tail ***")
    assert log_file() == log_dir / "crisp-console.log"


def test_scrub_patterns() -> None:
    flt = SecretFilter()
    flt.add_credentials("ident", "s3cr3t/key+")
    assert flt.scrub("k=s3cr3t/key+ q=s3cr3t%2Fkey%2B") == "k=*** q=***"
    assert flt.scrub("Authorization: Bearer abc.def") == "Authorization: Bearer ***"
    assert flt.scrub("authorization=s3cr3tvalue") == "authorization=***"
    assert flt.scrub("Proxy-Authorization: Basic Zm9v") == "Proxy-Authorization: Basic ***"
    assert flt.scrub("Basic Zm9vOmJhcjpiYXo=") == "Basic ***"
    assert flt.scrub("{'password': b'hunter22'}") == "{'password': b'***'}"
    assert flt.scrub('{"api_key":"abcd1234","x":1}') == '{"api_key":"***","x":1}'
    # Words that merely end in "key" and ordinary text stay readable.
    assert flt.scrub("hotkey: ctrl+k, monkey=business") == "hotkey: ctrl+k, monkey=business"
    assert flt.scrub("website 42 has 3 conversations") == "website 42 has 3 conversations"


def test_filter_survives_broken_args() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%d items", ("many",), None)
    assert SecretFilter(["many"]).filter(record)
    assert record.args is None and "***" in record.getMessage()
