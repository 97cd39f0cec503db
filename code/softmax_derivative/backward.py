"""Backpropagation through the softmax: three ways to the same vector-Jacobian product."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import _kernels as k
from ._validation import (
    as_float_array,
    check_out,
    check_probabilities,
    check_same_shape,
    probability_tolerance,
)
from .jacobian import jacobian

__all__ = ["backward", "backward_loop", "backward_via_jacobian"]


def _inputs(s, grad) -> tuple[np.ndarray, np.ndarray]:
    s = as_float_array(s, "s")
    check_probabilities(s, "s")
    grad = as_float_array(grad, "grad")
    check_same_shape(s, grad, "s", "grad")
    return s, grad


def backward(s, grad, out: np.ndarray | None = None) -> np.ndarray:
    r"""Gradient with respect to the logits, from the gradient with respect to the softmax.

    Parameters
    ----------
    s : array_like, shape (..., L)
        Softmax outputs (probabilities) of the forward pass.
    grad : array_like, shape (..., L)
        :math:`\partial \mathcal{L} / \partial S`, the upstream gradient.
    out : ndarray, optional
        Array of the shape and result dtype to write into.

    Returns
    -------
    dz : ndarray, shape (..., L)
        :math:`\partial \mathcal{L} / \partial z`.

    Notes
    -----
    The vector-Jacobian product, in :math:`O(L)` time and memory per row:

    .. math::

        \frac{\partial \mathcal{L}}{\partial z_{i,k}}
        = \sum_j \frac{\partial \mathcal{L}}{\partial S_{i,j}} S_{i,j}(\delta_{jk} - S_{i,k})
        = S_{i,k}\Big(\frac{\partial \mathcal{L}}{\partial S_{i,k}}
          - \sum_j \frac{\partial \mathcal{L}}{\partial S_{i,j}} S_{i,j}\Big).

    It equals :func:`backward_via_jacobian` and :func:`backward_loop` without building any
    :math:`L \times L` matrix. The result dtype follows NumPy's promotion of ``s`` and
    ``grad`` (float32 with float32 stays float32).

    The rows are processed in blocks that stay in cache: ``s`` and ``grad`` are read from
    memory once and the result written once, and the check that ``s`` holds probabilities
    is done on each block while it is in cache (its smallest entry and row sums, compared
    with their bounds once at the end). ``out`` may be ``s`` or ``grad``. If ``s`` turns
    out not to hold probabilities, the ValueError is raised after ``out`` has been written.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import backward, softmax
    >>> s = softmax(np.array([1.0, 2.0, 3.0]))
    >>> backward(s, np.array([0.0, 0.0, 1.0]))  # the gradient of S_3
    array([-0.05989202, -0.1628034 ,  0.22269543])
    """
    s = k.floats(s, "s")
    try:
        grad = k.floats(grad, "grad")
        check_same_shape(s, grad, "s", "grad")
        if out is not None:
            check_out(out, s.shape, np.result_type(s, grad))
    except (TypeError, ValueError):
        check_probabilities(s, "s")  # a bad ``s`` is reported first, as it is checked first
        raise
    dtype = np.result_type(s, grad)
    result, result_rows = k.output_rows(out, s.shape, dtype, s, grad)
    s_rows, grad_rows = k.input_rows(s), k.input_rows(grad)
    n_rows, length = s_rows.shape
    if n_rows == 0:
        return k.finish(result, out)
    step = k.rows_per_block(length, dtype.itemsize)
    ones_s, ones = k.ones_for(s), np.ones(length, dtype)
    if out is not None and (np.may_share_memory(result, s) or np.may_share_memory(result, grad)):
        # out is s or grad: work in a scratch block so that no input is overwritten early
        work_rows = np.empty((min(step, n_rows), length), dtype)
    else:
        work_rows = None  # work in the result itself: one array less in the cache
    # The probability check, one reduction per block: each block's smallest entry and the
    # row sums, compared with their bounds once after the loop.
    lows = np.empty(-(-n_rows // step), s.dtype)
    sums = np.empty(n_rows, s.dtype)
    old_bufsize = k.unbuffered_rows(length)
    try:
        for b, start in enumerate(range(0, n_rows, step)):
            rows = slice(start, start + step)
            s_block, grad_block, result_block = s_rows[rows], grad_rows[rows], result_rows[rows]
            work = result_block if work_rows is None else work_rows[: len(s_block)]
            lows[b] = s_block.min()
            k.row_sums(s_block, ones_s, out=sums[rows])
            dots = k.row_dots(grad_block, s_block, work, ones)
            np.subtract(grad_block, dots[:, None], out=work)
            np.multiply(work, s_block, out=result_block)
    finally:
        if old_bufsize is not None:
            np.setbufsize(old_bufsize)
    if not _plain_probabilities(lows, sums, _tolerance(s.dtype)):
        check_probabilities(s, "s")  # negative entries within tolerance, NaN, or an error
    return k.finish(result, out)


_tolerance = lru_cache(probability_tolerance)


def _plain_probabilities(lows: np.ndarray, sums: np.ndarray, tol: float) -> bool:
    """True if every entry is >= 0 (``lows``: the smallest entry of each block) and every
    row sum (``sums``) is 1 within ``tol``.

    Then every entry is also <= its row sum <= 1 + tol (rounding is monotonic, so a sum of
    non-negative numbers is at least each of them): ``s`` passes
    :func:`~softmax_derivative._validation.check_probabilities`. False calls for the full
    check, which raises or lets ``s`` through (NaN rows, tiny negative entries).
    """
    return bool(lows.min() >= 0 and sums.min() >= 1 - tol and sums.max() <= 1 + tol)


def backward_via_jacobian(s, grad) -> np.ndarray:
    r"""Vector-Jacobian product through the explicit batch of Jacobians.

    Builds the ``(..., L, L)`` tensor of :func:`jacobian` and multiplies each matrix by its
    gradient row: :math:`O(L^2)` time and memory per row. For teaching; use
    :func:`backward`.

    Parameters
    ----------
    s : array_like, shape (..., L)
        Softmax outputs.
    grad : array_like, shape (..., L)
        Upstream gradient :math:`\partial \mathcal{L} / \partial S`.

    Returns
    -------
    dz : ndarray, shape (..., L)
        :math:`J^{\mathsf T} g` for each row (``J`` is symmetric, so also :math:`J g`).

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import backward_via_jacobian, softmax
    >>> s = softmax(np.array([1.0, 2.0, 3.0]))
    >>> backward_via_jacobian(s, np.array([0.0, 0.0, 1.0]))
    array([-0.05989202, -0.1628034 ,  0.22269543])
    """
    s, grad = _inputs(s, grad)
    return np.einsum("...kj,...k->...j", jacobian(s), grad)


def backward_loop(s, grad) -> np.ndarray:
    r"""Vector-Jacobian product one sample at a time, as a first implementation would do it.

    For each row ``i``: build the Jacobian ``diag(s_i) - s_i s_i^T`` and take its product
    with ``grad[i]``. This is the working form of the per-sample loop of the book's fourth
    source; slow in Python, kept to show that :func:`backward` computes the same thing.

    Parameters
    ----------
    s : array_like, shape (N, L) or (L,)
        Softmax outputs.
    grad : array_like, same shape as ``s``
        Upstream gradient.

    Returns
    -------
    dz : ndarray, same shape as ``s``

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import backward_loop, softmax
    >>> s = softmax(np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
    >>> backward_loop(s, np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]))
    array([[-0.05989202, -0.1628034 ,  0.22269543],
           [ 0.22222222, -0.11111111, -0.11111111]])
    """
    s, grad = _inputs(s, grad)
    if s.ndim > 2:
        raise ValueError(f"s must have shape (N, L) or (L,) for the loop, got {s.shape}")
    rows_s, rows_grad = np.atleast_2d(s), np.atleast_2d(grad)
    dz = np.empty_like(rows_grad, dtype=np.result_type(s, grad))
    for i, (single_s, single_grad) in enumerate(zip(rows_s, rows_grad, strict=True)):
        column = single_s.reshape(-1, 1)
        jacobian_matrix = np.diagflat(column) - column @ column.T
        dz[i] = jacobian_matrix @ single_grad
    return dz.reshape(s.shape)
