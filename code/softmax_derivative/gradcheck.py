"""Derivatives by central differences, and a check that compares them with a formula."""

from __future__ import annotations

import numbers
from collections.abc import Callable

import numpy as np

from ._validation import as_float_array

__all__ = [
    "GradientCheckError",
    "numerical_jacobian",
    "relative_error",
    "check_gradient",
]


class GradientCheckError(AssertionError):
    """An analytic derivative disagrees with its finite-difference estimate."""


def numerical_jacobian(f: Callable, z, eps: float = 1e-6) -> np.ndarray:
    r"""Derivative of ``f`` at ``z`` by central differences, in float64.

    Parameters
    ----------
    f : callable
        Maps an array of the shape of ``z`` to an array (or a scalar).
    z : array_like
        The point. It is not modified.
    eps : float, optional
        The step :math:`h`. The error is :math:`O(h^2)` from truncation plus
        :math:`O(\varepsilon_{\text{mach}}/h)` from rounding; about
        :math:`\varepsilon_{\text{mach}}^{1/3} \approx 10^{-5}` balances them.

    Returns
    -------
    J : ndarray, shape ``f(z).shape + z.shape``
        ``J[a, b] = (f(z + h e_b)[a] - f(z - h e_b)[a]) / (2h)``: the numerator layout,
        so a vector function of a vector gives the usual ``(M, L)`` Jacobian and a scalar
        function gives the gradient, of the shape of ``z``.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import numerical_jacobian, jacobian, softmax
    >>> z = np.array([1.0, 2.0, 3.0])
    >>> J = numerical_jacobian(softmax, z)
    >>> bool(np.allclose(J, jacobian(softmax(z)), atol=1e-9))
    True
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real):
        raise TypeError(f"eps must be a real number, got {type(eps).__name__}")
    if not np.isfinite(eps) or eps <= 0:
        raise ValueError(f"eps must be a positive finite step, got {eps}")
    z = as_float_array(z, "z").astype(np.float64)  # a private copy
    out_shape = np.shape(f(z.copy()))
    J = np.empty(out_shape + z.shape)
    for b in np.ndindex(z.shape):
        original = z[b]
        z[b] = original + eps
        f_plus = np.asarray(f(z.copy()), dtype=np.float64)
        z[b] = original - eps
        f_minus = np.asarray(f(z.copy()), dtype=np.float64)
        z[b] = original
        J[(Ellipsis, *b)] = (f_plus - f_minus) / (2 * eps)
    return J


def relative_error(actual, expected) -> float:
    r"""Largest absolute difference, relative to the larger of the two arrays' sizes.

    .. math:: \frac{\max |a - e|}{\max(\max|a|, \max|e|)}

    Two all-zero arrays have relative error 0.

    Examples
    --------
    >>> from softmax_derivative import relative_error
    >>> round(relative_error([1.0, 2.0], [1.0, 2.002]), 6)
    0.000999
    """
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    if a.shape != e.shape:
        raise ValueError(f"actual has shape {a.shape} but expected has shape {e.shape}")
    # np.maximum, not max(): the builtin drops a NaN in its second argument
    scale = np.maximum(np.max(np.abs(a), initial=0.0), np.max(np.abs(e), initial=0.0))
    if scale == 0:
        return 0.0
    return float(np.max(np.abs(a - e)) / scale)


def check_gradient(f: Callable, analytic, z, eps: float = 1e-6, rtol: float = 1e-6) -> float:
    """Compare a claimed derivative of ``f`` at ``z`` with central differences.

    Parameters
    ----------
    f : callable
        The function (scalar- or array-valued).
    analytic : array_like
        The claimed derivative at ``z``: the gradient (shape of ``z``) for a scalar ``f``,
        the Jacobian ``(M, L)`` for a vector ``f``, as :func:`numerical_jacobian` lays out.
    z : array_like
        The point.
    eps : float, optional
        Finite-difference step.
    rtol : float, optional
        Largest relative error accepted.

    Returns
    -------
    error : float
        The :func:`relative_error` of ``analytic`` against the estimate.

    Raises
    ------
    GradientCheckError
        If the error exceeds ``rtol``; the message gives the error and the worst entry.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import check_gradient, jacobian, softmax
    >>> z = np.array([0.5, -1.0, 2.0])
    >>> check_gradient(softmax, jacobian(softmax(z)), z) < 1e-8
    True
    >>> check_gradient(softmax, -jacobian(softmax(z)), z)
    Traceback (most recent call last):
    ...
    softmax_derivative.gradcheck.GradientCheckError: analytic derivative disagrees ...
    """
    numeric = numerical_jacobian(f, z, eps)
    analytic = np.asarray(analytic, dtype=np.float64)
    if analytic.shape != numeric.shape:
        raise ValueError(
            f"analytic must have shape {numeric.shape} (f's output shape + z's shape), "
            f"got {analytic.shape}"
        )
    error = relative_error(analytic, numeric)
    if not error <= rtol:  # also catches NaN
        diff = np.abs(analytic - numeric)
        worst = np.unravel_index(np.argmax(np.where(np.isnan(diff), np.inf, diff)), diff.shape)
        raise GradientCheckError(
            f"analytic derivative disagrees with central differences: relative error "
            f"{error:.3g} > rtol {rtol:g}; worst entry {tuple(map(int, worst))}: analytic "
            f"{analytic[worst]:.6g}, numerical {numeric[worst]:.6g}"
        )
    return error
