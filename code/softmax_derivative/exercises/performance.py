"""Checkers for the performance chapter: memory traffic and a blocked backward pass."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..backward import backward
from ..forward import softmax
from ._grading import Feedback, call, call_for_numbers, close, diagnose, diagnose_counts

__all__ = ["check_naive_backward_traffic", "check_blocked_backward"]


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


def _blocked(s: np.ndarray, grad: np.ndarray, rows: int, formula: Callable) -> np.ndarray:
    dz = np.zeros_like(s)
    for start in range(0, len(s), rows):
        block = slice(start, start + rows)
        dz[block] = formula(s[block], grad[block])
    return dz


def check_blocked_backward(fn: Callable) -> Feedback:
    r"""Grade ``fn(s, grad, block_rows)``: the backward pass computed block by block.

    ``fn`` must return :math:`S_{i,k}(g_{i,k} - \sum_j g_{i,j} S_{i,j})` for every row,
    processing ``block_rows`` rows at a time (the last block may be shorter), without
    changing ``s`` or ``grad``. It is called with several block sizes, including one that
    does not divide the number of rows and one larger than the batch.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative.exercises import check_blocked_backward
    >>> def blocked(s, grad, block_rows):
    ...     dz = np.empty_like(s)
    ...     for start in range(0, len(s), block_rows):
    ...         b = slice(start, start + block_rows)
    ...         dz[b] = s[b] * (grad[b] - (grad[b] * s[b]).sum(axis=-1, keepdims=True))
    ...     return dz
    >>> check_blocked_backward(blocked)
    Correct: every block size gives s * (grad - <grad, s>), row by row
    """
    rng = np.random.default_rng(20240610)
    s = softmax(rng.normal(size=(7, 5)) * 2)
    grad = rng.normal(size=(7, 5))
    expected = backward(s, grad)
    for rows in (3, 1, 7, 10):
        s_in, grad_in = s.copy(), grad.copy()
        result, error = call(fn, s_in, grad_in, rows)
        if error is not None:
            return error
        if not (np.array_equal(s_in, s) and np.array_equal(grad_in, grad)):
            return Feedback(
                False,
                "your function changed s or grad in place: write into a new array (or out=)",
            )
        full = (len(s) // rows) * rows
        if (
            result.shape == expected.shape
            and 0 < full < len(s)
            and close(result[:full], expected[:full])
            and not close(result[full:], expected[full:])
        ):
            return Feedback(
                False,
                f"with block_rows={rows} the last {len(s) - full} row(s) are wrong: the last "
                "block is shorter; loop with range(0, N, block_rows) and slice "
                "s[start:start + block_rows]",
            )
        mistakes = {
            "the sign is flipped: the result is s * (grad - <grad, s>)": -expected,
            "you forgot the factor s: the result is s * (grad - <grad, s>), not "
            "grad - <grad, s>": grad - (grad * s).sum(axis=-1, keepdims=True),
            "the dot product is <grad, s> (sum of grad * s), not <s, s>": s
            * (grad - (s * s).sum(axis=-1, keepdims=True)),
            "you summed over the batch axis (axis 0) of each block; sum over the classes "
            "(axis=-1, keepdims=True)": _blocked(
                s, grad, rows, lambda a, g: a * (g - (g * a).sum(axis=0, keepdims=True))
            ),
        }
        verdict = diagnose(
            result,
            expected,
            mistakes,
            "every block size gives s * (grad - <grad, s>), row by row",
        )
        if not verdict.passed:
            return Feedback(False, f"with block_rows={rows}: {verdict.message}")
    return verdict
