"""The look of verdicts, hints, solutions and progress, and the plots' palette, without a
browser (the browser test ``test_accessibility.py`` measures them in JupyterLab)."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from course_utils import CheckResult  # noqa: E402
from course_utils.learner import display, explorer, palette  # noqa: E402


def _relative_luminance(hex_colour):
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a, b):
    la, lb = sorted((_relative_luminance(a), _relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_a_verdict_says_it_in_words_and_a_symbol():
    passed = CheckResult(True, None, "correct.", "03.grad_w", 2)._repr_html_()
    failed = CheckResult(False, "transpose", "transposed <b>", "03.grad_w", 2)._repr_html_()
    assert "&#10004; PASSED" in passed and "03.grad_w" in passed and "NOT YET" not in passed
    assert "&#10008; NOT YET" in failed and ">transpose</code>" in failed
    assert "<b>" not in failed.replace("<b style", "") and "transposed &lt;b&gt;" in failed


def test_boxes_take_their_text_colours_from_the_theme_with_fallbacks():
    for box in (display.verdict_html(CheckResult(True, None, "m", "01.x")), display.hint_html("Hint 1/2: x\nMore"),
                display.solution_html("def f(): pass"), display.progress_html("notebook 00: 0/1")):
        assert "color:var(--jp-content-font-color1, #" in box
        assert "background:var(--jp-layout-color2, #" in box
        colours = re.findall(r"color:(#[0-9a-fA-F]{6})", box)
        assert colours == ["#ffffff"], colours  # the badge's text; everything else follows the theme


def test_badges_keep_white_text_above_4_5_to_1():
    for colour in (display.PASSED_COLOUR, display.FAILED_COLOUR, display.HINT_COLOUR, display.NEUTRAL_COLOUR):
        assert _contrast(colour, "#ffffff") >= 4.5, colour
    # the fallback text on the fallback background
    assert _contrast("#1f1f1f", "#f0f0f0") >= 4.5


def test_hint_keeps_its_lines_and_escapes_them():
    box = display.hint_html("Hint 1/2 for 03.x: a <b> b\nMore: hint('03.x', 2).")
    assert "a &lt;b&gt; b" in box and "<br>More: hint(&#x27;03.x&#x27;, 2)." in box


def test_show_prints_text_outside_ipython(capsys):
    display.show("plain text", "<b>html</b>")
    assert capsys.readouterr().out == "plain text\n"


def test_palette_is_okabe_ito_with_line_styles():
    palette.use()
    cycle = matplotlib.rcParams["axes.prop_cycle"].by_key()
    assert cycle["color"][:3] == ["#0072B2", "#D55E00", "#009E73"]
    assert len(set(map(str, cycle["linestyle"]))) == len(cycle["linestyle"]) == len(cycle["color"])
    fig, ax = plt.subplots()
    lines = [ax.plot([0, 1], [i, i])[0] for i in range(3)]
    assert len({line.get_linestyle() for line in lines}) == 3  # lines differ by more than colour
    plt.close(fig)


def test_figure_alt_describes_titles_axes_legend_and_settings():
    fig, (a, b) = plt.subplots(1, 2)
    a.plot([0, 1], [0, 1], label="loss")
    a.legend()
    a.set_title("training")
    a.set_xlabel("step")
    b.set_ylabel("accuracy")
    text = explorer.figure_alt(fig, {"lr": 0.1})
    assert text == ("Figure. panel 1: training; horizontal axis step; curves: loss. "
                    "panel 2: vertical axis accuracy. settings: lr = 0.1.")
    fig.set_label("A hand-written description")
    assert explorer.figure_alt(fig) == "A hand-written description."
    plt.close(fig)
