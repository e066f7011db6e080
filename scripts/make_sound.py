"""Writes resources/sounds/message.wav, the console's notification sound: two soft sine
chimes (A5 then E6), 0.32 s, 22.05 kHz 16-bit mono, peak at -8 dBFS.

Generated here from nothing but arithmetic, so the file has no other author and no licence
but the project's. Run again to reproduce it byte for byte:
``python scripts/make_sound.py``.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22_050
PEAK = 10 ** (-8 / 20)  # -8 dBFS: a notice, not an alarm
NOTES = ((880.0, 0.0, 0.16), (1318.51, 0.12, 0.20))  # (Hz, start s, length s)
LENGTH_S = 0.32
OUT = Path(__file__).resolve().parents[1] / "resources" / "sounds" / "message.wav"


def sample(t: float) -> float:
    value = 0.0
    for freq, start, length in NOTES:
        local = t - start
        if 0.0 <= local < length:
            attack = min(1.0, local / 0.004)  # 4 ms: no click at the start
            decay = math.exp(-local * 18.0)
            release = min(1.0, (length - local) / 0.01)  # 10 ms: no click at the end
            # A quiet octave above gives the tone a little body.
            phase = 2 * math.pi * freq * local
            tone = math.sin(phase) + 0.25 * math.sin(2 * phase)
            value += 0.8 * tone * attack * decay * release
    return value


def main() -> None:
    frames = [sample(n / RATE) for n in range(int(LENGTH_S * RATE))]
    scale = PEAK / max(abs(v) for v in frames)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(OUT), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", round(v * scale * 32767)) for v in frames))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
