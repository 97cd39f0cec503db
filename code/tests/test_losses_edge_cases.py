"""The edges of softmax_derivative.losses: the bounds of a class index, the tolerance of a
target row, an empty batch, a zero probability.

Each case fails for a small change of the module that test_losses.py lets through
(`make mutate` found them).
"""

import warnings

import numpy as np
import pytest

import softmax_derivative as sd

P = sd.softmax(np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 0.0]]))

# (name, call, exception, words of its message)
REJECTED = [
    ("index equal to L", lambda: sd.one_hot([0, 3], 3), ValueError, "[0, 3), got values from 0"),
    ("negative index", lambda: sd.one_hot([-1, 2], 3), ValueError, "from -1 to 2"),
    ("L as a bool", lambda: sd.one_hot([0], True), TypeError, "got bool"),
    ("L as a float", lambda: sd.one_hot([0], 3.0), TypeError, "got float"),
    (
        "target index equal to L",
        lambda: sd.cross_entropy(P, [0, 3]),
        ValueError,
        "got values from 0 to 3",
    ),
    ("negative target index", lambda: sd.cross_entropy(P, [-1, 0]), ValueError, "-1 to 0"),
    (
        "negative target entries summing to 1",
        lambda: sd.cross_entropy(P, [[1.5, -0.5, 0.0], [1.0, 0.0, 0.0]]),
        ValueError,
        "values from -0.5 to 1.5",
    ),
    (
        "a target row off by 1e-6",
        lambda: sd.cross_entropy(P, [[1.0, 1e-6, 0.0], [1.0, 0.0, 0.0]]),
        ValueError,
        "whose last axis sums to 1",
    ),
    ("boolean targets", lambda: sd.cross_entropy(P, P > 0.5), TypeError, "got dtype bool"),
    (
        "complex targets",
        lambda: sd.cross_entropy(P, P + 0j),
        TypeError,
        "got complex dtype complex128",
    ),
    (
        "targets of another shape",
        lambda: sd.cross_entropy(P, [0, 1, 2, 0]),
        ValueError,
        "must have shape (2,) (class indices) or (2, 3) (one-hot rows), got (4,)",
    ),
    (
        "the mean of an empty batch",
        lambda: sd.cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int)),
        ValueError,
        "the mean over an empty batch is undefined; use reduction='sum' or 'none'",
    ),
    (
        "targets of another shape, batch of batches",
        lambda: sd.cross_entropy(np.stack([P, P]), [0, 1]),
        ValueError,
        "must have shape (2, 2) (class indices) or (2, 2, 3) (one-hot rows), got (2,)",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "words"), [c[1:] for c in REJECTED], ids=[c[0] for c in REJECTED]
)
def test_bad_input_is_rejected_with_a_message(call, error, words):
    with pytest.raises(error) as raised:
        call()
    assert words in str(raised.value)


def test_a_target_row_off_by_rounding_is_accepted():
    """Rows that sum to 1 up to a few dozen units of rounding are probability rows."""
    targets = np.array([[1.0 - 1e-8, 1e-8 + 1e-8, 0.0], [0.2, 0.3, 0.5]])
    assert np.isfinite(sd.cross_entropy(P, targets))


def test_the_sum_over_an_empty_batch_is_zero():
    empty = np.zeros((0, 3))
    assert sd.cross_entropy(empty, np.zeros(0, dtype=int), reduction="sum") == 0.0
    assert sd.mse(empty, empty, reduction="sum") == 0.0
    assert sd.cross_entropy(empty, np.zeros(0, dtype=int), reduction="none").shape == (0,)


def test_a_zero_probability_of_the_target_class_gives_minus_infinity_silently():
    """-y / p is -inf where p = 0 and y > 0 (and 0 where y = 0): a value, not a warning."""
    probs = np.array([[0.0, 0.5, 0.5]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        grad = sd.cross_entropy_grad_probs(probs, [0])
        np.testing.assert_array_equal(grad, [[-np.inf, 0.0, 0.0]])
        grad = sd.cross_entropy_grad_probs(np.array([[1.0, 0.0, 0.0]]), [0])
        np.testing.assert_array_equal(grad, [[-1.0, 0.0, 0.0]])
