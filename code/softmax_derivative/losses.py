"""Losses that follow a softmax, and their gradients: cross-entropy and mean squared error.

Conventions: the class axis is the last axis; every leading index is a sample. With
``reduction="mean"`` (the default, as in PyTorch and Keras) the loss is averaged over the
samples, so each gradient carries a factor ``1/N``; ``"sum"`` adds the samples and
``"none"`` returns one loss per sample (and the gradients carry no ``1/N``).
"""

from __future__ import annotations

import numpy as np

from ._validation import (
    as_float_array,
    check_class_indices,
    check_probabilities,
    check_same_shape,
    real_array,
)
from .forward import log_softmax

__all__ = [
    "one_hot",
    "cross_entropy",
    "cross_entropy_from_logits",
    "cross_entropy_grad",
    "cross_entropy_grad_probs",
    "mse",
    "mse_grad",
]

_REDUCTIONS = ("mean", "sum", "none")


def one_hot(indices, num_classes: int, dtype=np.float64) -> np.ndarray:
    """One-hot rows from class indices.

    Parameters
    ----------
    indices : array_like of int, shape (...)
        Class indices in ``[0, num_classes)``.
    num_classes : int
        ``L``, the length of each row.
    dtype : dtype, optional
        Dtype of the result (float64 by default).

    Returns
    -------
    y : ndarray, shape (..., num_classes)

    Examples
    --------
    >>> from softmax_derivative import one_hot
    >>> one_hot([2, 0], 3)
    array([[0., 0., 1.],
           [1., 0., 0.]])
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, int | np.integer):
        raise TypeError(f"num_classes must be an int, got {type(num_classes).__name__}")
    if num_classes < 1:
        raise ValueError(f"num_classes must be >= 1, got {num_classes}")
    indices = np.asarray(indices)
    check_class_indices(indices, num_classes, "indices")
    return _encode(indices, num_classes, dtype)


def _encode(indices: np.ndarray, num_classes: int, dtype) -> np.ndarray:
    return (indices[..., None] == np.arange(num_classes)).astype(dtype)


def _target_distribution(targets, like: np.ndarray) -> np.ndarray:
    """Targets as dense rows of the shape of ``like``: from class indices or from rows."""
    targets = real_array(targets, "targets")
    if targets.shape == like.shape:
        y = targets.astype(like.dtype, copy=False)
        check_probabilities(y, "targets", what="one-hot rows or distributions", hint="")
        return y
    if targets.shape == like.shape[:-1]:
        check_class_indices(targets, like.shape[-1], "targets")
        return _encode(targets, like.shape[-1], like.dtype)
    raise ValueError(
        f"targets must have shape {like.shape[:-1]} (class indices) or {like.shape} "
        f"(one-hot rows), got {targets.shape}"
    )


def _reduce(per_sample: np.ndarray, reduction: str):
    if reduction == "mean":
        return per_sample.mean()
    if reduction == "sum":
        return per_sample.sum()
    return per_sample


def _check_batch(x: np.ndarray, name: str, reduction: str) -> None:
    """Raise unless ``reduction`` is known and, for the mean, ``x`` holds samples (the mean
    over an empty batch is undefined: say so instead of returning NaN)."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    if reduction == "mean" and x.size == 0:
        raise ValueError(
            f"{name} holds no samples (shape {x.shape}): the mean over an empty batch is "
            "undefined; use reduction='sum' or 'none'"
        )


def _probs_and_targets(probs, targets, reduction: str) -> tuple[np.ndarray, np.ndarray]:
    """The checked arguments of a loss of probabilities: ``probs`` and dense targets."""
    probs = as_float_array(probs, "probs")
    check_probabilities(probs, "probs")
    _check_batch(probs, "probs", reduction)
    return probs, _target_distribution(targets, probs)


def _outputs_and_targets(outputs, targets, reduction: str) -> tuple[np.ndarray, np.ndarray]:
    """The checked arguments of a squared error: two float arrays of one shape."""
    outputs = as_float_array(outputs, "outputs")
    targets = as_float_array(targets, "targets")
    check_same_shape(outputs, targets, "outputs", "targets")
    _check_batch(outputs, "outputs", reduction)
    return outputs, targets


def _scale(shape: tuple[int, ...], reduction: str) -> float:
    """The factor a gradient carries: 1/N for the mean over N samples, else 1."""
    return 1 / int(np.prod(shape[:-1], dtype=np.int64)) if reduction == "mean" else 1.0


def cross_entropy(probs, targets, reduction: str = "mean"):
    r"""Categorical cross-entropy of probabilities against targets.

    Parameters
    ----------
    probs : array_like, shape (..., L)
        Predicted probabilities :math:`\hat y` (softmax outputs).
    targets : array_like
        Class indices of shape ``(...)`` or one-hot rows of shape ``(..., L)``.
    reduction : {"mean", "sum", "none"}
        How to combine the samples' losses.

    Returns
    -------
    loss : float or ndarray
        :math:`\mathcal{L}_i = -\sum_j y_{i,j} \log \hat y_{i,j}`, reduced. A target class
        with probability exactly 0 gives ``inf``; prefer :func:`cross_entropy_from_logits`.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import cross_entropy
    >>> probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.5, 0.4]])
    >>> round(float(cross_entropy(probs, [0, 1])), 6)  # (-log 0.7 - log 0.5) / 2
    0.524911
    """
    probs, y = _probs_and_targets(probs, targets, reduction)
    with np.errstate(divide="ignore"):
        log_p = np.log(probs)
    # 0 * log 0 counts as 0: mask log_p before the product so no 0 * -inf is evaluated
    per_sample = -np.sum(y * np.where(y > 0, log_p, 0), axis=-1)
    return _reduce(per_sample, reduction)


def cross_entropy_from_logits(logits, targets, reduction: str = "mean"):
    r"""Categorical cross-entropy of ``softmax(logits)``, computed through log-softmax.

    Parameters
    ----------
    logits : array_like, shape (..., L)
        Logits :math:`z`.
    targets : array_like
        Class indices of shape ``(...)`` or one-hot rows of shape ``(..., L)``.
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    loss : float or ndarray
        :math:`-\sum_j y_{i,j} \log \operatorname{softmax}(z_i)_j`, reduced; finite even
        where the softmax underflows to 0.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import cross_entropy_from_logits
    >>> float(cross_entropy_from_logits(np.array([0.0, 800.0]), 0))  # exp(-800) underflows
    800.0
    """
    logits = as_float_array(logits, "logits")
    _check_batch(logits, "logits", reduction)
    y = _target_distribution(targets, logits)
    log_p = log_softmax(logits)
    # 0 * log 0 counts as 0: mask log_p before the product so no 0 * -inf is evaluated
    per_sample = -np.sum(y * np.where(y > 0, log_p, 0), axis=-1)
    return _reduce(per_sample, reduction)


def cross_entropy_grad(probs, targets, reduction: str = "mean") -> np.ndarray:
    r"""Gradient of the cross-entropy of ``softmax(z)`` with respect to the logits ``z``.

    Parameters
    ----------
    probs : array_like, shape (..., L)
        :math:`\hat y = \operatorname{softmax}(z)`.
    targets : array_like
        Class indices of shape ``(...)`` or one-hot rows of shape ``(..., L)``.
    reduction : {"mean", "sum", "none"}
        The reduction of the loss being differentiated: ``"mean"`` divides by the number
        of samples ``N``.

    Returns
    -------
    dz : ndarray, shape (..., L)
        :math:`(\hat y - y) / N` for the mean, :math:`\hat y - y` otherwise.

    Notes
    -----
    The chain rule through the softmax Jacobian collapses:
    :math:`\sum_j (-y_j/\hat y_j)\,\hat y_j(\delta_{jk} - \hat y_k) = \hat y_k - y_k`
    because :math:`\sum_j y_j = 1`.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import cross_entropy_grad
    >>> cross_entropy_grad(np.array([0.7, 0.2, 0.1]), 0)
    array([-0.3,  0.2,  0.1])
    """
    probs, y = _probs_and_targets(probs, targets, reduction)
    return (probs - y) * probs.dtype.type(_scale(probs.shape, reduction))


def cross_entropy_grad_probs(probs, targets, reduction: str = "mean") -> np.ndarray:
    r"""Gradient of the cross-entropy with respect to the probabilities :math:`\hat y`.

    Parameters
    ----------
    probs : array_like, shape (..., L)
        Predicted probabilities.
    targets : array_like
        Class indices of shape ``(...)`` or one-hot rows of shape ``(..., L)``.
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    dprobs : ndarray, shape (..., L)
        :math:`-y_{i,j} / \hat y_{i,j}` (divided by ``N`` for the mean): the upstream
        gradient that :func:`backward` turns into :func:`cross_entropy_grad`. Entries where
        :math:`y_{i,j} = 0` are exactly 0.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import cross_entropy_grad_probs
    >>> cross_entropy_grad_probs(np.array([0.5, 0.25, 0.25]), 1)
    array([ 0., -4.,  0.])
    """
    probs, y = _probs_and_targets(probs, targets, reduction)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(y > 0, -y / probs, 0)
    return (ratio * _scale(probs.shape, reduction)).astype(probs.dtype, copy=False)


def mse(outputs, targets, reduction: str = "mean"):
    r"""Half the squared error of each sample, :math:`\tfrac12 \sum_j (y_{i,j} - t_{i,j})^2`.

    Parameters
    ----------
    outputs : array_like, shape (..., L)
        Predictions :math:`y` (for example softmax outputs).
    targets : array_like, shape (..., L)
        Targets :math:`t`.
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    loss : float or ndarray

    Notes
    -----
    The factor :math:`\tfrac12` makes the gradient :math:`y - t` (no factor 2).

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import mse
    >>> float(mse(np.array([0.5, 0.5]), np.array([1.0, 0.0])))
    0.25
    """
    outputs, targets = _outputs_and_targets(outputs, targets, reduction)
    per_sample = 0.5 * np.sum((outputs - targets) ** 2, axis=-1)
    return _reduce(per_sample, reduction)


def mse_grad(outputs, targets, reduction: str = "mean") -> np.ndarray:
    r"""Gradient of :func:`mse` with respect to ``outputs``: :math:`(y - t)/N`.

    Parameters
    ----------
    outputs : array_like, shape (..., L)
    targets : array_like, shape (..., L)
    reduction : {"mean", "sum", "none"}

    Returns
    -------
    doutputs : ndarray, shape (..., L)
        :math:`y - t`, divided by ``N`` for the mean.

    Examples
    --------
    >>> import numpy as np
    >>> from softmax_derivative import mse_grad
    >>> mse_grad(np.array([0.5, 0.5]), np.array([1.0, 0.0]))
    array([-0.5,  0.5])
    """
    outputs, targets = _outputs_and_targets(outputs, targets, reduction)
    return (outputs - targets) * _scale(outputs.shape, reduction)
