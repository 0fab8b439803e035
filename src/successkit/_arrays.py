"""Helpers for numpy arrays held by frozen attrs classes.

An attrs class with a plain array field compares with an array-valued ``__eq__`` and
cannot be hashed; these helpers give array fields value semantics instead: converted with
``np.asarray``, marked read-only, compared with missing values equal, and shown by shape
and dtype in reprs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, TypeVar

import attrs
import numpy as np
import numpy.typing as npt

__all__ = [
    "BoolArray",
    "DateArray",
    "FloatArray",
    "IntArray",
    "array_equal",
    "array_field",
    "array_repr",
    "named_columns",
    "nullable",
    "optional_array",
    "readonly",
    "readonly_arrays",
]

#: The array types named throughout successkit's signatures.
BoolArray = npt.NDArray[np.bool_]
DateArray = npt.NDArray[np.datetime64]
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_ARRAY = "successkit.array"


def readonly(value: Any) -> npt.NDArray[Any]:
    """Return ``value`` as an array that cannot be written to (copying only if needed).

    A view is made so that the caller's own array stays writeable.

    Examples
    --------
    >>> a = readonly([1.0, 2.0])
    >>> a.flags.writeable
    False
    """
    array = np.asarray(value)
    if array.flags.writeable:
        array = array.view()
        array.flags.writeable = False
    return array


def array_equal(a: Any, b: Any) -> bool:
    """Element-wise equality of two arrays where missing values (NaN, NaT) count as equal.

    Examples
    --------
    >>> array_equal([1.0, float("nan")], [1.0, float("nan")])
    True
    >>> array_equal(["a"], ["b"])
    False
    """
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape:
        return False
    if a.dtype.kind in "fcmM" and b.dtype.kind in "fcmM":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def optional_array(dtype: Any = None) -> Callable[[Any], npt.NDArray[Any] | None]:
    """A converter for an optional array field: ``None`` stays ``None``, anything else becomes
    a read-only array (of ``dtype`` when given).

    Examples
    --------
    >>> floats = optional_array(np.float64)
    >>> floats(None) is None, floats([1, 2]).dtype, floats([1, 2]).flags.writeable
    (True, dtype('float64'), False)
    """

    def convert(value: Any) -> npt.NDArray[Any] | None:
        return None if value is None else readonly(np.asarray(value, dtype=dtype))

    return convert


def nullable(values: npt.ArrayLike) -> list[Any]:
    """A float array as a JSON list, ``None`` for NaN.

    Examples
    --------
    >>> nullable([1.5, float("nan")])
    [1.5, None]
    """
    array = np.asarray(values, dtype=np.float64)
    out = array.astype(object)
    out[np.isnan(array)] = None
    return out.tolist()  # type: ignore[no-any-return]


def array_repr(value: Any) -> str:
    """A short repr of an array: its shape and dtype, never its contents.

    Examples
    --------
    >>> array_repr(np.zeros((3, 2))), array_repr(None)
    ('array<float64>(3, 2)', 'None')
    """
    if value is None:
        return "None"
    array = np.asarray(value)
    shape = ", ".join(str(n) for n in array.shape)
    return f"array<{array.dtype}>({shape})"


def named_columns(matrix: npt.NDArray[Any], names: Sequence[str]) -> Mapping[str, Any]:
    """A read-only mapping name → column of ``matrix`` (one name per column, in order).

    The columns are views: a read-only matrix gives read-only columns.

    Examples
    --------
    >>> scores = named_columns(np.array([[1.0, 2.0], [3.0, 4.0]]), ("roi", "adoption"))
    >>> scores["adoption"].tolist()
    [2.0, 4.0]
    """
    return MappingProxyType({name: matrix[:, k] for k, name in enumerate(names)})


def array_field(**kwargs: Any) -> Any:
    """An attrs field for a numpy array: read-only, value equality, unhashed, short repr.

    Keyword arguments are passed on to :func:`attrs.field`.
    """
    kwargs.setdefault("converter", readonly)
    kwargs["metadata"] = {**kwargs.get("metadata", {}), _ARRAY: True}
    return attrs.field(
        eq=attrs.cmp_using(eq=array_equal),
        hash=False,
        repr=array_repr,
        **kwargs,
    )


_C = TypeVar("_C", bound=type)


def readonly_arrays(cls: _C) -> _C:
    """Keep a frozen attrs class's array fields read-only through pickling.

    attrs restores pickled instances without running converters, and numpy unpickles
    arrays writeable; this re-marks every :func:`array_field` read-only after unpickling,
    so a result that crossed a process boundary (dask, multiprocessing) is still immutable.
    Apply it above ``@attrs.frozen``.

    Examples
    --------
    >>> import copy
    >>> @readonly_arrays
    ... @attrs.frozen
    ... class Scores:
    ...     values: np.ndarray = array_field()
    >>> again = copy.deepcopy(Scores(np.arange(3.0)))  # restores state as unpickling does
    >>> again.values.flags.writeable
    False
    """
    names = tuple(a.name for a in attrs.fields(cls) if a.metadata.get(_ARRAY))
    restore = cls.__setstate__  # type: ignore[attr-defined]

    def __setstate__(self: Any, state: Any) -> None:
        restore(self, state)
        for name in names:
            value = getattr(self, name)
            if isinstance(value, np.ndarray):
                object.__setattr__(self, name, readonly(value))

    cls.__setstate__ = __setstate__  # type: ignore[attr-defined]
    return cls
