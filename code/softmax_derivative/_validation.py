"""Input checks shared by the package: every error names the argument at fault."""

from __future__ import annotations

import numpy as np

__all__ = ["as_float_array", "check_out", "check_probabilities", "check_same_shape"]


def as_float_array(x, name: str) -> np.ndarray:
    """Return ``x`` as a floating array with at least one axis and a non-empty last axis.

    Integer input becomes float64; float16/32/64 keep their dtype. The input is not copied
    when it already is a floating array, so callers must not write into the result.
    """
    arr = np.asarray(x)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.complexfloating):
        raise TypeError(f"{name} must hold real numbers, got complex dtype {arr.dtype}")
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


def probability_tolerance(dtype: np.dtype) -> float:
    """How far a row sum may stray from 1 and still count as a distribution."""
    return float(np.sqrt(np.finfo(dtype).eps)) * 10


def check_probabilities(s: np.ndarray, name: str) -> None:
    """Raise ValueError unless every row of ``s`` lies in [0, 1] and sums to 1.

    Rows that contain NaN are let through, so NaN propagates as in NumPy.
    """
    tol = probability_tolerance(s.dtype)
    with np.errstate(invalid="ignore"):
        if np.any((s < -tol) | (s > 1 + tol)):
            raise ValueError(
                f"{name} must hold probabilities in [0, 1] (softmax outputs); it has values "
                f"from {np.nanmin(s):.6g} to {np.nanmax(s):.6g}. Did you pass logits? "
                "Apply softmax first."
            )
        sums = s.sum(axis=-1)
        bad = np.abs(sums - 1) > tol  # NaN compares False, so NaN rows pass
    if np.any(bad):
        worst = sums[bad].flat[0]
        raise ValueError(
            f"{name} must be probabilities whose last axis sums to 1 (softmax outputs); "
            f"found a row summing to {worst:.6g}. Did you pass logits? Apply softmax first."
        )


def check_out(out, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """Raise unless ``out`` is an ndarray of the given shape and dtype."""
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a NumPy array, got {type(out).__name__}")
    if out.shape != shape:
        raise ValueError(f"out must have shape {shape}, got {out.shape}")
    if out.dtype != dtype:
        raise TypeError(f"out must have dtype {dtype}, got {out.dtype}")
    return out
