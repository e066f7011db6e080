"""The window's short labels: the title and tray badge with the unread count, and the names
of websites and operators."""

from __future__ import annotations

from crisp_console.core import Operator, Website
from crisp_console.present.labels import badge_text, operator_name, website_name, window_title
from tests.core import factories as f


def test_window_title() -> None:
    assert window_title("crisp-console", 3) == "(3) crisp-console"
    assert window_title("crisp-console", 0) == "crisp-console"


def test_badge_text_caps_at_99() -> None:
    assert [badge_text(n) for n in (1, 99, 100, 12_345)] == ["1", "99", "99+", "99+"]


def test_website_names_are_one_line_with_fallbacks() -> None:
    site = Website.from_payload(f.website(f.WEBSITE, name="Acme\n\u202eShop"))
    assert website_name(site) == "Acme Shop"
    site.name = ""
    assert website_name(site) == site.domain != ""
    site.domain = ""
    assert website_name(site) == f.WEBSITE[:8]


def test_operator_names_fall_back_to_the_email_then_the_id() -> None:
    op = Operator.from_payload(f.operator(first_name="Ada", last_name="Lovelace"))
    assert operator_name(op) == "Ada Lovelace"
    op.first_name = op.last_name = ""
    assert operator_name(op) == op.email != ""
    op.email = ""
    assert operator_name(op) == op.user_id[:8]
