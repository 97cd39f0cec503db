"""Backpropagation through the softmax: three ways to the same vector-Jacobian product."""

from __future__ import annotations

import numpy as np

from ._validation import check_out, probabilities_and_gradient
from .jacobian import jacobian

__all__ = ["backward", "backward_loop", "backward_via_jacobian"]


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

    Every argument is checked before anything is written; ``out`` may be ``s`` or ``grad``.
    NumPy makes four passes over memory here (the product, its row sums, the difference,
    the final product); the fused loop of :func:`softmax_derivative.fused.backward` makes one.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import backward, softmax
    >>> s = softmax(np.array([1.0, 2.0, 3.0]))
    >>> backward(s, np.array([0.0, 0.0, 1.0]))  # the gradient of S_3
    array([-0.05989202, -0.1628034 ,  0.22269543])
    """
    s, grad = probabilities_and_gradient(s, grad)
    check_out(out, s.shape, np.result_type(s, grad))
    dot = np.sum(grad * s, axis=-1, keepdims=True)
    return np.multiply(s, grad - dot, out=out)


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
    s, grad = probabilities_and_gradient(s, grad)
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
    s, grad = probabilities_and_gradient(s, grad)
    if s.ndim > 2:
        raise ValueError(f"s must have shape (N, L) or (L,) for the loop, got {s.shape}")
    rows_s, rows_grad = np.atleast_2d(s), np.atleast_2d(grad)
    dz = np.empty_like(rows_grad, dtype=np.result_type(s, grad))
    for i, (single_s, single_grad) in enumerate(zip(rows_s, rows_grad, strict=True)):
        column = single_s.reshape(-1, 1)
        jacobian_matrix = np.diagflat(column) - column @ column.T
        dz[i] = jacobian_matrix @ single_grad
    return dz.reshape(s.shape)
