"""Losses: one_hot, cross-entropy (from probabilities and from logits), MSE, their gradients."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_allclose, assert_array_equal
from property_strategies import arrays, class_indices, logits, reductions, tol

import softmax_derivative as sd

pytestmark = pytest.mark.filterwarnings("error")

P = np.array([[0.7, 0.2, 0.1], [0.1, 0.5, 0.4]])
Y = np.array([0, 1])
Y_ROWS = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
PER_SAMPLE = np.array([-math.log(0.7), -math.log(0.5)])


# ---------------------------------------------------------------- one_hot


def test_one_hot_known_values():
    assert_array_equal(sd.one_hot([2, 0], 3), [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    assert_array_equal(sd.one_hot(1, 3), [0.0, 1.0, 0.0])
    assert_array_equal(sd.one_hot([0], 1), [[1.0]])


def test_one_hot_keeps_leading_shape_and_dtype():
    y = sd.one_hot(np.array([[0, 1], [2, 2]]), 4, dtype=np.float32)
    assert y.shape == (2, 2, 4) and y.dtype == np.float32
    assert_array_equal(y.sum(axis=-1), 1.0)
    assert_array_equal(y.argmax(axis=-1), [[0, 1], [2, 2]])
    assert sd.one_hot([1, 0], 2).dtype == np.float64
    assert sd.one_hot(np.array([], dtype=int), 3).shape == (0, 3)


def test_one_hot_accepts_numpy_integers():
    assert_array_equal(sd.one_hot(np.int8(1), np.int64(2)), [0.0, 1.0])


# ---------------------------------------------------------------- cross_entropy


@pytest.mark.parametrize("targets", [Y, Y_ROWS, [0, 1]], ids=["indices", "one-hot", "list"])
def test_cross_entropy_known_values_and_reductions(targets):
    assert_allclose(sd.cross_entropy(P, targets, reduction="none"), PER_SAMPLE, rtol=1e-15)
    assert_allclose(sd.cross_entropy(P, targets), 0.5249110622493, rtol=1e-12)
    assert_allclose(sd.cross_entropy(P, targets, reduction="mean"), PER_SAMPLE.mean(), rtol=1e-15)
    assert_allclose(sd.cross_entropy(P, targets, reduction="sum"), 1.0498221244987, rtol=1e-12)


def test_cross_entropy_of_a_single_sample():
    assert sd.cross_entropy(np.array([0.25, 0.75]), 1) == pytest.approx(-math.log(0.75))
    assert sd.cross_entropy(np.array([0.25, 0.75]), np.array([1.0, 0.0])) == pytest.approx(
        math.log(4)
    )


def test_cross_entropy_with_soft_targets():
    y = np.array([0.5, 0.5, 0.0])
    expected = -(0.5 * math.log(0.7) + 0.5 * math.log(0.2))
    assert sd.cross_entropy(P[0], y) == pytest.approx(expected, rel=1e-15)


def test_cross_entropy_of_a_perfect_prediction_is_zero():
    assert sd.cross_entropy(np.array([[0.0, 1.0, 0.0]]), [1]) == 0.0


def test_cross_entropy_zero_probability_elsewhere_is_finite_without_warning():
    # 0 * log 0 counts as 0 (warnings are errors in this module)
    assert sd.cross_entropy(np.array([0.5, 0.5, 0.0]), 0) == pytest.approx(math.log(2))


def test_cross_entropy_zero_probability_on_the_target_is_inf_without_warning():
    assert sd.cross_entropy(np.array([1.0, 0.0]), 1) == np.inf


def test_cross_entropy_3d_batch_means_over_all_leading_axes():
    rng = np.random.default_rng(3)
    probs = sd.softmax(rng.normal(size=(2, 3, 4)))
    y = rng.integers(0, 4, size=(2, 3))
    per_sample = sd.cross_entropy(probs, y, reduction="none")
    assert per_sample.shape == (2, 3)
    expected = -np.log(np.take_along_axis(probs, y[..., None], axis=-1))[..., 0]
    assert_allclose(per_sample, expected, rtol=1e-14)
    assert sd.cross_entropy(probs, y) == pytest.approx(expected.sum() / 6, rel=1e-14)


def test_cross_entropy_nan_row_gives_nan_for_that_sample_only():
    probs = sd.softmax(np.array([[np.nan, 0.0], [0.0, 0.0]]))
    losses = sd.cross_entropy(probs, [0, 1], reduction="none")
    assert np.isnan(losses[0]) and losses[1] == pytest.approx(math.log(2))
    assert np.isnan(sd.cross_entropy(probs, [0, 1]))


# ---------------------------------------------------------------- cross_entropy_from_logits


def test_from_logits_equals_cross_entropy_of_softmax():
    z = np.array([[1.0, 2.0, 3.0], [0.5, -0.5, 0.0]])
    for reduction in ("mean", "sum", "none"):
        assert_allclose(
            sd.cross_entropy_from_logits(z, [2, 0], reduction=reduction),
            sd.cross_entropy(sd.softmax(z), [2, 0], reduction=reduction),
            rtol=1e-14,
        )


def test_from_logits_known_value():
    # -log softmax([0, ln 3])_0 = -log(1/4)
    assert sd.cross_entropy_from_logits(np.array([0.0, math.log(3)]), 0) == pytest.approx(
        math.log(4), rel=1e-15
    )


def test_from_logits_stays_finite_where_log_of_softmax_is_minus_inf():
    z = np.array([[0.0, 800.0], [0.0, 0.0]])
    # through probabilities, softmax(z)[0, 0] underflows to 0 and the loss is inf
    assert sd.cross_entropy(sd.softmax(z), [0, 0], reduction="none")[0] == np.inf
    losses = sd.cross_entropy_from_logits(z, [0, 0], reduction="none")
    assert_allclose(losses, [800.0, math.log(2)], rtol=1e-15)


def test_from_logits_huge_logits_are_finite():
    z = np.array([[1e300, 0.0, -1e300], [-1e300, -1e300, -1e300]])
    losses = sd.cross_entropy_from_logits(z, [1, 2], reduction="none")
    assert_allclose(losses, [1e300, math.log(3)], rtol=1e-15)


def test_from_logits_masked_class_is_ignored_without_warning():
    z = np.array([0.0, -np.inf, 0.0])
    assert sd.cross_entropy_from_logits(z, 0) == pytest.approx(math.log(2), rel=1e-15)
    assert sd.cross_entropy_from_logits(z, 1) == np.inf  # the masked class was the target


def test_from_logits_nan_row_gives_nan_for_that_sample_only():
    z = np.array([[np.nan, 0.0], [0.0, 0.0]])
    losses = sd.cross_entropy_from_logits(z, [1, 0], reduction="none")
    assert np.isnan(losses[0]) and losses[1] == pytest.approx(math.log(2))


# ---------------------------------------------------------------- gradients


def test_cross_entropy_grad_known_values():
    assert_allclose(sd.cross_entropy_grad(P[0], 0), [-0.3, 0.2, 0.1], rtol=1e-14)
    # batch mean: (y_hat - y) / N with N = 2
    expected_mean = np.array([[-0.15, 0.1, 0.05], [0.05, -0.25, 0.2]])
    assert_allclose(sd.cross_entropy_grad(P, Y), expected_mean, rtol=1e-14)
    assert_allclose(sd.cross_entropy_grad(P, Y_ROWS), expected_mean, rtol=1e-14)
    assert_allclose(sd.cross_entropy_grad(P, Y, reduction="sum"), 2 * expected_mean, rtol=1e-14)
    assert_allclose(sd.cross_entropy_grad(P, Y, reduction="none"), 2 * expected_mean, rtol=1e-14)


def test_batch_mean_gradient_carries_one_over_n():
    """With the mean, every gradient is the sum-loss gradient divided by the sample count."""
    rng = np.random.default_rng(4)
    probs = sd.softmax(rng.normal(size=(2, 3, 5)))  # N = 6 samples
    y = rng.integers(0, 5, size=(2, 3))
    t = rng.normal(size=(2, 3, 5))
    for mean, total in [
        (sd.cross_entropy_grad(probs, y), sd.cross_entropy_grad(probs, y, reduction="sum")),
        (sd.cross_entropy_grad_probs(probs, y), sd.cross_entropy_grad_probs(probs, y, "sum")),
        (sd.mse_grad(probs, t), sd.mse_grad(probs, t, reduction="sum")),
    ]:
        assert_allclose(mean, total / 6, rtol=1e-14)
    assert sd.cross_entropy(probs, y) == pytest.approx(sd.cross_entropy(probs, y, "sum") / 6)
    assert sd.mse(probs, t) == pytest.approx(sd.mse(probs, t, reduction="sum") / 6)


def test_cross_entropy_grad_with_soft_targets():
    y = np.array([0.5, 0.5, 0.0])
    assert_allclose(sd.cross_entropy_grad(P[0], y), [0.2, -0.3, 0.1], rtol=1e-14)


def test_cross_entropy_grad_probs_known_values():
    assert_array_equal(sd.cross_entropy_grad_probs(np.array([0.5, 0.25, 0.25]), 1), [0, -4, 0])
    # mean: divided by N = 2
    assert_allclose(
        sd.cross_entropy_grad_probs(P, Y),
        [[-1 / 0.7 / 2, 0.0, 0.0], [0.0, -1.0, 0.0]],
        rtol=1e-14,
    )
    assert_allclose(
        sd.cross_entropy_grad_probs(P, Y, reduction="none"),
        [[-1 / 0.7, 0.0, 0.0], [0.0, -2.0, 0.0]],
        rtol=1e-14,
    )


def test_cross_entropy_grad_probs_is_exactly_zero_off_target_even_at_zero_probability():
    g = sd.cross_entropy_grad_probs(np.array([0.5, 0.5, 0.0]), 0)
    assert_array_equal(g, [-2.0, 0.0, 0.0])


def test_chain_through_backward_gives_y_hat_minus_y():
    for reduction in ("mean", "sum", "none"):
        upstream = sd.cross_entropy_grad_probs(P, Y, reduction)
        assert_allclose(
            sd.backward(P, upstream), sd.cross_entropy_grad(P, Y, reduction), rtol=1e-14
        )


def test_mse_known_values():
    assert sd.mse(np.array([0.5, 0.5]), np.array([1.0, 0.0])) == 0.25
    outputs = np.array([[0.5, 0.5], [1.0, 0.0]])
    targets = np.array([[1.0, 0.0], [1.0, 0.0]])
    assert_array_equal(sd.mse(outputs, targets, reduction="none"), [0.25, 0.0])
    assert sd.mse(outputs, targets) == 0.125
    assert sd.mse(outputs, targets, reduction="sum") == 0.25


def test_mse_grad_known_values():
    outputs = np.array([[0.5, 0.5], [0.2, 0.8]])
    targets = np.array([[1.0, 0.0], [0.0, 1.0]])
    expected = np.array([[-0.5, 0.5], [0.2, -0.2]])
    assert_allclose(sd.mse_grad(outputs, targets, reduction="none"), expected, rtol=1e-14)
    assert_allclose(sd.mse_grad(outputs, targets, reduction="sum"), expected, rtol=1e-14)
    assert_allclose(sd.mse_grad(outputs, targets), expected / 2, rtol=1e-14)


def test_mse_grad_matches_central_differences():
    outputs = np.array([[0.3, 0.7, 0.0], [0.5, 0.25, 0.25]])
    targets = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    for reduction in ("mean", "sum"):
        numeric = sd.numerical_jacobian(lambda o, r=reduction: sd.mse(o, targets, r), outputs)
        assert_allclose(sd.mse_grad(outputs, targets, reduction), numeric, atol=1e-9)


# ---------------------------------------------------------------- dtypes, inputs


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradients_keep_the_float_dtype(dtype):
    probs = P.astype(dtype)
    assert sd.cross_entropy_grad(probs, Y).dtype == dtype
    assert sd.cross_entropy_grad(probs, Y_ROWS.astype(dtype)).dtype == dtype
    assert sd.cross_entropy_grad_probs(probs, Y).dtype == dtype
    assert sd.mse_grad(probs, Y_ROWS.astype(dtype)).dtype == dtype
    for reduction in ("mean", "sum", "none"):
        assert sd.cross_entropy_grad(probs, Y, reduction).dtype == dtype
        assert sd.cross_entropy_grad_probs(probs, Y, reduction).dtype == dtype
        assert sd.mse_grad(probs, Y_ROWS.astype(dtype), reduction).dtype == dtype


def test_integer_inputs_become_float64():
    assert sd.mse_grad(np.array([1, 0]), np.array([0, 1])).dtype == np.float64
    assert sd.cross_entropy_grad(np.array([0, 1]), 1).dtype == np.float64
    assert sd.cross_entropy_from_logits(np.array([0, 0]), 1) == pytest.approx(math.log(2))


LOSS_CALLS = [
    (sd.cross_entropy, "probs"),
    (sd.cross_entropy_grad, "probs"),
    (sd.cross_entropy_grad_probs, "probs"),
    (sd.cross_entropy_from_logits, "logits"),
]


@pytest.mark.parametrize("function, kind", LOSS_CALLS, ids=lambda x: getattr(x, "__name__", x))
@pytest.mark.parametrize("targets", [Y, Y_ROWS], ids=["indices", "one-hot"])
def test_cross_entropy_inputs_are_not_modified(function, kind, targets):
    x = P.copy() if kind == "probs" else np.log(P)
    x_before, targets = x.copy(), targets.copy()
    targets_before = targets.copy()
    for reduction in ("mean", "sum", "none"):
        result = function(x, targets, reduction)
        assert_array_equal(x, x_before)
        assert_array_equal(targets, targets_before)
        assert not np.shares_memory(result, x) and not np.shares_memory(result, targets)


@pytest.mark.parametrize("function", [sd.mse, sd.mse_grad])
def test_mse_inputs_are_not_modified(function):
    outputs, targets = P.copy(), Y_ROWS.copy()
    for reduction in ("mean", "sum", "none"):
        result = function(outputs, targets, reduction)
        assert_array_equal(outputs, P)
        assert_array_equal(targets, Y_ROWS)
        assert not np.shares_memory(result, outputs) and not np.shares_memory(result, targets)


def test_one_hot_does_not_modify_indices():
    indices = np.array([2, 0, 1])
    sd.one_hot(indices, 3)
    assert_array_equal(indices, [2, 0, 1])


# ---------------------------------------------------------------- properties


@st.composite
def logits_and_targets(draw, dtype=None, bound=20.0, **shape_kwargs):
    """Logits with targets as class indices, one-hot rows or soft distributions."""
    z = draw(logits(dtype=dtype, bound=bound, **shape_kwargs))
    L = z.shape[-1]
    indices = draw(class_indices(z.shape[:-1], L))
    kind = draw(st.sampled_from(["indices", "one-hot", "soft"]))
    if kind == "indices":
        y = indices
    elif kind == "one-hot":
        y = sd.one_hot(indices, L, dtype=z.dtype)
    else:
        y = sd.softmax(draw(arrays(z.dtype, z.shape, 5.0)))
    return z, y


@given(logits_and_targets(), reductions)
def test_cross_entropy_grad_is_backward_of_grad_probs(args, reduction):
    z, y = args
    s = sd.softmax(z)
    direct = sd.cross_entropy_grad(s, y, reduction)
    assert direct.dtype == z.dtype and direct.shape == z.shape
    chained = sd.backward(s, sd.cross_entropy_grad_probs(s, y, reduction))
    t = tol(z.dtype)
    assert_allclose(chained, direct, rtol=t, atol=t)


@given(logits_and_targets(dtype=np.float64, max_leading_dims=1, max_L=12), reductions)
def test_cross_entropy_grad_matches_central_differences(args, reduction):
    z, y = args

    def total_loss(x):  # "none" gives per-sample losses: its gradient is that of their sum
        return np.sum(sd.cross_entropy_from_logits(x, y, reduction))

    numeric = sd.numerical_jacobian(total_loss, z, eps=1e-5)
    assert_allclose(sd.cross_entropy_grad(sd.softmax(z), y, reduction), numeric, atol=1e-8)


@given(logits_and_targets(), reductions)
def test_from_logits_matches_cross_entropy_of_softmax(args, reduction):
    z, y = args
    expected = sd.cross_entropy(sd.softmax(z), y, reduction)
    actual = sd.cross_entropy_from_logits(z, y, reduction)
    # log S and log_softmax differ by a few eps times |log S| <= ~45 (logits within +-20)
    assert np.all(np.asarray(actual) >= 0)
    eps = np.finfo(z.dtype).eps
    assert_allclose(actual, expected, rtol=tol(z.dtype), atol=200 * eps)


@given(logits_and_targets(), st.data())
def test_reductions_are_mean_and_sum_of_none(args, data):
    z, y = args
    s = sd.softmax(z)
    t = data.draw(arrays(z.dtype, z.shape, 2.0))
    for loss, target in [
        (sd.cross_entropy, y),
        (sd.cross_entropy_from_logits, y),
        (sd.mse, t),
    ]:
        x = z if loss is sd.cross_entropy_from_logits else s
        per_sample = loss(x, target, reduction="none")
        assert np.shape(per_sample) == z.shape[:-1]
        rtol = tol(z.dtype) * 10
        assert_allclose(loss(x, target, reduction="sum"), np.sum(per_sample), rtol=rtol)
        assert_allclose(loss(x, target, reduction="mean"), np.mean(per_sample), rtol=rtol)


@given(
    logits(dtype=np.float64, bound=10.0, max_leading_dims=1, max_L=12),
    st.data(),
    reductions,
)
def test_mse_grad_through_backward_matches_central_differences(z, data, reduction):
    t = data.draw(hnp.arrays(np.float64, z.shape, elements=st.floats(-1, 2)))
    s = sd.softmax(z)
    analytic = sd.backward(s, sd.mse_grad(s, t, reduction))

    def total_loss(x):
        return np.sum(sd.mse(sd.softmax(x), t, reduction))

    numeric = sd.numerical_jacobian(total_loss, z, eps=1e-5)
    assert_allclose(analytic, numeric, atol=1e-8)
