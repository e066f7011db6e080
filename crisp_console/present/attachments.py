"""Files waiting in the composer's tray: Crisp's size limits, what kind of file each is (for
its card), names kept unique, and the words the tray says. Pure: no Qt, no I/O.

Crisp's limits ("Which file extensions and sizes can I upload to Crisp?", help.crisp.chat):
10 MB by default, 12 MB for JPEG, PNG and WebP images, 3 MB for GIFs. Crisp states them in
MB; the bucket answers a byte limit (``policy.size_limit``), which the upload checks again
before a byte leaves (client/uploads.py), so a file refused here would be refused there too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

MiB = 1024 * 1024
MAX_TRAY_FILES = 10  # files sent with one Enter; more are refused, saying so
DEFAULT_LIMIT = 10 * MiB
LIMITS = {"image/gif": 3 * MiB, "image/jpeg": 12 * MiB, "image/png": 12 * MiB,
          "image/webp": 12 * MiB}
# Images the tray decodes for a thumbnail: raster formats only (an SVG may be a program).
PREVIEWABLE = frozenset(("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp"))


def size_limit(mime: str) -> int:
    """The largest file of type ``mime`` Crisp takes, in bytes."""
    return LIMITS.get(mime.lower(), DEFAULT_LIMIT)


def file_size(n: int) -> str:
    """"532 B", "12 KB", "3.4 MB" (binary units, as the limits are stated)."""
    if n < 1024:
        return f"{n} B"
    if n < MiB:
        return f"{n / 1024:.0f} KB"
    return f"{n / MiB:.1f} MB".replace(".0 ", " ")


def too_large(size: int, limit: int) -> str:
    """Why a file is refused, in words."""
    return f"Too large to send ({file_size(size)}); Crisp takes up to {file_size(limit)}"


def over_the_cap(refused: int, cap: int = MAX_TRAY_FILES) -> str:
    return (f"Not added: up to {cap} files go with one message "
            f"({refused} more {'was' if refused == 1 else 'were'} left out)")


@dataclass(frozen=True, slots=True)
class Kind:
    """What a card says a file is: ``label`` ("PDF document") and ``badge``, the few
    letters painted on its icon ("PDF"); ``family`` picks the icon's colour."""

    label: str
    badge: str
    family: str


_FAMILIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # family, label, extensions
    ("pdf", "PDF document", ("pdf",)),
    ("text", "Document", ("doc", "docx", "odt", "rtf", "txt", "md", "pages", "epub")),
    ("sheet", "Spreadsheet", ("xls", "xlsx", "ods", "csv", "numbers", "tsv")),
    ("slides", "Presentation", ("ppt", "pptx", "odp", "key", "pps", "ppsx")),
    ("archive", "Archive", ("zip", "gz", "tgz", "bz2", "xz", "7z", "rar", "tar", "zst")),
    ("code", "Code", ("py", "js", "ts", "json", "xml", "html", "css", "sh", "sql", "log",
                      "yaml", "yml", "toml", "ini", "conf", "har")),
)
_MIME_FAMILIES = {"image": "Image", "audio": "Audio", "video": "Video"}


def kind_of(name: str, mime: str) -> Kind:
    """The card's kind for a file called ``name`` of type ``mime``."""
    ext = PurePath(name).suffix.lower().lstrip(".")
    subtype = mime.rpartition("/")[2]
    badge = ext.upper()[:4] if ext and ext.isalnum() else \
        subtype.upper() if subtype.isalnum() and len(subtype) <= 4 else ""
    for family, label, extensions in _FAMILIES:
        if ext in extensions:
            return Kind(label, badge or family.upper()[:4], family)
    top = mime.split("/", 1)[0].lower()
    if top in _MIME_FAMILIES:
        label = _MIME_FAMILIES[top]
        return Kind(label, badge or label.upper()[:3], top)
    if top == "text":
        return Kind("Text", badge or "TXT", "text")
    return Kind("File", badge or "FILE", "file")


def unique_name(name: str, taken: set[str] | frozenset[str]) -> str:
    """``name``, or ``name (2).ext`` (3, 4…) when ``taken`` has it already."""
    if name not in taken:
        return name
    path = PurePath(name)
    stem, suffix = (path.stem, path.suffix) if path.stem else (name, "")
    n = 2
    while f"{stem} ({n}){suffix}" in taken:
        n += 1
    return f"{stem} ({n}){suffix}"


def tray_title(count: int, *, note: bool) -> str:
    """The tray's heading: what Enter will do with the files and the text."""
    files = f"{count} file{'s' if count != 1 else ''}"
    if note:
        return (f"{files} · private notes carry text only: switch to Reply to send "
                "them to the visitor")
    return f"{files} · Enter sends {'them' if count != 1 else 'it'}, then your text"


def caption_placeholder(count: int) -> str:
    """The reply box's placeholder while files wait: the text is their caption."""
    files = "files" if count != 1 else "file"
    return f"Add a caption (optional): it goes as a message after the {files}"


NOTE_REFUSAL = ("Files are not sent with a private note (Crisp's notes carry text only, and "
                "a file would reach the visitor). Switch to Reply to send them, or remove "
                "them: Shift+Tab, then Delete.")
