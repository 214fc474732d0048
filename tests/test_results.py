"""Result classes: frozen dataclasses; those that hold arrays or frames compare by identity.

``==`` on a dataclass compares its fields as a tuple, which on numpy arrays or pandas
frames raises "The truth value of an array is ambiguous" (or silently compares shapes):
such classes declare ``eq=False`` so that ``==`` means "the same object".
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import typing

import pytest

import mlkit

ARRAY_WORDS = ("ndarray", "DataFrame", "Series", "Fold")


def _result_classes() -> list[type]:
    found = []
    for info in pkgutil.iter_modules(mlkit.__path__):
        if info.name in {"cli", "__main__"}:
            continue
        module = importlib.import_module(f"mlkit.{info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and dataclasses.is_dataclass(value)
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _holds_arrays(cls: type) -> bool:
    try:
        hints = typing.get_type_hints(cls, vars(importlib.import_module(cls.__module__)))
    except NameError:  # a name imported only for type checking (an import cycle otherwise)
        hints = {k: v for c in cls.__mro__ for k, v in getattr(c, "__annotations__", {}).items()}
    return any(any(w in str(h) for w in ARRAY_WORDS) for h in hints.values())


ARRAY_RESULTS = [c for c in _result_classes() if _holds_arrays(c)]


@pytest.mark.parametrize("cls", ARRAY_RESULTS, ids=lambda c: f"{c.__module__}.{c.__qualname__}")
def test_result_classes_holding_arrays_compare_by_identity(cls: type) -> None:
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    assert not params.eq, f"{cls.__qualname__} holds arrays/frames: declare eq=False"


def test_result_classes_found() -> None:
    assert len(ARRAY_RESULTS) >= 5
