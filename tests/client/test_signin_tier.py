"""Plugin tokens only: the sign-in check asks with the plugin tier, and when that is refused
one HEAD with the website tier tells a website token from a bad key. Unit level: every
answer Crisp might give, from an httpx.MockTransport (the sandbox-level tests are in
test_signin.py)."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from crisp_console.client.signin import (
    WEBSITE_TOKEN_WORDS,
    SignInFailure,
    SignInResult,
    check_sign_in,
    env_tier_problem,
    tier_problem,
)

HOST = "https://api.crisp.test"
SESSION = "/v1/plugin/connect/session"
ACCOUNT = "/v1/plugin/connect/account"
Answer = Callable[[httpx.Request], httpx.Response]


def crisp(status: int, reason: str, data: object | None = None) -> httpx.Response:
    body = {"error": status >= 400, "reason": reason, "data": {} if data is None else data}
    return httpx.Response(status, content=json.dumps(body).encode(),
                          headers={"Content-Type": "application/json"})


def server(plugin: int, website: int, *, plugin_reason: str = "invalid_session") -> tuple[
        list[tuple[str, str, str]], Answer]:
    """Answers by tier: the plugin tier gets ``plugin`` (with ``plugin_reason``), the website
    tier ``website`` (as Crisp names it); 200 on Get Connect Account has a plugin_id."""
    seen: list[tuple[str, str, str]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        tier = request.headers.get("X-Crisp-Tier", "")
        seen.append((request.method, request.url.path, tier))
        status = plugin if tier == "plugin" else website
        if status == 200:
            data = {"plugin_id": "plugin-1"} if request.url.path == ACCOUNT else {}
            return crisp(200, "resolved", data)
        reasons = {401: "invalid_session", 403: "not_allowed", 404: "not_found"}
        reason = plugin_reason if tier == "plugin" else reasons.get(status, "error")
        return crisp(status, reason, {"message": f"{reason} for tier {tier}"})

    return seen, answer


async def run(answer: Answer) -> SignInResult:
    return await check_sign_in(HOST, "identifier-1", "secret-key-0123456789", timeout=5.0,
                               transport=httpx.MockTransport(answer))


@pytest.mark.asyncio
async def test_a_plugin_token_signs_in_with_the_plugin_tier_only() -> None:
    seen, answer = server(200, 401)
    result = await run(answer)
    assert result.ok and result.plugin_id == "plugin-1"
    assert seen == [("HEAD", SESSION, "plugin"), ("GET", ACCOUNT, "plugin")]


@pytest.mark.asyncio
async def test_a_website_token_refused_403_not_allowed_is_named() -> None:
    seen, answer = server(401, 403)
    result = await run(answer)
    assert result.failure is SignInFailure.WEBSITE_TIER and result.failure.field == "key"
    assert result.message == WEBSITE_TOKEN_WORDS
    assert result.message.startswith("This is a website token; crisp-console needs a plugin"
                                     " token because")
    assert "Tokens → Production" in result.message
    assert "AuthError" in result.detail and "NotAllowedError: not_allowed (403)" in result.detail
    # The website tier is asked once, with a HEAD, and never used for anything else.
    assert [s for s in seen if s[2] == "website"] == [("HEAD", SESSION, "website")]
    assert seen[-1] == ("HEAD", SESSION, "website")


@pytest.mark.asyncio
async def test_a_plugin_tier_refused_with_403_is_diagnosed_too() -> None:
    """Crisp may refuse the wrong tier with 403 rather than 401: the same diagnosis."""
    _seen, answer = server(403, 403, plugin_reason="not_allowed")
    result = await run(answer)
    assert result.failure is SignInFailure.WEBSITE_TIER


@pytest.mark.asyncio
async def test_a_server_letting_the_website_tier_in_still_gets_no_sign_in() -> None:
    seen, answer = server(401, 200)
    result = await run(answer)
    assert result.failure is SignInFailure.WEBSITE_TIER and not result.ok
    assert "accepted it" in result.detail
    assert ("GET", ACCOUNT, "website") not in seen


@pytest.mark.parametrize("website", [401, 404, 500])
@pytest.mark.asyncio
async def test_a_bad_key_stays_a_bad_key(website: int) -> None:
    _seen, answer = server(401, website)
    result = await run(answer)
    assert result.failure is SignInFailure.BAD_KEY and result.failure.field == "key"
    assert result.message.startswith("Crisp did not accept this token identifier and key")


@pytest.mark.asyncio
async def test_a_plugin_token_without_the_scopes_is_said_so() -> None:
    _seen, answer = server(403, 401, plugin_reason="not_allowed")
    result = await run(answer)
    assert result.failure is SignInFailure.BAD_KEY
    assert "does not allow it to use the plugin API" in result.message


@pytest.mark.asyncio
async def test_a_diagnosis_that_cannot_reach_the_server_is_a_bad_key() -> None:
    calls = 0

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if request.headers.get("X-Crisp-Tier") == "website":
            raise httpx.ConnectError("refused", request=request)
        return crisp(401, "invalid_session")

    result = await run(answer)
    assert result.failure is SignInFailure.BAD_KEY and calls >= 3


def test_the_words_for_saved_accounts_and_the_environment() -> None:
    assert tier_problem("plugin") == "" and env_tier_problem(None) == ""
    assert env_tier_problem("") == env_tier_problem(" plugin ") == ""
    saved = tier_problem("website", "Ada's shop")
    assert saved.startswith("Ada's shop uses a website token; crisp-console needs a plugin")
    assert "Tokens → Production" in saved
    env = env_tier_problem("website")
    assert env.startswith("CRISP_TIER=website uses a website token;")
    assert "Leave CRISP_TIER unset" in env
    assert "the tier “user”" in env_tier_problem("user")
