"""What every checker shares: the verdict, safe calls and the diagnosis of a result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Feedback",
    "fixed_logits",
    "call",
    "call_for_numbers",
    "close",
    "diagnose",
    "diagnose_counts",
]


@dataclass(frozen=True)
class Feedback:
    """The verdict of a checker: ``passed`` and a message for the learner."""

    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        return ("Correct: " if self.passed else "Not yet: ") + self.message


def fixed_logits() -> np.ndarray:
    """Fixed logits for the checks: a batch of 4 rows of 5 classes, plus edge rows."""
    rng = np.random.default_rng(20240601)
    z = rng.normal(size=(4, 5))
    z[1] *= 3.0  # a peaked row
    z[3] = [0.0, 0.0, 0.0, 0.0, 0.0]  # the uniform row
    return z


def close(a, b, rtol: float = 1e-7) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=1e-10))


def call(fn: Callable, *args):
    """Call the learner's function; return (result, None) or (None, Feedback)."""
    try:
        return np.asarray(fn(*args)), None
    except Exception as error:  # noqa: BLE001 - any error becomes feedback
        return None, Feedback(False, f"your function raised {type(error).__name__}: {error}")


def call_for_numbers(fn: Callable, cases, show: Callable = None):
    """Call ``fn(*case)`` for every case, each call expected to return one number.

    Returns ``(numbers, None)`` with the numbers as a float array, or ``(None, feedback)`` for
    the first call that raised or did not return a number; ``show(case)`` writes a case's
    arguments in that feedback.
    """
    show = show or (lambda case: ", ".join(map(str, case)))
    numbers = []
    for case in cases:
        value, error = call(fn, *case)
        if error is not None:
            return None, error
        if value.shape != () or not np.issubdtype(value.dtype, np.number):
            got = f"an array of shape {value.shape}" if value.shape else repr(value)
            return None, Feedback(False, f"fn({show(case)}) returned {got}; expected a number")
        numbers.append(float(value))
    return np.array(numbers), None


def diagnose(result, expected, mistakes: dict[str, np.ndarray], success: str) -> Feedback:
    if result.shape != expected.shape:
        for message, wrong in mistakes.items():
            if close(result, wrong):
                return Feedback(False, message)
        return Feedback(
            False, f"the result has shape {result.shape}; expected shape {expected.shape}"
        )
    if close(result, expected):
        return Feedback(True, success)
    for message, wrong in mistakes.items():
        if close(result, wrong):
            return Feedback(False, message)
    if not np.all(np.isfinite(result)):
        return Feedback(False, "the result contains NaN or infinity")
    worst = np.unravel_index(np.argmax(np.abs(result - expected)), expected.shape)
    return Feedback(
        False,
        f"the values differ, e.g. at index {tuple(map(int, worst))}: got "
        f"{result[worst]:.6g}, expected {expected[worst]:.6g}",
    )


def diagnose_counts(
    got, expected, mistakes: dict[str, np.ndarray], success: str, cases
) -> Feedback:
    """Grade exact counts (such as bytes) computed for each of ``cases``."""
    if np.allclose(got, expected, rtol=1e-12, atol=0):
        return Feedback(True, success)
    for message, wrong in mistakes.items():
        if np.allclose(got, wrong, rtol=1e-12, atol=0):
            return Feedback(False, message)
    worst = int(np.argmax(np.abs(got - expected) / expected))
    return Feedback(
        False,
        f"fn{cases[worst]} returned {got[worst]:.6g}; expected {expected[worst]:.6g} bytes",
    )
