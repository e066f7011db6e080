"""Who the console acts as ("me"): Mine and Mentions, "assign to me", my own messages, and
the "Signed in as …" line (ui/account_info.py)."""

from __future__ import annotations

from crisp_console.core import Operator, Store


class Identity:
    """``operator_id`` when configured (it may change while the console runs), else the first
    operator of the first website once start-up has listed them; None while none is known.
    ``configured`` says which: a guessed "me" is worth saying so on screen."""

    def __init__(self, store: Store, operator_id: str | None) -> None:
        self._store = store
        self.operator_id = operator_id

    @property
    def me(self) -> str | None:
        if self.operator_id:
            return self.operator_id
        return next(iter(self._store.operators), None)

    @property
    def configured(self) -> bool:
        return bool(self.operator_id)

    def operator(self) -> Operator | None:
        """"me" as the store knows them (name, availability); None while unknown."""
        me = self.me
        return self._store.operators.get(me) if me is not None else None

    def signature(self) -> tuple[str, str]:
        """(user_id, nickname) of ``me``, shown on local echoes until the server's echo
        replaces them."""
        me = self.me
        if me is None:
            return "", "You"
        op = self._store.operators.get(me)
        return me, (op.nickname if op is not None else "") or "You"
