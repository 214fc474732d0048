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
CONTEXTS = ("paper", "notebook", "talk", "poster")


def format_number(value: Any, *, digits: int = 3) -> str:
    """Format one value for a reader: ``digits`` significant digits, "—" if missing.

    Integers are printed in full (with thousands separators from 10,000 on); floats with
    ``digits`` significant digits, without scientific notation between 1e-4 and 1e6.
    Booleans read "yes"/"no"; dicts, lists and tuples are formatted item by item (a
    dict of hyperparameters reads ``max_depth=3, learning_rate=0.0912``).

    Examples
    --------
    >>> from mlkit.display import format_number
    >>> format_number(0.123456), format_number(12345.678), format_number(None)
    ('0.123', '12,346', '—')
    >>> format_number(3), format_number(True), format_number(2.5e-7)
    ('3', 'yes', '2.50e-07')
    >>> format_number({"max_depth": 3, "learning_rate": 0.0912345})
    'max_depth=3, learning_rate=0.0912'
    """
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
        raise ValueError(f"digits={digits!r} must be an int >= 1, e.g. 3.")
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
        # magnitude after rounding: 0.9996 -> 1.00 (not "1.000"), 99.96 -> 100
        magnitude = math.floor(math.log10(abs(float(f"{x:.{digits}g}"))))
        if magnitude >= digits - 1 and abs(x) < 1e6:
            return f"{round(x):,}" if abs(round(x)) >= 10_000 else str(round(x))
        x = float(f"{x:.{digits}g}")
        if 1e-4 <= abs(x) < 1e6:
            decimals = max(digits - 1 - magnitude, 0)
            return f"{x:.{decimals}f}"
        return f"{x:.{digits - 1}e}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={format_number(v, digits=digits)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_number(v, digits=digits) for v in value) + "]"
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
        Show the index? ``None`` hides an unnamed integer index (``0..n-1``, or what
        is left of it after filtering rows) and shows any other (named or labelled)
        index.
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
    if index is not None and not isinstance(index, bool):
        raise ValueError(f"index={index!r} must be True, False or None (automatic).")
    meaningless = (
        frame.index.nlevels == 1
        and frame.index.name is None
        and pd.api.types.is_integer_dtype(frame.index.dtype)
    )
    show_index = not meaningless if index is None else index
    styler = frame.style.format(lambda v: format_number(v, digits=digits), na_rep=MISSING)
    styler = styler.format_index(lambda v: format_number(v, digits=digits), axis=0)
    styler = styler.format_index(lambda v: format_number(v, digits=digits), axis=1)
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

    def __repr__(self) -> str:
        # Plain-text fallback (terminals, text-only notebook viewers): the formatted
        # cells, not "<object at 0x...>".
        return str(self.styler.to_string(delimiter="  ")).rstrip("\n")

    def __getattr__(self, name: str) -> Any:
        if name == "styler":  # not yet set (e.g. while unpickling)
            raise AttributeError(name)
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

    Examples
    --------
    >>> from mlkit.display import set_style
    >>> set_style(context="paper")
    """
    if context not in CONTEXTS:
        raise ValueError(f"context={context!r} is not a seaborn context; use one of {CONTEXTS}.")
    if isinstance(dpi_scale, bool) or not isinstance(dpi_scale, int) or dpi_scale < 1:
        raise ValueError(f"dpi_scale={dpi_scale!r} must be an int >= 1 (1: standard, 2: retina).")
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
    >>> plain(np.float64(0.5)), plain([np.int64(3)]), plain(np.array([1.5, 2.0]))
    (0.5, [3], [1.5, 2.0])
    """
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, list | tuple):
        return type(value)(plain(v) for v in value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def glue(**values: Any) -> None:
    """Store each ``name=value`` for ``{glue:text}`` roles, displaying nothing.

    Values are converted with :func:`plain` first, so a format spec such as
    ``{glue:text}`\\`auc:.3f\\``` works on numpy scalars too (myst-nb cannot read
    the repr ``np.float64(0.83)`` back). Call it in a cell tagged ``remove-cell``.

    Raises
    ------
    ValueError
        If no value is given.
    """
    if not values:
        raise ValueError("glue() needs at least one name=value, e.g. glue(auc=0.83).")
    from myst_nb import glue as myst_glue

    for name, value in values.items():
        myst_glue(name, plain(value), display=False)
