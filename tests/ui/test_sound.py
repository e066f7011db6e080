"""The console's own notification sound: which player this desktop has (a sound server's socket
and its player on PATH), playing through it without waiting, nothing at all (and no Qt
warning) where there is no sound device, and the bundled file itself."""

from __future__ import annotations

import stat
import wave
from pathlib import Path

from pytestqt.qtbot import QtBot

from crisp_console.ui.sound import SOUND_FILE, SoundPlayer, find_player

NO_SERVER = "No sound device: no PipeWire or PulseAudio server is running"


def runtime(tmp_path: Path, *sockets: str) -> dict[str, str]:
    for name in sockets:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    return {"XDG_RUNTIME_DIR": str(tmp_path)}


def test_the_player_follows_the_sound_server(tmp_path: Path) -> None:
    def which(name: str) -> str | None:
        return f"/usr/bin/{name}"

    assert find_player(runtime(tmp_path / "none"), which, "Linux") == ([], "", NO_SERVER)
    assert find_player(runtime(tmp_path / "pw", "pipewire-0", "pulse/native"), which,
                       "Linux") == (["/usr/bin/pw-play"], "through PipeWire (pw-play)", "")
    assert find_player(runtime(tmp_path / "pa", "pulse/native"), which, "Linux") == (
        ["/usr/bin/paplay"], "through PulseAudio (paplay)", "")
    assert find_player({**runtime(tmp_path / "remote"), "PULSE_SERVER": "tcp:host"}, which,
                       "Linux")[1] == "through PulseAudio (paplay)"
    _cmd, words, problem = find_player(runtime(tmp_path / "bare", "pipewire-0"),
                                       lambda _name: None, "Linux")
    assert words == "" and problem.startswith("No sound player: install pw-play")
    assert find_player({}, which, "Darwin") == (["/usr/bin/afplay"], "macOS's afplay", "")
    assert find_player({}, which, "Windows")[1] == "the Windows sound player"


def test_plays_through_the_desktops_player_without_waiting(qtbot: QtBot, tmp_path: Path) -> None:
    said = tmp_path / "said"
    stub = tmp_path / "pw-play"
    stub.write_text(f'#!/bin/sh\necho "$@" > "{said}.tmp" && mv "{said}.tmp" "{said}"\n'
                    "exec sleep 30\n")
    stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    player = SoundPlayer(SOUND_FILE, env=runtime(tmp_path, "pipewire-0"),
                         which=lambda name: str(stub) if name == "pw-play" else None)
    player.probe()
    assert player.available and player.words == "through PipeWire (pw-play)"
    assert player.play()
    qtbot.waitUntil(said.exists, timeout=5000)
    assert said.read_text().strip() == str(SOUND_FILE)
    assert not player.play()  # still playing: not twice at once
    player.dispose()  # quitting stops it, without Qt's "destroyed while running"
    player.deleteLater()


def test_no_sound_device_plays_nothing_and_says_why(qtbot: QtBot, tmp_path: Path) -> None:
    player = SoundPlayer(SOUND_FILE, env=runtime(tmp_path))
    player.probe()
    assert not player.available and player.problem == NO_SERVER
    assert not player.play()
    missing = SoundPlayer(tmp_path / "gone.wav", env=runtime(tmp_path, "pipewire-0"))
    missing.probe()
    assert missing.problem == "The sound file is missing"


def test_the_bundled_sound_is_short_and_quiet() -> None:
    with wave.open(str(SOUND_FILE)) as sound:
        seconds = sound.getnframes() / sound.getframerate()
        assert (sound.getnchannels(), sound.getsampwidth()) == (1, 2)
        frames = sound.readframes(sound.getnframes())
    assert 0.2 < seconds < 0.5
    samples = [int.from_bytes(frames[i:i + 2], "little", signed=True)
               for i in range(0, len(frames), 2)]
    assert 0.3 < max(abs(s) for s in samples) / 32767 < 0.45  # about -8 dBFS: no alarm
    assert abs(samples[0]) < 200 and abs(samples[-1]) < 200  # fades in and out: no click
