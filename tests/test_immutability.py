"""Every value type that holds numpy arrays keeps them read-only, also after pickling."""

from __future__ import annotations

import importlib
import pickle
import pkgutil

import attrs
import numpy as np
import pytest

import successkit
from successkit._arrays import _ARRAY


def _array_classes() -> list[type]:
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(successkit.__path__, "successkit."):
        if info.name == "successkit.__main__":
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and value.__module__ == info.name
                and attrs.has(value)
                and any(a.metadata.get(_ARRAY) for a in attrs.fields(value))
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


CLASSES = _array_classes()


def test_there_are_array_holding_classes() -> None:
    assert len(CLASSES) > 10


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__qualname__)
def test_arrays_stay_read_only_through_pickling(cls: type) -> None:
    # Either the class rebuilds through __init__ (its own __reduce__) or readonly_arrays
    # wrapped attrs' __setstate__; a new array-holding class must do one of the two.
    own_reduce = "__reduce__" in vars(cls)
    wrapped = getattr(cls.__setstate__, "__qualname__", "").startswith("readonly_arrays")
    assert own_reduce or wrapped, f"decorate {cls.__qualname__} with @readonly_arrays"


def test_a_pickled_health_result_is_still_immutable() -> None:
    from successkit.datasets import make_portfolio

    pf = make_portfolio(50, months=1, seed=3).portfolio
    result = successkit.HealthModel.dear().score(pf)
    again = pickle.loads(pickle.dumps(result))
    assert again == result
    assert not again.score.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        again.score[0] = np.nan
