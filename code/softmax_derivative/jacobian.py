"""The explicit Jacobian of the softmax: diag(s) - s s^T for every row."""

from __future__ import annotations

import numpy as np

from ._validation import as_float_array, check_probabilities

__all__ = ["jacobian"]


def jacobian(s) -> np.ndarray:
    r"""Jacobian of the softmax, given its output.

    Parameters
    ----------
    s : array_like, shape (..., L)
        Softmax outputs (probabilities), not logits: each row must lie in [0, 1] and sum
        to 1, or a ValueError naming ``s`` is raised.

    Returns
    -------
    J : ndarray, shape (..., L, L)
        ``J[..., j, k]`` is :math:`\partial S_j / \partial z_k`.

    Notes
    -----
    .. math::

        \frac{\partial S_{i,j}}{\partial z_{i,k}} = S_{i,j}(\delta_{jk} - S_{i,k}),
        \qquad J_i = \operatorname{diag}(s_i) - s_i s_i^{\mathsf T}.

    The matrix is symmetric, so the numerator and denominator layouts coincide. Each row
    and column sums to 0, so ``J`` is singular. A batch of ``N`` rows needs
    :math:`N L^2` numbers: use :func:`backward` to push a gradient through the softmax.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import jacobian
    >>> jacobian(np.array([0.5, 0.5]))
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    >>> jacobian(np.full((3, 4), 0.25)).shape
    (3, 4, 4)
    """
    s = as_float_array(s, "s")
    check_probabilities(s, "s")
    J = s[..., :, None] * -s[..., None, :]
    diagonal = np.einsum("...jj->...j", J)  # a writable view of the diagonal
    diagonal += s
    return J
