"""Short labels the window builds from the store: its title and tray badge with the unread
count, and the names of websites and operators.

Names are whatever their owners typed, so they go through ``one_line`` (no bidi controls, no
line breaks) before a label shows them.
"""

from __future__ import annotations

from crisp_console.core import Operator, Website
from crisp_console.present.plain import one_line


def window_title(base: str, unread: int) -> str:
    """ "(3) crisp-console", or the bare title when nothing is unread."""
    return f"({unread}) {base}" if unread > 0 else base


def badge_text(count: int) -> str:
    """The tray badge's text: the count, "99+" above 99."""
    return "99+" if count > 99 else str(count)


def website_name(site: Website) -> str:
    """The website's name for a label, a title or a notice: one line, no bidi controls
    (the name is whatever the website's owner typed)."""
    return one_line(site.name, 100) or one_line(site.domain, 100) or site.website_id[:8]


def operator_name(operator: Operator) -> str:
    """An operator as the pickers, rows and bubbles name them: first and last name, else
    the email, else the start of the user id."""
    return operator.nickname or operator.email or operator.user_id[:8]
