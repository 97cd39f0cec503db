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
    "mismatch",
    "same_numbers",
    "SPREAD_LOGITS",
    "SHIFT_MISTAKES",
    "check_spread_logits",
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


def same_numbers(a, b) -> bool:
    """Whether ``a`` and ``b`` have one shape and equal entries, NaN matching NaN (to tell
    which mistake made a result NaN)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-7, atol=1e-10, equal_nan=True))


def _number(x: float, digits: int) -> str:
    if float(x).is_integer() and abs(x) < 2**53:
        return str(int(x))
    return f"{x:.{digits}g}"


def mismatch(got: float, expected: float, unit: str = "") -> str:
    """``got X, expected Y (differs by D)``, with enough digits to see the difference.

    Examples
    --------
    >>> from softmax_derivative.exercises._grading import mismatch
    >>> mismatch(0.434946112, 0.434946291)
    'got 0.434946112, expected 0.434946291 (differs by 1.8e-07)'
    >>> mismatch(295, 294, " bytes")
    'got 295, expected 294 bytes (differs by 1)'
    """
    got, expected = float(got), float(expected)
    digits = next((d for d in range(6, 18) if f"{got:.{d}g}" != f"{expected:.{d}g}"), 15)
    digits = min(digits + 2, 17)
    shown = [_number(got, digits), _number(expected, digits)]
    if not (np.isfinite(got) and np.isfinite(expected)):
        return f"got {shown[0]}, expected {shown[1]}{unit}"
    return (
        f"got {shown[0]}, expected {shown[1]}{unit} (differs by {_number(abs(got - expected), 2)})"
    )


def call(fn: Callable, *args):
    """Call the learner's function; return (result, None) or (None, Feedback).

    NumPy's floating-point warnings are silenced during the call: an overflowing
    exponential is graded by its result, not printed.
    """
    try:
        with np.errstate(all="ignore"):
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
        f"the values differ, e.g. at index {tuple(map(int, worst))}: "
        + mismatch(result[worst], expected[worst]),
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
    return Feedback(False, f"fn{cases[worst]}: " + mismatch(got[worst], expected[worst], " bytes"))


#: Logits that only a shift by each row's own maximum (or a log-sum-exp computed from
#: it) survives: any other shift leaves an exponent above 709.78, where e^x overflows to
#: inf, or every exponent of a row below -745, where e^x underflows to 0 (and 0 / 0 is
#: NaN). Rows 0 and 1 defeat a shift by the row's mean, minimum, last or first entry;
#: rows 2 and 3 lie 2000 apart, so no one constant (the batch's maximum, 0, ...) suits
#: both; row 4 has a huge spread; rows 5 to 8 fail different wrong shifts, so that each
#: one named in SHIFT_MISTAKES leaves its own pattern of NaN rows.
SPREAD_LOGITS = np.array(
    [
        [1000.0, -1000.0, -1000.0],
        [-1000.0, 1000.0, -1000.0],
        [1000.0, 999.0, 998.0],
        [-1000.0, -1001.0, -1003.0],
        [3e5, 0.0, -3e5],
        [1000.0, 1000.0, -1000.0],
        [700.0, 0.0, -1000.0],
        [0.0, -1000.0, 500.0],
        [700.0, 0.0, -500.0],
    ]
)


def _exp_normalise(shifted: np.ndarray) -> np.ndarray:
    e = np.exp(shifted)
    return e / e.sum(axis=-1, keepdims=True)


#: Softmaxes a learner may write that are right for small logits, each with the reason
#: it breaks on SPREAD_LOGITS; the advice that ends every message is added by the caller.
SHIFT_MISTAKES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "e^z overflows for logits of 1000 (e^710 is already inf in float64) and underflows "
    "to 0 for logits of -1000 (then 0 / 0 is NaN)": _exp_normalise,
    "you subtracted each row's mean: for the logits [1000, -1000, -1000] the mean is "
    "-333 and e^(1000 + 333) overflows": lambda z: _exp_normalise(
        z - z.mean(axis=-1, keepdims=True)
    ),
    "you subtracted each row's minimum: for the logits [1000, -1000, -1000] that leaves "
    "e^2000, which overflows": lambda z: _exp_normalise(z - z.min(axis=-1, keepdims=True)),
    "you subtracted each row's first entry: for the logits [-1000, 1000, -1000] that "
    "leaves e^2000, which overflows": lambda z: _exp_normalise(z - z[..., :1]),
    "you subtracted each row's last entry: for the logits [1000, -1000, -1000] that "
    "leaves e^2000, which overflows": lambda z: _exp_normalise(z - z[..., -1:]),
    "you subtracted the maximum of the whole batch, z.max(): in a row far below it every "
    "exponential underflows to 0, and 0 / 0 is NaN": lambda z: _exp_normalise(z - z.max()),
    "you computed log(sum(exp(z))) directly, which overflows like e^z itself (the stable "
    "log-sum-exp is m + log(sum(exp(z - m))), m the row maximum)": lambda z: np.exp(
        z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    ),
}


def check_spread_logits(
    answer: Callable[[np.ndarray], object],
    from_softmax: Callable[[np.ndarray], np.ndarray],
    advice: str,
    success: str,
    logits: np.ndarray = SPREAD_LOGITS,
) -> Feedback:
    """Grade ``answer(logits)`` on logits only a stable softmax survives.

    ``from_softmax(p)`` turns probabilities ``p`` of the shape of ``logits`` into the
    exercise's answer (``p`` itself, ``p (1 - p)``, a gradient ...). The answer passes if
    it equals ``from_softmax(softmax(logits))``; otherwise the message names the shift of
    :data:`SHIFT_MISTAKES` it matches, or shows the first row that differs, then gives
    ``advice``.
    """
    with np.errstate(all="ignore"):
        result, error = call(answer, logits.copy())
        if error is not None:
            return error
        e = np.exp(logits - logits.max(axis=-1, keepdims=True))
        expected = np.asarray(from_softmax(e / e.sum(axis=-1, keepdims=True)))
        if close(result, expected):
            return Feedback(True, success)
        for reason, wrong_softmax in SHIFT_MISTAKES.items():
            if same_numbers(result, from_softmax(wrong_softmax(logits))):
                return Feedback(False, f"{reason}; {advice}")
    if result.shape != expected.shape:
        return Feedback(
            False,
            f"for logits of shape {logits.shape} the result has shape {result.shape}; "
            f"expected shape {expected.shape}",
        )
    row = next((i for i in range(len(logits)) if not close(result[i], expected[i])), 0)

    def show(values: np.ndarray) -> str:
        return np.array2string(np.asarray(values, dtype=float), precision=4, separator=", ")

    got, want = np.asarray(result[row], dtype=float), expected[row]
    if np.all(np.isfinite(got)):
        k = int(np.argmax(np.abs(got - want)))
        return Feedback(
            False,
            f"for the logits {show(logits[row])}, entry {k}: {mismatch(got[k], want[k])}; "
            f"{advice}",
        )
    return Feedback(
        False,
        f"for the logits {show(logits[row])} your function returned {show(got)}, "
        f"expected {show(want)}; {advice}",
    )
