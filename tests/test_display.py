"""Tests of mlkit.display: number and table formatting, the plot style, plain values, glue."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mlkit.display import MISSING, format_number, format_table, glue, plain, set_style

# --------------------------------------------------------------------------- format_number


def _significant(text: str) -> int:
    mantissa = re.split(r"e", text.replace(",", "").lstrip("-"))[0]
    return len(mantissa.replace(".", "").lstrip("0"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.123456, "0.123"),
        (0.0012345, "0.00123"),
        (1.5, "1.50"),
        (12.345, "12.3"),
        (123.456, "123"),
        (-0.98765, "-0.988"),
        (12345.678, "12,346"),
        (0.0, "0"),
        (3, "3"),
        (1945, "1945"),
        (336776, "336,776"),
        (np.int64(-20000), "-20,000"),
        (np.float32(0.25), "0.250"),
        (True, "yes"),
        (np.bool_(False), "no"),
        ("text", "text"),
    ],
)
def test_format_number_known_values(value: object, expected: str) -> None:
    assert format_number(value) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT, np.float64("nan")])
def test_format_number_missing_is_a_dash(missing: object) -> None:
    assert format_number(missing) == MISSING == "—"


def test_format_number_infinities() -> None:
    assert format_number(math.inf) == "∞"
    assert format_number(-np.inf) == "−∞"


def test_format_number_rounding_across_a_power_of_ten_keeps_three_digits() -> None:
    # 0.9996 rounds to 1.00 (three significant digits), not "1.000"
    assert format_number(0.9996) == "1.00"
    assert format_number(99.96) == "100"
    assert format_number(9999.6) == "10,000"


def test_format_number_tiny_and_huge_use_scientific_notation() -> None:
    assert format_number(2.5e-7) == "2.50e-07"
    assert format_number(1.23456e9) == "1.23e+09"
    assert float(format_number(2.5e-7)) == 2.5e-7


def test_format_number_digits_argument() -> None:
    assert format_number(0.123456, digits=2) == "0.12"
    assert format_number(0.123456, digits=5) == "0.12346"


def test_format_number_containers_are_formatted_item_by_item() -> None:
    params = {"max_depth": np.int64(3), "learning_rate": 0.0912345, "loss": None}
    assert format_number(params) == "max_depth=3, learning_rate=0.0912, loss=—"
    assert format_number([0.5, np.float64(0.123456)]) == "[0.500, 0.123]"


def test_format_number_other_types_use_str() -> None:
    assert format_number(Decimal("1.5")) == "1.5"
    assert format_number(pd.Timestamp("2013-01-01")) == "2013-01-01 00:00:00"


@given(
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False).filter(
        lambda x: x == 0 or abs(x) > 1e-300
    ),
    st.integers(1, 6),
)
def test_format_number_is_close_to_the_value(x: float, digits: int) -> None:
    text = format_number(x, digits=digits)
    parsed = float(text.replace(",", "").replace("−", "-"))
    # within half a unit of the last significant digit (or the integer rounding)
    tolerance = max(abs(x) * 10 ** (1 - digits), 0.5 if abs(x) >= 1 else 0.0) + 1e-300
    assert abs(parsed - x) <= tolerance


@given(st.floats(min_value=1e-4, max_value=999.0, allow_nan=False), st.integers(1, 4))
def test_format_number_shows_exactly_digits_significant_digits_below_1000(
    x: float, digits: int
) -> None:
    text = format_number(x, digits=digits)
    if "." in text:  # integers of >= `digits` digits print in full
        assert _significant(text) == digits


@pytest.mark.parametrize("digits", [0, -1, 2.5, True, "3"])
def test_format_number_rejects_bad_digits(digits: object) -> None:
    with pytest.raises(ValueError, match=r"digits=.* must be an int >= 1"):
        format_number(0.5, digits=digits)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- format_table


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "model": ["logistic", "boosting", "dummy"],
            "auc": [0.812345, 0.83333, np.nan],
            "n_fits": [5, 5, 5],
            "params": [{"C": 0.123456}, {"max_depth": 3}, None],
        }
    )


def test_format_table_formats_cells_and_missing_values() -> None:
    html = format_table(_frame()).to_html()
    assert "0.812" in html and "0.833" in html
    assert "0.812345" not in html and "0.83333" not in html
    assert "—" in html
    assert "nan" not in html.lower().replace("nan-", "")  # no NaN shown
    assert "C=0.123" in html and "max_depth=3" in html


def test_format_table_wraps_in_a_scrolling_box() -> None:
    html = format_table(_frame())._repr_html_()
    assert html.startswith('<div class="mlkit-table-wrap"')
    assert "overflow-x:auto" in html
    assert 'class="mlkit-table"' in html


def test_format_table_hides_a_meaningless_index() -> None:
    frame = _frame()
    assert 'class="row_heading' not in format_table(frame).to_html()
    # a filtered or sorted 0..n index is just as meaningless
    sorted_frame = frame.sort_values("auc")
    assert 'class="row_heading' not in format_table(sorted_frame).to_html()


def test_format_table_shows_a_labelled_index() -> None:
    frame = _frame().set_index("model")
    html = format_table(frame).to_html()
    assert 'class="row_heading' in html and "boosting" in html
    named = _frame().rename_axis("fold")
    assert 'class="row_heading' in format_table(named).to_html()


def test_format_table_index_argument_overrides() -> None:
    assert 'class="row_heading' in format_table(_frame(), index=True).to_html()
    labelled = _frame().set_index("model")
    assert 'class="row_heading' not in format_table(labelled, index=False).to_html()


def test_format_table_formats_index_and_column_labels() -> None:
    frame = pd.DataFrame({0.123456: [1.0]}, index=pd.Index([0.987654], name="alpha"))
    html = format_table(frame).to_html()
    assert "0.123" in html and "0.988" in html
    assert "0.123456" not in html and "0.987654" not in html


def test_format_table_accepts_a_series_and_a_caption() -> None:
    series = pd.Series([0.5, 0.25], index=pd.Index(["a", "b"], name="name"), name="score")
    html = format_table(series, caption="Scores (higher is better)").to_html()
    assert "score" in html and "0.500" in html
    assert "Scores (higher is better)" in html


def test_format_table_digits() -> None:
    html = format_table(pd.DataFrame({"x": [0.123456]}), digits=5).to_html()
    assert "0.12346" in html


def test_format_table_plain_text_repr_is_readable() -> None:
    text = repr(format_table(_frame()))
    assert "0.812" in text and "—" in text
    assert "object at 0x" not in text


def test_format_table_delegates_to_the_styler() -> None:
    styled = format_table(_frame())
    assert styled.data.shape == (3, 4)  # Styler.data


@pytest.mark.parametrize("bad", [[1, 2], np.array([1.0]), {"a": [1]}, None])
def test_format_table_rejects_non_frames(bad: object) -> None:
    with pytest.raises(ValueError, match=r"frame must be a pandas DataFrame or Series"):
        format_table(bad)  # type: ignore[arg-type]


def test_format_table_rejects_bad_digits_and_index() -> None:
    with pytest.raises(ValueError, match=r"digits=0 must be an int >= 1"):
        format_table(_frame(), digits=0)
    with pytest.raises(ValueError, match=r"index='yes' must be True, False or None"):
        format_table(_frame(), index="yes")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- set_style


def test_set_style_sets_one_theme() -> None:
    import matplotlib as mpl
    import seaborn as sns

    set_style()
    colours = [c["color"] for c in mpl.rcParams["axes.prop_cycle"]]
    expected = sns.color_palette("colorblind").as_hex()
    assert [mpl.colors.to_hex(c) for c in colours[: len(expected)]] == expected
    assert mpl.rcParams["axes.grid"] is True  # whitegrid
    assert mpl.rcParams["figure.constrained_layout.use"] is True
    assert mpl.rcParams["legend.frameon"] is False


def test_set_style_context_scales_fonts() -> None:
    import matplotlib as mpl

    set_style(context="paper")
    paper = mpl.rcParams["axes.labelsize"]
    set_style(context="talk")
    talk = mpl.rcParams["axes.labelsize"]
    set_style()
    assert talk > paper


def test_set_style_asks_ipython_for_retina(monkeypatch: pytest.MonkeyPatch) -> None:
    import IPython
    import matplotlib_inline.backend_inline as inline

    calls: list[tuple[str, ...]] = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(inline, "set_matplotlib_formats", lambda *f: calls.append(f))
    set_style(dpi_scale=2)
    set_style(dpi_scale=1)
    assert calls == [("retina",), ("png",)]


def test_set_style_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match=r"context='poster2' is not a seaborn context"):
        set_style(context="poster2")
    with pytest.raises(ValueError, match=r"dpi_scale=0 must be an int >= 1"):
        set_style(dpi_scale=0)


# --------------------------------------------------------------------------- plain


def test_plain_converts_numpy_scalars_and_containers() -> None:
    value = {"auc": np.float64(0.5), "folds": [np.int64(1), np.int64(2)], "ok": np.bool_(True)}
    converted = plain(value)
    assert converted == {"auc": 0.5, "folds": [1, 2], "ok": True}
    assert type(converted["auc"]) is float
    assert type(converted["folds"][0]) is int
    assert type(converted["ok"]) is bool
    assert plain((np.float32(0.5),)) == (0.5,)
    assert plain(np.array([[1, 2]])) == [[1, 2]]


def test_plain_leaves_other_values_alone() -> None:
    frame = pd.DataFrame({"a": [1]})
    assert plain(frame) is frame
    assert plain("text") == "text"
    assert plain(None) is None


def test_plain_repr_can_be_read_back_by_the_book() -> None:
    # myst-nb formats {glue:text}`name:.3f` by literal_eval-ing the repr of the value;
    # numpy 2 scalars repr as "np.float64(...)", which it cannot read back.
    from myst_nb.core.variables import format_plain_text

    value = np.float64(0.123456)
    assert format_plain_text(repr(plain(value)), ".3f") == "0.123"
    with pytest.raises(ValueError):
        format_plain_text(repr(value), ".3f")


# --------------------------------------------------------------------------- glue


def test_glue_stores_plain_values_without_display(monkeypatch: pytest.MonkeyPatch) -> None:
    import myst_nb

    calls: list[tuple[str, object, bool]] = []
    monkeypatch.setattr(
        myst_nb, "glue", lambda name, value, display=True: calls.append((name, value, display))
    )
    glue(auc=np.float64(0.83), n=np.int64(5), word="steadier")
    assert calls == [("auc", 0.83, False), ("n", 5, False), ("word", "steadier", False)]
    assert type(calls[0][1]) is float


def test_glue_outside_a_notebook_shows_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    glue(x=np.float64(0.5))
    out = capsys.readouterr()
    # no "np.float64" repr, whatever IPython does without a kernel
    assert "np.float64" not in out.out + out.err


def test_glue_rejects_no_values() -> None:
    with pytest.raises(ValueError, match=r"glue\(\) needs at least one name=value"):
        glue()


# --------------------------------------------------------------------------- import cost


def test_import_display_loads_no_plotting_or_notebook_library() -> None:
    code = "import sys, mlkit.display; print(' '.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    loaded = {m.split(".")[0] for m in out}
    assert not loaded & {"matplotlib", "seaborn", "myst_nb", "IPython"}
