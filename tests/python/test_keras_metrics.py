"""tf.keras.metrics: accumulated results over several batches against NumPy, state
handling (reset, variables, dtype), use inside loom.function, lookup and configs."""

import numpy as np
import pytest

import loom as tf

metrics = tf.keras.metrics


def close(actual, expected, rtol=1e-6, atol=1e-7):
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=rtol, atol=atol)


def test_mean_accumulates_weighted_values_across_batches():
    m = metrics.Mean()
    m.update_state([1.0, 2.0, 3.0])
    m.update_state([10.0, 20.0], sample_weight=[0.5, 2.0])
    close(m.result(), (6.0 + 5.0 + 40.0) / (3 + 2.5))
    assert m.name == "mean" and m.dtype == "float32"
    assert [v.name for v in m.variables] == ["total:0", "count:0"]
    assert m.trainable_weights == [] and all(not v.trainable for v in m.variables)


def test_mean_broadcasts_weights_over_trailing_dims():
    m = metrics.Mean()
    values = np.arange(6, dtype=np.float32).reshape(2, 3)
    m.update_state(values, sample_weight=[1.0, 3.0])
    weights = np.array([[1.0], [3.0]]) * np.ones((2, 3))
    close(m.result(), (values * weights).sum() / weights.sum())


def test_sum_and_call_returns_running_result():
    s = metrics.Sum()
    close(s([1.0, 2.0]), 3.0)
    close(s([4.0], sample_weight=[0.5]), 5.0)
    assert [v.name for v in s.variables] == ["total:0"]


def test_reset_state_zeroes_every_variable():
    m = metrics.Mean()
    m.update_state([4.0, 8.0])
    m.reset_state()
    assert [float(v.numpy()) for v in m.variables] == [0.0, 0.0]
    close(m.result(), 0.0)  # no samples: 0, not NaN
    m.update_state([2.0])
    m.reset_states()
    close(m.result(), 0.0)


def test_accuracy_counts_exact_matches():
    acc = metrics.Accuracy()
    acc.update_state([1, 2, 3, 4], [1, 2, 0, 4])
    acc.update_state([[1], [2]], [[0], [2]])
    close(acc.result(), 4 / 6)


def test_binary_accuracy_uses_the_threshold():
    y_true = np.array([[1.0], [0.0], [1.0], [0.0]])
    y_pred = np.array([[0.6], [0.4], [0.3], [0.8]])
    close(metrics.BinaryAccuracy()(y_true, y_pred), 0.5)
    close(metrics.BinaryAccuracy(threshold=0.2)(y_true, y_pred), 0.5)
    close(metrics.BinaryAccuracy(threshold=0.7)(y_true, y_pred), 0.25)
    close(metrics.BinaryAccuracy(threshold=0.9)(y_true, y_pred), 0.5)


def test_categorical_and_sparse_categorical_accuracy():
    y_pred = np.array([[0.1, 0.8, 0.1], [0.6, 0.3, 0.1], [0.2, 0.3, 0.5], [0.9, 0.05, 0.05]])
    labels = np.array([1, 1, 2, 0])
    one_hot = np.eye(3)[labels]
    close(metrics.CategoricalAccuracy()(one_hot, y_pred), 0.75)
    sparse = metrics.SparseCategoricalAccuracy()
    close(sparse(labels, y_pred), 0.75)
    close(sparse(labels[:, None], y_pred, sample_weight=[0.0, 1.0, 1.0, 1.0]), 5 / 7)


def test_regression_metrics_average_per_sample_errors():
    y_true = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    batches = [
        np.array([[1.5, 2.0], [3.0, 2.0]], np.float32),
        np.array([[0.0, 0.0], [3.0, 4.0]], np.float32),
    ]
    mse, mae = metrics.MeanSquaredError(), metrics.MeanAbsoluteError()
    for y_pred in batches:
        mse.update_state(y_true, y_pred)
        mae.update_state(y_true, y_pred)
    all_pred = np.concatenate(batches)
    all_true = np.concatenate([y_true, y_true])
    close(mse.result(), ((all_pred - all_true) ** 2).mean(-1).mean())
    close(mae.result(), np.abs(all_pred - all_true).mean(-1).mean())


def test_crossentropy_metrics_match_the_losses():
    logits = np.array([[2.0, -1.0, 0.5], [0.1, 0.2, 3.0]], np.float32)
    labels = np.array([0, 2])
    expected = tf.keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
    m = metrics.SparseCategoricalCrossentropy(from_logits=True)
    close(m(labels, logits), np.mean(expected.numpy()))
    assert m.get_config()["from_logits"] is True


def test_mean_metric_wrapper_of_a_custom_function():
    m = metrics.MeanMetricWrapper(lambda y, p, scale: scale * (p - y), name="scaled", scale=2.0)
    m.update_state([[1.0], [2.0]], [[2.0], [4.0]])
    close(m.result(), 2.0 * 1.5)
    assert m.name == "scaled" and m.get_config()["scale"] == 2.0


def test_metric_updates_inside_a_function_keep_state():
    acc = metrics.SparseCategoricalAccuracy()
    loss_mean = metrics.Mean(name="loss")
    traces = []

    @tf.function
    def step(labels, logits):
        traces.append(1)
        acc.update_state(labels, logits)
        loss_mean.update_state(tf.reduce_sum(logits))
        return acc.result()

    logits = tf.constant([[0.0, 1.0], [1.0, 0.0]])
    close(step(tf.constant([1, 1]), logits), 0.5)
    close(step(tf.constant([1, 0]), logits), 0.75)
    close(loss_mean.result(), 2.0)
    assert len(traces) == 1
    acc.reset_state()
    close(step(tf.constant([0, 0]), logits), 0.5)


def test_metric_created_inside_a_function_on_its_first_trace():
    holder = {}

    @tf.function
    def step(x):
        if "m" not in holder:
            holder["m"] = metrics.Mean()
        return holder["m"](x)

    step(tf.constant([1.0, 3.0]))
    close(step(tf.constant([5.0])), 3.0)


def test_get_resolves_names_configs_and_callables():
    assert metrics.get("accuracy") is metrics.accuracy
    assert metrics.get("acc") is metrics.accuracy
    assert metrics.get("mse") is metrics.mean_squared_error
    assert metrics.get("sparse_categorical_accuracy") is metrics.sparse_categorical_accuracy
    assert isinstance(metrics.get("BinaryAccuracy"), metrics.BinaryAccuracy)
    m = metrics.get({"class_name": "BinaryAccuracy", "config": {"name": "b", "threshold": 0.3}})
    assert m.name == "b" and m.get_config()["threshold"] == 0.3
    assert metrics.get(len) is len
    with pytest.raises(ValueError, match="Unknown metric function: 'bogus'"):
        metrics.get("bogus")
    with pytest.raises(ValueError, match="Could not interpret metric identifier"):
        metrics.get(5)


def test_config_round_trip_and_dtype():
    m = metrics.Mean(name="avg", dtype="float64")
    assert m.get_config() == {"name": "avg", "dtype": "float64"}
    m.update_state([1, 2])
    assert m.result().dtype == tf.float64
    rebuilt = metrics.deserialize(metrics.serialize(metrics.CategoricalAccuracy(name="ca")))
    assert isinstance(rebuilt, metrics.CategoricalAccuracy) and rebuilt.name == "ca"


class TruePositives(tf.keras.metrics.Metric):
    """A user metric written against the Keras subclassing API."""

    def __init__(self, name="true positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.hits = self.add_weight(name="hits", initializer="zeros")
        self.offset = self.add_weight(shape=(2,), initializer="ones")

    def update_state(self, y_true, y_pred, sample_weight=None):
        both = tf.logical_and(tf.cast(y_true, tf.bool), y_pred > 0.5)
        self.hits.assign_add(tf.reduce_sum(tf.cast(both, self.dtype)))

    def result(self):
        return self.hits + tf.reduce_sum(self.offset) - 2.0


def test_user_metric_subclass_with_add_weight():
    m = TruePositives()
    assert m.name == "true positives"
    close(m(tf.constant([1, 0, 1, 1]), tf.constant([0.9, 0.9, 0.2, 0.7])), 2.0)
    close(m(tf.constant([1]), tf.constant([0.8])), 3.0)
    m.reset_state()
    close(m.result(), -2.0)  # reset zeroes every state variable, "ones" included
    assert len(m.variables) == 2
