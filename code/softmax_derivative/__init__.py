"""softmax_derivative: the softmax, its Jacobian and its backward pass, in NumPy.

The companion package of the book *The Derivative of Softmax*. Every function works on the
last axis of an array of any leading shape; a batch is an array of shape ``(N, L)``.

Modules, one per idea:

- :mod:`~softmax_derivative.forward`: :func:`softmax`, :func:`log_softmax`
- :mod:`~softmax_derivative.jacobian`: :func:`jacobian`
- :mod:`~softmax_derivative.backward`: :func:`backward`, :func:`backward_via_jacobian`,
  :func:`backward_loop`
- :mod:`~softmax_derivative.fused`: the same three functions as compiled loops, one pass
  over memory per row (imported on demand; needs numba, the extra ``fast``)
- :mod:`~softmax_derivative.losses`: cross-entropy and MSE with their gradients
- :mod:`~softmax_derivative.gradcheck`: :func:`numerical_jacobian`, :func:`check_gradient`
- :mod:`~softmax_derivative.symbolic`: sympy helpers (imported on demand)
- :mod:`~softmax_derivative.exercises`: checkers that grade a learner's code
"""

from .backward import backward, backward_loop, backward_via_jacobian
from .forward import log_softmax, softmax
from .gradcheck import GradientCheckError, check_gradient, numerical_jacobian, relative_error
from .jacobian import jacobian
from .losses import (
    cross_entropy,
    cross_entropy_from_logits,
    cross_entropy_grad,
    cross_entropy_grad_probs,
    mse,
    mse_grad,
    one_hot,
)

__version__ = "1.0.0"

__all__ = [
    "softmax",
    "log_softmax",
    "jacobian",
    "backward",
    "backward_loop",
    "backward_via_jacobian",
    "one_hot",
    "cross_entropy",
    "cross_entropy_from_logits",
    "cross_entropy_grad",
    "cross_entropy_grad_probs",
    "mse",
    "mse_grad",
    "numerical_jacobian",
    "relative_error",
    "check_gradient",
    "GradientCheckError",
]
