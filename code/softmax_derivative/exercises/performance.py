"""Checkers for the performance chapter: memory traffic and a fused backward loop."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..backward import backward
from ..forward import softmax
from ._form import graded_loop
from ._grading import Feedback, call, call_for_numbers, diagnose, diagnose_counts

__all__ = ["check_naive_backward_traffic", "check_fused_backward"]


def check_naive_backward_traffic(fn: Callable) -> Feedback:
    """Grade ``fn(N, L, itemsize)``: the bytes the naive backward expression moves.

    The expression is ``s * (grad - (grad * s).sum(axis=-1, keepdims=True))`` on arrays of
    shape ``(N, L)``. Count every read and every write of an ``(N, L)`` array once (a
    temporary is written once and read once) and ignore the arrays of ``N`` numbers.

    Examples
    --------
    >>> from softmax_derivative.exercises import check_naive_backward_traffic
    >>> check_naive_backward_traffic(lambda N, L, itemsize: 3 * N * L * itemsize)
    Not yet: 3 N L itemsize is the fused kernel (read s and grad once, write the result ...
    """
    cases = [(4096, 10, 8), (256, 32000, 4), (3, 7, 2), (1, 1, 8)]
    got, error = call_for_numbers(fn, cases)
    if error is not None:
        return error
    n_l_b = np.array([N * L * b for N, L, b in cases], dtype=float)
    expected = 9 * n_l_b
    mistakes = {
        "3 N L itemsize is the fused kernel (read s and grad once, write the result once); "
        "the naive expression makes four passes and writes two temporaries": 3 * n_l_b,
        "you counted the reads only (2 + 1 + 1 + 2 arrays); add the writes of the two "
        "temporaries and of the result": 6 * n_l_b,
        "you counted passes, not arrays: each pass reads one or two arrays and may write one": (
            4 * n_l_b
        ),
        "that is the number of elements moved: multiply by itemsize to get bytes": (
            expected / np.array([b for *_, b in cases])
        ),
        "that counts bits: itemsize is already in bytes": 8 * expected,
        "one array short: grad * s reads two and writes one (3), .sum reads it (1), "
        "grad - dot reads one and writes one (2), s * (...) reads two and writes one (3)": (
            8 * n_l_b
        ),
    }
    return diagnose_counts(
        got,
        expected,
        mistakes,
        "9 N L itemsize bytes: three times the fused kernel's traffic",
        cases,
    )


def _inputs(n: int, length: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n, length)) * 2
    z[0, -1] = -np.inf  # a masked class: probability exactly 0
    z[-1] = 0.0
    z[-1, 0] = 1e3  # a one-hot row: its gradient is 0
    return softmax(z), rng.normal(size=(n, length))


def _row_dots(s: np.ndarray, grad: np.ndarray) -> np.ndarray:
    return (grad * s).sum(axis=-1, keepdims=True)


def check_fused_backward(fn: Callable) -> Feedback:
    r"""Grade ``fn(s, grad, out)``: the backward pass as one loop over the rows, into ``out``.

    For each row ``i`` the function sums :math:`d_i = \sum_j g_{i,j} S_{i,j}`, then writes
    ``out[i, k] = s[i, k] * (grad[i, k] - d_i)``; it must not change ``s`` or ``grad``.
    It is called on two batches of different shapes, with ``out`` filled with NaN.

    Returns
    -------
    Feedback
        Passed if every entry of ``out`` is right, ``s`` and ``grad`` are unchanged, and
        the function's code (with the functions of its own module or notebook that it
        calls) loops (``for``, ``while``, a comprehension or ``map``) without calling the
        package's ``backward``. The code is read from the compiled
        function (a numba function through its ``py_func``); for a function without
        Python code only the values are graded, and the message says so. Otherwise the
        mistake found (out not written, the dot product carried over from the previous
        row, a flipped sign, a forgotten factor, misplaced parentheses, the wrong dot
        product, no loop, a call of ``backward``).

    Examples
    --------
    >>> from softmax_derivative.exercises import check_fused_backward
    >>> def fused_backward(s, grad, out):
    ...     for i in range(s.shape[0]):
    ...         dot = 0.0
    ...         for j in range(s.shape[1]):
    ...             dot += grad[i, j] * s[i, j]
    ...         for k in range(s.shape[1]):
    ...             out[i, k] = s[i, k] * (grad[i, k] - dot)
    >>> check_fused_backward(fused_backward)
    Correct: every row of out is s * (grad - <grad, s>), and your function has a loop
    >>> def vectorised(s, grad, out):
    ...     out[:] = s * (grad - (grad * s).sum(axis=-1, keepdims=True))
    >>> check_fused_backward(vectorised)
    Not yet: the values are right, but your function has no loop ...
    """
    for n, length, seed in [(6, 5, 20240610), (3, 8, 20240611)]:
        s, grad = _inputs(n, length, seed)
        s_in, grad_in, out = s.copy(), grad.copy(), np.full_like(s, np.nan)
        _, error = call(fn, s_in, grad_in, out)
        if error is not None:
            return error
        if not (np.array_equal(s_in, s) and np.array_equal(grad_in, grad)):
            return Feedback(
                False,
                "your function changed s or grad: read them, write only into out",
            )
        if np.isnan(out).all():
            return Feedback(
                False, "out is unchanged: write each entry into out[i, k], do not return it"
            )
        if np.isnan(out).any():
            rows = sorted({int(i) for i in np.nonzero(np.isnan(out).any(axis=-1))[0]})
            return Feedback(
                False,
                f"some entries of out were never written (rows {rows}): loop over "
                "every row i and every class k",
            )
        dots = _row_dots(s, grad)
        mistakes = {
            "the dot product carries over from one row to the next: set dot = 0.0 at the "
            "start of each row": s * (grad - np.cumsum(dots, axis=0)),
            "the sign is flipped: the result is s * (grad - <grad, s>)": -s * (grad - dots),
            "you forgot the factor s: out[i, k] = s[i, k] * (grad[i, k] - dot)": grad - dots,
            "the parentheses: s[i, k] * (grad[i, k] - dot), not s[i, k] * grad[i, k] - dot": (
                s * grad - dots
            ),
            "the dot product is <grad, s> (sum of grad * s), not <s, s>": s
            * (grad - (s * s).sum(axis=-1, keepdims=True)),
            "the dot product sums over the classes of one row (j), not over the rows": s
            * (grad - (grad * s).sum(axis=0, keepdims=True)),
        }
        verdict = diagnose(
            out, backward(s, grad), mistakes, "every row of out is s * (grad - <grad, s>)"
        )
        if not verdict.passed:
            return verdict
    return graded_loop(
        fn,
        verdict.message,
        "write the loop yourself: for each row i, sum dot = <grad[i], s[i]>, then write "
        "out[i, k] = s[i, k] * (grad[i, k] - dot)",
    )
