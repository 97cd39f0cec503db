"""Input checks shared by the package: every error names the argument at fault."""

from __future__ import annotations

import functools

import numpy as np

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def real_array(x, name: str) -> np.ndarray:
    """``x`` as an array of real numbers (integers or floats; not bool, complex, str)."""
    arr = np.asarray(x)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must hold real numbers, got complex dtype {arr.dtype}")
    return arr


def as_float_array(x, name: str) -> np.ndarray:
    """Return ``x`` as a floating array with at least one axis and a non-empty last axis.

    Integer input becomes float64; float16/32/64 keep their dtype. The input is not copied
    when it already is a floating array, so callers must not write into the result.
    """
    if type(x) is np.ndarray and x.dtype in _FLOATS and x.ndim and x.shape[-1]:
        return x  # the common case, without the checks below (a few microseconds)
    arr = real_array(x, name)
    if arr.ndim == 0:
        raise ValueError(f"{name} must have at least one axis (the class axis), got a 0-d scalar")
    if arr.shape[-1] == 0:
        raise ValueError(f"{name} has an empty class axis (shape {arr.shape}); L must be >= 1")
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    return arr


def check_same_shape(a: np.ndarray, b: np.ndarray, name_a: str, name_b: str) -> None:
    """Raise ValueError unless ``a`` and ``b`` have the same shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{name_b} must have the same shape as {name_a}: {name_a} has shape {a.shape}, "
            f"{name_b} has shape {b.shape}"
        )


@functools.cache
def probability_tolerance(dtype: np.dtype) -> float:
    """How far an entry may lie outside [0, 1], and a row sum from 1: ``10 sqrt(eps)``."""
    return float(np.sqrt(np.finfo(dtype).eps)) * 10


def check_probabilities(
    s: np.ndarray,
    name: str,
    what: str = "softmax outputs",
    hint: str = " Did you pass logits? Apply softmax first.",
) -> None:
    """Raise ValueError unless every row of ``s`` lies in [0, 1] and sums to 1.

    Within :func:`probability_tolerance`. Rows that contain NaN are let through, so NaN
    propagates as in NumPy. ``what`` says what ``s`` should be, ``hint`` ends the message.
    """
    tol = probability_tolerance(s.dtype)
    low = np.fmin.reduce(s, axis=None, initial=np.nan)  # fmin and fmax skip NaN
    high = np.fmax.reduce(s, axis=None, initial=np.nan)
    if low < -tol or high > 1 + tol:
        raise ValueError(
            f"{name} must hold probabilities in [0, 1] ({what}); it has values "
            f"from {low:.6g} to {high:.6g}.{hint}"
        )
    sums = s.sum(axis=-1)
    with np.errstate(invalid="ignore"):
        bad = np.abs(sums - 1) > tol  # NaN compares False, so NaN rows pass
    if np.any(bad):
        raise ValueError(
            f"{name} must be probabilities whose last axis sums to 1 ({what}); "
            f"found a row summing to {sums[bad].flat[0]:.6g}.{hint}"
        )


def probabilities_and_gradient(s, grad) -> tuple[np.ndarray, np.ndarray]:
    """The arguments of a backward pass: float arrays of one shape, ``s`` checked first."""
    s = as_float_array(s, "s")
    check_probabilities(s, "s")
    grad = as_float_array(grad, "grad")
    check_same_shape(s, grad, "s", "grad")
    return s, grad


def check_class_indices(indices: np.ndarray, num_classes: int, name: str) -> None:
    """Raise unless ``indices`` are integers in ``[0, num_classes)``."""
    if not np.issubdtype(indices.dtype, np.integer):
        raise TypeError(
            f"{name} of shape {indices.shape} are read as class indices and must be "
            f"integers, got dtype {indices.dtype}"
        )
    if indices.size and (indices.min() < 0 or indices.max() >= num_classes):
        raise ValueError(
            f"{name} must be class indices in [0, {num_classes}), got values from "
            f"{indices.min()} to {indices.max()}"
        )


def check_out(out, shape: tuple[int, ...], dtype: np.dtype) -> None:
    """Raise unless ``out`` is None or an ndarray of the given shape and dtype."""
    if out is None:
        return
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a NumPy array, got {type(out).__name__}")
    if out.shape != shape:
        raise ValueError(f"out must have shape {shape}, got {out.shape}")
    if out.dtype != dtype:
        raise TypeError(f"out must have dtype {dtype}, got {out.dtype}")
