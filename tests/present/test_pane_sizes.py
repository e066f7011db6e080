"""Pane sizes that follow the font size."""

from __future__ import annotations

from crisp_console.present.pane_sizes import fit, in_lines


def test_side_panes_keep_their_lines_and_the_middle_takes_the_rest() -> None:
    lines = in_lines([340, 640, 300], 20)
    assert lines == [17.0, 32.0, 15.0]
    assert fit(1280, lines, 22, flexible=1) == [374, 576, 330]  # the text grew by 10 %
    assert fit(1280, lines, 16, flexible=1) == [272, 768, 240]
    assert fit(1280, lines, 20, flexible=1) == [340, 640, 300]  # back: exactly as before


def test_the_middle_keeps_its_share() -> None:
    out = fit(1280, [17.0, 32.0, 15.0], 40, flexible=1, min_share=0.4)
    assert sum(out) == 1280
    assert out[1] >= 512  # 40 % of 1280
    assert abs(out[0] / out[2] - 17 / 15) < 0.01  # the side panes shrank alike


def test_a_hidden_pane_stays_hidden() -> None:
    assert fit(1280, in_lines([340, 940, 0], 20), 30, flexible=1) == [510, 770, 0]


def test_degenerate_input_gives_no_sizes_rather_than_an_error() -> None:
    assert in_lines([340, 640], 0) == [0.0, 0.0]
    assert fit(0, [17.0, 32.0, 15.0], 20, flexible=1) == [0, 0, 0]
    assert fit(1280, [17.0, 32.0, 15.0], 0, flexible=1) == [0, 0, 0]
    assert fit(1280, [17.0, 32.0, 15.0], 20, flexible=5) == [0, 0, 0]


def test_the_reply_box_keeps_its_lines_in_the_vertical_split() -> None:
    # [thread, composer]: the composer grows with the text, the thread keeps half at least.
    lines = in_lines([500, 170], 17)
    assert fit(670, lines, 25, flexible=0, min_share=0.5) == [420, 250]
    assert fit(670, lines, 60, flexible=0, min_share=0.5) == [335, 335]
