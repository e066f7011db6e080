"""The console's own notification sound (resources/sounds/message.wav), for when the
notification service does not play it (dunst and mako play none; the tray never does).

PySide6-Essentials has no Qt Multimedia (QSoundEffect comes with the 59 MB Addons wheel, which
we do not ship), so the sound goes to the desktop's own player, started without waiting
(QProcess): pw-play (PipeWire) or paplay (PulseAudio, also PipeWire's pulse server) on Linux,
afplay on macOS; winsound plays it asynchronously on Windows. ``probe()`` looks for a sound
server first: without one there is no sound device (a headless session, CI), nothing is
started, and Preferences says so. A sound still playing is not started again.
"""

from __future__ import annotations

import logging
import os
import platform
import shutil
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import QObject, QProcess

from crisp_console.settings import resource_path

log = logging.getLogger(__name__)

SOUND_FILE = resource_path("sounds", "message.wav")  # made by scripts/make_sound.py

Which = Callable[[str], str | None]


def find_player(env: Mapping[str, str], which: Which = shutil.which,
                system: str = platform.system()) -> tuple[list[str], str, str]:
    """(the command before the file's path, words for Preferences, why none) for this
    desktop: one of the first two is empty."""
    if system == "Windows":
        return [], "the Windows sound player", ""
    if system == "Darwin":
        afplay = which("afplay")
        return ([afplay], "macOS's afplay", "") if afplay else ([], "", "No sound player (afplay)")
    runtime = Path(env.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}")
    pipewire = (runtime / "pipewire-0").exists()
    pulse = bool(env.get("PULSE_SERVER")) or (runtime / "pulse" / "native").exists()
    if not pipewire and not pulse:
        return [], "", "No sound device: no PipeWire or PulseAudio server is running"
    for program, server, needs in (("pw-play", "PipeWire", pipewire),
                                   ("paplay", "PulseAudio", pulse)):
        path = which(program)
        if needs and path:
            return [path], f"through {server} ({program})", ""
    return [], "", ("No sound player: install pw-play (pipewire-bin) or paplay "
                    "(pulseaudio-utils)")


class SoundPlayer(QObject):
    """``words`` says what plays the sound ("" when nothing can: ``problem`` says why)."""

    def __init__(self, path: Path, *, env: Mapping[str, str] | None = None,
                 which: Which = shutil.which, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self._env, self._which = env, which
        self._command: list[str] = []
        self.words = ""
        self.problem = "Not checked yet"
        self._process: QProcess | None = None
        self._logged = False

    def probe(self) -> None:
        """Look for a sound server and a player (a few file checks: cheap)."""
        if not self.path.is_file():
            self._command, self.words, self.problem = [], "", "The sound file is missing"
            return
        self._command, self.words, self.problem = find_player(
            os.environ if self._env is None else self._env, self._which)

    @property
    def available(self) -> bool:
        return bool(self.words)

    def play(self) -> bool:
        """Start the sound; False when nothing can play it or it is still playing."""
        if not self.available or (self._process is not None
                                  and self._process.state() != QProcess.ProcessState.NotRunning):
            return False
        if sys.platform == "win32":
            import winsound
            winsound.PlaySound(str(self.path), winsound.SND_FILENAME | winsound.SND_ASYNC
                               | winsound.SND_NODEFAULT)
            return True
        process = self._process = QProcess(self)
        process.setProgram(self._command[0])
        process.setArguments([*self._command[1:], str(self.path)])
        process.setStandardOutputFile(QProcess.nullDevice())
        process.setStandardErrorFile(QProcess.nullDevice())
        process.errorOccurred.connect(self._error)
        process.finished.connect(self._finished)
        process.start()
        return True

    def dispose(self) -> None:
        """Stop a sound still playing (at quit: Qt warns when a running QProcess is
        destroyed)."""
        process, self._process = self._process, None
        if process is not None and process.state() != QProcess.ProcessState.NotRunning:
            process.kill()
            process.waitForFinished(1000)

    def _finished(self, code: int, _status: QProcess.ExitStatus) -> None:
        if code != 0 and not self._logged:
            self._logged = True
            log.info("the notification sound's player exited with %d", code)

    def _error(self, error: QProcess.ProcessError) -> None:
        if not self._logged:
            self._logged = True
            log.info("the notification sound could not play: %s", error.name)
