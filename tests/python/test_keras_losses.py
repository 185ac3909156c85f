"""tf.keras.losses against NumPy references: functions, reductions, sample weights,
logits and probabilities, and lookup by name."""

import numpy as np
import pytest

import loom as tf

losses = tf.keras.losses
EPS = 1e-7

Y_TRUE = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], np.float32)
PROBS = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.25, 0.25, 0.5]], np.float32)
LOGITS = np.array([[1.0, 3.0, -2.0], [0.5, 0.1, 4.0], [-50.0, 60.0, 2.0]], np.float32)


def np_log_softmax(x):
    shifted = x - x.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


def np_softmax(x):
    return np.exp(np_log_softmax(x))


def np_bce(y, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -(y * np.log(p + EPS) + (1 - y) * np.log(1 - p + EPS))


def np_bce_logits(y, x):
    return np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))


def close(actual, expected, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=rtol, atol=atol)


# --- functions ----------------------------------------------------------------------


def test_mse_and_mae_functions_reduce_the_last_axis():
    y_pred = Y_TRUE + np.array([[0.5, -1.0, 2.0]], np.float32)
    close(losses.mean_squared_error(Y_TRUE, y_pred), ((y_pred - Y_TRUE) ** 2).mean(-1))
    close(losses.mae(Y_TRUE, y_pred), np.abs(y_pred - Y_TRUE).mean(-1))
    assert losses.mse is losses.MSE is losses.mean_squared_error


def test_binary_crossentropy_probabilities_clip_and_logits_are_stable():
    close(losses.binary_crossentropy(Y_TRUE, PROBS), np_bce(Y_TRUE, PROBS).mean(-1))
    saturated = np.array([[0.0, 1.0]], np.float32)
    out = losses.binary_crossentropy([[1.0, 0.0]], saturated).numpy()
    assert np.isfinite(out).all() and out[0] > 10  # clipped, not inf
    close(
        losses.binary_crossentropy(Y_TRUE, LOGITS, from_logits=True),
        np_bce_logits(Y_TRUE, LOGITS).mean(-1),
    )
    assert np.isfinite(
        losses.binary_crossentropy(Y_TRUE, LOGITS * 100, from_logits=True).numpy()
    ).all()


def test_binary_crossentropy_label_smoothing_moves_labels_toward_half():
    smoothed = Y_TRUE * 0.8 + 0.5 * 0.2
    close(
        losses.binary_crossentropy(Y_TRUE, PROBS, label_smoothing=0.2),
        np_bce(smoothed, PROBS).mean(-1),
    )


def test_categorical_crossentropy_renormalizes_probabilities():
    unnormalized = PROBS * 3.0
    p = np.clip(unnormalized / unnormalized.sum(-1, keepdims=True), EPS, 1 - EPS)
    close(losses.categorical_crossentropy(Y_TRUE, unnormalized), -(Y_TRUE * np.log(p)).sum(-1))


def test_categorical_crossentropy_from_logits_uses_log_sum_exp():
    log_softmax = np_log_softmax(LOGITS)
    out = losses.categorical_crossentropy(Y_TRUE, LOGITS, from_logits=True).numpy()
    close(out, -(Y_TRUE * log_softmax).sum(-1))
    assert np.isfinite(out).all()


def test_categorical_crossentropy_label_smoothing_spreads_over_classes():
    smoothed = Y_TRUE * 0.7 + 0.3 / 3
    log_probs = np_log_softmax(LOGITS)
    close(
        losses.categorical_crossentropy(Y_TRUE, LOGITS, from_logits=True, label_smoothing=0.3),
        -(smoothed * log_probs).sum(-1),
        rtol=1e-4,
    )


def test_categorical_crossentropy_rejects_mismatched_shapes_and_bool_axis():
    with pytest.raises(ValueError, match="incompatible"):
        losses.categorical_crossentropy(np.zeros((2, 3)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="axis"):
        losses.categorical_crossentropy(Y_TRUE, PROBS, axis=True)


def test_sparse_categorical_crossentropy_matches_dense_labels():
    labels = np.array([1, 0, 2])
    p = np.clip(PROBS, EPS, 1 - EPS)
    expected = -np.log(p[np.arange(3), labels] / p.sum(-1))
    close(losses.sparse_categorical_crossentropy(labels, PROBS), expected)
    close(losses.sparse_categorical_crossentropy(labels[:, None], PROBS), expected)
    logits_expected = -np_log_softmax(LOGITS)[np.arange(3), labels]
    close(
        losses.sparse_categorical_crossentropy(labels, LOGITS, from_logits=True),
        logits_expected,
        rtol=1e-4,
    )


def test_sparse_categorical_crossentropy_ignore_class_zeroes_those_samples():
    labels = np.array([1, -1, 2])
    out = losses.sparse_categorical_crossentropy(
        labels, LOGITS, from_logits=True, ignore_class=-1
    ).numpy()
    assert out[1] == 0.0 and out[0] > 0


def test_huber_is_quadratic_inside_delta_and_linear_outside():
    y_true = np.zeros((1, 4), np.float32)
    y_pred = np.array([[0.5, -0.5, 2.0, -3.0]], np.float32)
    expected = np.array([0.125, 0.125, 2.0 - 0.5, 3.0 - 0.5]).mean()
    close(losses.Huber()(y_true, y_pred), expected)
    close(losses.Huber(delta=2.0)(y_true, y_pred), np.array([0.125, 0.125, 2.0, 6.0 - 2.0]).mean())


# --- Loss objects: reductions and weights -----------------------------------------------


def test_default_reduction_is_mean_over_batch():
    per_sample = ((PROBS - Y_TRUE) ** 2).mean(-1)
    loss = losses.MeanSquaredError()
    assert loss.reduction == "auto"
    out = loss(Y_TRUE, PROBS)
    assert out.shape == () and out.dtype == tf.float32
    close(out, per_sample.mean())
    close(
        losses.MeanSquaredError(reduction="sum_over_batch_size")(Y_TRUE, PROBS), per_sample.mean()
    )


def test_sum_and_none_reductions():
    per_sample = np.abs(PROBS - Y_TRUE).mean(-1)
    close(losses.MeanAbsoluteError(reduction="sum")(Y_TRUE, PROBS), per_sample.sum())
    out = losses.MeanAbsoluteError(reduction=losses.Reduction.NONE)(Y_TRUE, PROBS)
    assert out.shape == (3,)
    close(out, per_sample)


def test_sample_weights_scale_each_sample_and_count_every_sample():
    weights = np.array([1.0, 0.0, 2.0], np.float32)
    per_sample = np_bce(Y_TRUE, PROBS).mean(-1)
    loss = losses.BinaryCrossentropy()
    close(loss(Y_TRUE, PROBS, sample_weight=weights), (per_sample * weights).sum() / 3)
    close(loss(Y_TRUE, PROBS, sample_weight=weights[:, None]), (per_sample * weights).sum() / 3)
    close(loss(Y_TRUE, PROBS, sample_weight=0.5), per_sample.mean() * 0.5)
    none = losses.BinaryCrossentropy(reduction="none")(Y_TRUE, PROBS, sample_weight=weights)
    close(none, per_sample * weights)


def test_loss_objects_from_logits_both_ways():
    moderate = LOGITS / 10
    close(
        losses.CategoricalCrossentropy(from_logits=True)(Y_TRUE, moderate),
        losses.CategoricalCrossentropy()(Y_TRUE, np_softmax(moderate)),
        rtol=1e-4,
    )
    close(
        losses.BinaryCrossentropy(from_logits=True)(Y_TRUE, moderate),
        losses.BinaryCrossentropy()(Y_TRUE, 1 / (1 + np.exp(-moderate))),
        rtol=1e-4,
    )
    sparse = losses.SparseCategoricalCrossentropy(from_logits=True)
    close(
        sparse([1, 0, 2], LOGITS),
        losses.CategoricalCrossentropy(from_logits=True)(Y_TRUE, LOGITS),
        rtol=1e-5,
    )


def test_mse_squeezes_a_trailing_one_from_predictions():
    y_true = np.array([1.0, 2.0, 3.0], np.float32)
    y_pred = np.array([[1.5], [2.0], [2.0]], np.float32)
    close(losses.MeanSquaredError()(y_true, y_pred), np.mean([0.25, 0.0, 1.0]))


def test_integer_inputs_and_invalid_reduction():
    assert (
        losses.MeanSquaredError()(np.array([[1, 2]]), np.array([[1.0, 4.0]], np.float32)).dtype
        == tf.float32
    )
    with pytest.raises(ValueError, match="Invalid Reduction Key: mean"):
        losses.MeanSquaredError(reduction="mean")


def test_losses_run_inside_a_function():
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function
    def compute(labels, logits, weights):
        return loss(labels, logits, sample_weight=weights)

    weights = tf.constant([1.0, 2.0, 0.5])
    eager = loss(tf.constant([1, 0, 2]), tf.constant(LOGITS), sample_weight=weights)
    close(compute(tf.constant([1, 0, 2]), tf.constant(LOGITS), weights), eager.numpy())


# --- lookup and configs -------------------------------------------------------------


def test_get_resolves_names_configs_and_callables():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("sparse_categorical_crossentropy") is losses.sparse_categorical_crossentropy
    assert isinstance(losses.get("CategoricalCrossentropy"), losses.CategoricalCrossentropy)
    assert losses.get(None) is None
    fn = lambda y, p: y  # noqa: E731
    assert losses.get(fn) is fn
    with pytest.raises(ValueError, match="Unknown loss function: 'nope'"):
        losses.get("nope")
    with pytest.raises(ValueError, match="Could not interpret loss function identifier"):
        losses.get(3)


def test_config_round_trip_keeps_arguments():
    loss = losses.BinaryCrossentropy(
        from_logits=True, label_smoothing=0.1, reduction="sum", name="bce"
    )
    config = loss.get_config()
    assert config == {
        "reduction": "sum",
        "name": "bce",
        "from_logits": True,
        "label_smoothing": 0.1,
        "axis": -1,
    }
    rebuilt = losses.deserialize(losses.serialize(loss))
    assert isinstance(rebuilt, losses.BinaryCrossentropy) and rebuilt.get_config() == config
    assert losses.serialize(losses.mae) == "mean_absolute_error"
    wrapper = losses.LossFunctionWrapper(losses.huber, name="h", delta=2.0)
    again = losses.LossFunctionWrapper.from_config(wrapper.get_config())
    close(
        again(np.zeros((1, 2)), np.array([[3.0, 0.0]])),
        wrapper(np.zeros((1, 2)), np.array([[3.0, 0.0]])),
    )
