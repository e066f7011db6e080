"""What "Signed in as …" names: the label given at sign-in, else the demo or the
environment token; the key keeps two hosts' accounts with one identifier apart."""

from __future__ import annotations

from crisp_console import app
from crisp_console.storage.accounts import Account
from crisp_console.types import Credentials

TOKEN = Credentials("3f6a1c2e-0000-4000-8000-000000000000", "secret-key")


def test_account_name() -> None:
    args = app.parse_args([])
    saved = app.account_name(args, "https://api.crisp.chat/v1/", TOKEN,
                             Account(TOKEN.identifier, label="Ada's shop"))
    assert saved.label == "Ada's shop"
    proxied = app.account_name(args, "https://proxy.example/v1/", TOKEN,
                               Account(TOKEN.identifier, host="https://proxy.example",
                                       label="Ada's shop"))
    assert proxied.label == "Ada's shop (proxy.example)" and proxied.key != saved.key
    assert app.account_name(app.parse_args(["--demo"]), "http://127.0.0.1:9/v1/", TOKEN,
                            None).label == "the demo sandbox"
    env = app.account_name(args, "https://api.crisp.chat/v1/", TOKEN, None)
    assert env.label == "token 3f6a1c2e… (CRISP_IDENTIFIER)"
    assert "secret-key" not in env.key + env.label
