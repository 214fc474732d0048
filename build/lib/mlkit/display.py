"""Readable tables, one plot style and quiet glue for notebooks and the book.

- :func:`format_table` turns a result frame into what a reader should see: about three
  significant digits, "—" for missing values, no meaningless 0..n index, and a box that
  scrolls sideways on a narrow screen instead of widening the page.
- :func:`set_style` sets one seaborn theme and sharp (2x) inline figures, once per
  notebook.
- :func:`glue` stores plain Python values for ``{glue:text}`` roles without displaying
  anything (numpy scalars are converted, so the book never shows ``np.float64(...)``).

pandas is the only import at module level; seaborn, matplotlib and myst-nb load when
called.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["format_number", "format_table", "glue", "plain", "set_style"]

MISSING = "—"


def format_number(value: Any, *, digits: int = 3) -> str:
    """Format one value for a reader: ``digits`` significant digits, "—" if missing.

    Integers are printed in full (with thousands separators from 10,000 on); floats with
    ``digits`` significant digits, without scientific notation between 1e-4 and 1e6.

    Examples
    --------
    >>> from mlkit.display import format_number
    >>> format_number(0.123456), format_number(12345.678), format_number(None)
    ('0.123', '12,346', '—')
    >>> format_number(3), format_number(True), format_number(2.5e-7)
    ('3', 'yes', '2.5e-07')
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return MISSING
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}" if abs(int(value)) >= 10_000 else str(int(value))
    if isinstance(value, numbers.Real):
        x = float(value)
        if math.isnan(x):
            return MISSING
        if math.isinf(x):
            return "∞" if x > 0 else "−∞"
        if x == 0:
            return "0"
        magnitude = math.floor(math.log10(abs(x)))
        if magnitude >= digits - 1 and abs(x) < 1e6:
            return f"{round(x):,}" if abs(x) >= 10_000 else str(round(x))
        if 1e-4 <= abs(x) < 1e6:
            decimals = max(digits - 1 - magnitude, 0)
            text = f"{x:.{decimals}f}"
            return text
        return f"{x:.{digits}g}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={format_number(v, digits=digits)}" for k, v in value.items())
    return str(value)


def format_table(
    frame: pd.DataFrame | pd.Series,
    *,
    digits: int = 3,
    index: bool | None = None,
    caption: str | None = None,
) -> Any:
    """A pandas ``Styler`` of ``frame`` formatted for readers.

    Parameters
    ----------
    frame : DataFrame or Series
        The table. A Series becomes a one-column frame.
    digits : int, default=3
        Significant digits of floats (see :func:`format_number`).
    index : bool or None, default=None
        Show the index? ``None`` hides a plain ``RangeIndex`` (0..n-1) and shows any
        other (named or labelled) index.
    caption : str or None, default=None
        A caption above the table.

    Returns
    -------
    pandas.io.formats.style.Styler
        Renders as HTML in notebooks and the book; the table sits in a box that
        scrolls horizontally when it is wider than the page.

    Examples
    --------
    >>> import pandas as pd
    >>> from mlkit.display import format_table
    >>> styled = format_table(pd.DataFrame({"score": [0.81234, None]}))
    >>> "0.812" in styled.to_html() and "—" in styled.to_html()
    True
    """
    if isinstance(frame, pd.Series):
        frame = frame.to_frame()
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(
            f"frame must be a pandas DataFrame or Series, got {type(frame).__name__}; "
            f"call .to_frame() on a result first."
        )
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
        raise ValueError(f"digits={digits!r} must be an int >= 1, e.g. 3.")
    show_index = (
        not (isinstance(frame.index, pd.RangeIndex) and frame.index.name is None)
        if index is None
        else index
    )
    styler = frame.style.format(lambda v: format_number(v, digits=digits), na_rep=MISSING)
    styler = styler.format_index(lambda v: format_number(v, digits=digits), axis=0)
    if not show_index:
        styler = styler.hide(axis="index")
    if caption:
        styler = styler.set_caption(caption)
    styler = styler.set_table_attributes('class="mlkit-table"')
    return _Scrolling(styler)


class _Scrolling:
    """Wraps a Styler so its HTML sits in a horizontally scrolling box."""

    def __init__(self, styler: Any) -> None:
        self.styler = styler

    def _repr_html_(self) -> str:
        return (
            '<div class="mlkit-table-wrap" style="overflow-x:auto;max-width:100%">'
            + self.styler.to_html()
            + "</div>"
        )

    def to_html(self) -> str:
        """The HTML of the table inside its scrolling box."""
        return self._repr_html_()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.styler, name)


def set_style(*, context: str = "notebook", dpi_scale: int = 2) -> None:
    """One look for every figure: seaborn's ``whitegrid`` theme, colour-blind palette.

    Also asks the inline backend (when running in IPython) for PNGs at ``dpi_scale``
    times the resolution, so axis labels stay sharp on phones and retina screens.

    Parameters
    ----------
    context : str, default="notebook"
        seaborn context (``"paper"``, ``"notebook"``, ``"talk"``).
    dpi_scale : int, default=2
        1 for standard PNGs, 2 for retina.
    """
    import seaborn as sns

    sns.set_theme(context=context, style="whitegrid", palette="colorblind")
    import matplotlib as mpl

    mpl.rcParams["figure.figsize"] = (7.0, 4.0)
    mpl.rcParams["figure.constrained_layout.use"] = True
    mpl.rcParams["legend.frameon"] = False
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython is there in notebooks
        shell = None
    if shell is not None:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("retina" if dpi_scale >= 2 else "png")


def plain(value: Any) -> Any:
    """Convert numpy scalars (and containers of them) to plain Python values.

    Examples
    --------
    >>> import numpy as np
    >>> from mlkit.display import plain
    >>> plain(np.float64(0.5)), plain([np.int64(3)])
    (0.5, [3])
    """
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple):
        return type(value)(plain(v) for v in value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def glue(**values: Any) -> None:
    """Store each ``name=value`` for ``{glue:text}`` roles, displaying nothing.

    Values are converted with :func:`plain` first, so a format spec such as
    ``{glue:text}`\\`auc:.3f\\``` works on numpy scalars too.
    """
    from myst_nb import glue as myst_glue

    for name, value in values.items():
        myst_glue(name, plain(value), display=False)
