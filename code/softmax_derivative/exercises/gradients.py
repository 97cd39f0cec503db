"""Checkers for the gradient chapters: backpropagation and cross-entropy."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..backward import backward
from ..forward import softmax
from ..losses import cross_entropy_grad, one_hot
from ._grading import Feedback, call, diagnose, fixed_logits

__all__ = ["check_backward", "check_cross_entropy_grad"]


def check_backward(fn: Callable) -> Feedback:
    """Grade ``fn(s, grad)``: the gradient with respect to the logits for a batch (N, L).

    Examples
    --------
    >>> from softmax_derivative.exercises import check_backward
    >>> check_backward(lambda s, g: s * g)
    Not yet: you forgot to subtract the weighted sum: s * (grad - sum(grad * s, axis=-1))
    """
    z = fixed_logits()
    s = softmax(z)
    grad = np.random.default_rng(7).normal(size=s.shape)
    result, error = call(fn, s.copy(), grad.copy())
    if error:
        return error
    expected = backward(s, grad)
    dot = np.sum(grad * s, axis=-1, keepdims=True)
    mistakes = {
        "you forgot to subtract the weighted sum: s * (grad - sum(grad * s, axis=-1))": s * grad,
        "the sign is flipped": -expected,
        "the sum runs over the wrong axis: sum over the classes (axis=-1), keepdims=True": s
        * (grad - np.sum(grad * s, axis=0, keepdims=True)),
        "you forgot to multiply by s: the result is s * (grad - <grad, s>)": grad - dot,
        "the result is transposed: return shape (N, L), like s": expected.T,
    }
    return diagnose(result, expected, mistakes, "s * (grad - <grad, s>) for every row")


def check_cross_entropy_grad(fn: Callable) -> Feedback:
    """Grade ``fn(logits, y)``: the gradient of the mean cross-entropy w.r.t. the logits.

    ``y`` holds one-hot rows; the loss is averaged over the N rows of the batch.

    Examples
    --------
    >>> from softmax_derivative import softmax
    >>> from softmax_derivative.exercises import check_cross_entropy_grad
    >>> check_cross_entropy_grad(lambda z, y: softmax(z) - y)
    Not yet: the loss is the mean over the batch: divide by N = len(logits)
    """
    z = fixed_logits()
    y = one_hot(np.array([0, 2, 4, 1]), z.shape[-1])
    result, error = call(fn, z.copy(), y.copy())
    if error:
        return error
    p = softmax(z)
    N = z.shape[0]
    expected = cross_entropy_grad(p, y)
    mistakes = {
        "the loss is the mean over the batch: divide by N = len(logits)": p - y,
        "the sign is flipped: the gradient is (y_hat - y) / N": (y - p) / N,
        "apply softmax to the logits first: the gradient is (softmax(z) - y) / N": (z - y) / N,
        "you returned -y / y_hat, the gradient with respect to the probabilities": -y / p / N,
    }
    return diagnose(result, expected, mistakes, "(y_hat - y) / N")
