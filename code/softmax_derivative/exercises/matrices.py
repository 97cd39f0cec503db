"""Checkers for the matrix chapters: the Jacobian of the softmax."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..forward import softmax
from ..jacobian import jacobian
from ._grading import Feedback, call, diagnose, fixed_logits

__all__ = ["check_jacobian"]


def check_jacobian(fn: Callable) -> Feedback:
    """Grade ``fn(s)``, the (L, L) Jacobian of the softmax from its output vector ``s``.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative.exercises import check_jacobian
    >>> check_jacobian(lambda s: -np.outer(s, s))
    Not yet: you forgot the diagonal term: the Jacobian is diag(s) - s s^T
    """
    s = softmax(fixed_logits()[0])
    result, error = call(fn, s.copy())
    if error:
        return error
    expected = jacobian(s)
    outer = np.outer(s, s)
    mistakes = {
        "the sign is flipped: the Jacobian is diag(s) - s s^T, not s s^T - diag(s)": -expected,
        "you forgot the diagonal term: the Jacobian is diag(s) - s s^T": -outer,
        "you kept only the diagonal: the off-diagonal entries are -S_j S_k": np.diag(s - s**2),
        "diag(s) puts s on the diagonal of a zero matrix: use np.diag(s), not a column of s": (
            s[:, None] - outer
        ),
        "s s^T is the outer product (an L x L matrix), not the inner product s . s": (
            np.diag(s) - s @ s
        ),
        "only the diagonal entries are S_j (1 - S_j); the others are -S_j S_k": np.outer(s, 1 - s),
    }
    return diagnose(result, expected, mistakes, "diag(s) - s s^T")
