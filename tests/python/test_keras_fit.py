"""Model.compile/fit/evaluate/predict on in-memory data."""

import numpy as np
import pytest

import loom as tf
from loom import keras


def dense_model(units, input_dim, activation=None, **kwargs):
    return keras.Sequential(
        [
            keras.Input(shape=(input_dim,)),
            keras.layers.Dense(units, activation=activation, **kwargs),
        ]
    )


def classification_data(n=100, features=4, classes=3, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype(np.float32)
    y = rng.integers(0, classes, size=n)
    return x, y


def compiled_classifier(classes=3, features=4, metrics=("accuracy",), **compile_kwargs):
    keras.utils.set_random_seed(0)
    model = dense_model(classes, features)
    model.compile(
        optimizer=keras.optimizers.SGD(0.1),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=list(metrics),
        **compile_kwargs,
    )
    return model


def numpy_sparse_ce(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_probs[np.arange(len(labels)), labels]


def test_digits_mlp_reaches_95_percent_test_accuracy():
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target
    order = np.random.default_rng(0).permutation(len(x))
    x, y = x[order], y[order]
    x_train, y_train, x_test, y_test = x[:1400], y[:1400], x[1400:], y[1400:]
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.Input(shape=(64,)),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    history = model.fit(x_train, y_train, batch_size=32, epochs=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy >= 0.95
    predicted = model.predict(x_test, verbose=0).argmax(axis=1)
    assert np.mean(predicted == y_test) == pytest.approx(accuracy, abs=1e-6)
    assert np.mean(numpy_sparse_ce(model.predict(x_test, verbose=0), y_test)) == pytest.approx(
        loss, rel=1e-4
    )


def test_history_records_loss_metrics_and_validation_for_each_epoch():
    x, y = classification_data()
    model = compiled_classifier()
    history = model.fit(x, y, epochs=3, validation_data=(x[:20], y[:20]), verbose=0)
    assert history is model.history
    assert history.epoch == [0, 1, 2]
    assert sorted(history.history) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert all(len(values) == 3 for values in history.history.values())
    assert all(isinstance(v, float) for v in history.history["loss"])
    assert model.metrics_names == ["loss", "accuracy"]


def test_validation_split_holds_out_the_last_samples():
    x, y = classification_data(n=50)
    model = compiled_classifier()
    history = model.fit(x, y, epochs=2, validation_split=0.2, verbose=0, shuffle=False)
    held_out = model.evaluate(x[40:], y[40:], return_dict=True, verbose=0)
    assert history.history["val_loss"][-1] == pytest.approx(held_out["loss"], rel=1e-5)
    assert history.history["val_accuracy"][-1] == pytest.approx(held_out["accuracy"])


def test_validation_freq_runs_validation_on_chosen_epochs():
    x, y = classification_data(n=40)
    model = compiled_classifier()
    history = model.fit(x, y, epochs=4, validation_data=(x, y), validation_freq=2, verbose=0)
    assert len(history.history["val_loss"]) == 2
    history = model.fit(x, y, epochs=3, validation_data=(x, y), validation_freq=[1, 3], verbose=0)
    assert len(history.history["val_loss"]) == 2


def test_train_function_is_traced_at_most_twice_with_a_partial_last_batch():
    x, y = classification_data(n=100)  # 3 full batches of 32 and one of 4
    model = compiled_classifier()
    model.fit(x, y, batch_size=32, epochs=3, validation_data=(x[:50], y[:50]), verbose=0)
    assert model.train_function.experimental_get_tracing_count() <= 2
    assert model.test_function.experimental_get_tracing_count() <= 2
    model.predict(x, batch_size=32, verbose=0)
    model.predict(x, batch_size=32, verbose=0)
    assert model.predict_function.experimental_get_tracing_count() <= 2


def test_loss_and_accuracy_are_epoch_means_over_samples():
    x, y = classification_data(n=10)
    model = compiled_classifier()
    model.compile(
        optimizer=keras.optimizers.SGD(0.0),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    history = model.fit(x, y, batch_size=4, epochs=1, verbose=0, shuffle=False)
    logits = model.predict(x, verbose=0)
    assert history.history["loss"][0] == pytest.approx(numpy_sparse_ce(logits, y).mean(), rel=1e-5)
    assert history.history["accuracy"][0] == pytest.approx(np.mean(logits.argmax(1) == y))


def test_evaluate_returns_a_scalar_a_list_or_a_dict():
    x, y = classification_data(n=20)
    model = compiled_classifier(metrics=())
    model.fit(x, y, epochs=1, verbose=0)
    loss = model.evaluate(x, y, verbose=0)
    assert isinstance(loss, float)
    model = compiled_classifier()
    values = model.evaluate(x, y, verbose=0)
    as_dict = model.evaluate(x, y, verbose=0, return_dict=True)
    assert isinstance(values, list) and len(values) == 2
    assert as_dict == {"loss": pytest.approx(values[0]), "accuracy": pytest.approx(values[1])}
    logits = model.predict(x, verbose=0)
    assert values[0] == pytest.approx(numpy_sparse_ce(logits, y).mean(), rel=1e-5)


def test_predict_concatenates_batches_as_numpy():
    x, _ = classification_data(n=70)
    model = compiled_classifier()
    predicted = model.predict(x, batch_size=16, verbose=0)
    assert isinstance(predicted, np.ndarray) and predicted.dtype == np.float32
    assert predicted.shape == (70, 3)
    np.testing.assert_allclose(predicted, model(tf.constant(x)).numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.predict_on_batch(x[:5]), predicted[:5], rtol=1e-5, atol=1e-6)


def test_float64_inputs_are_fed_as_float32():
    x, y = classification_data(n=20)
    model = compiled_classifier()
    model.fit(x.astype(np.float64), y, epochs=1, verbose=0)
    assert model.predict(x.astype(np.float64), verbose=0).dtype == np.float32


def test_sample_weight_scales_each_sample_loss():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(8, 2)).astype(np.float32)
    y = rng.normal(size=(8, 1)).astype(np.float32)
    weights = np.array([1, 0, 2, 0, 1, 1, 0, 3], np.float32)
    keras.utils.set_random_seed(0)
    model = dense_model(1, 2)
    model.compile(optimizer="sgd", loss="mse")
    loss = model.evaluate(x, y, sample_weight=weights, batch_size=8, verbose=0)
    squared = ((model.predict(x, verbose=0) - y) ** 2)[:, 0]
    assert loss == pytest.approx(np.sum(squared * weights) / 8, rel=1e-5)


def test_regularization_losses_are_added_to_the_loss():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(6, 3)).astype(np.float32)
    y = rng.normal(size=(6, 2)).astype(np.float32)
    keras.utils.set_random_seed(0)
    model = dense_model(2, 3, kernel_regularizer=keras.regularizers.l2(0.1))
    model.compile(optimizer="sgd", loss="mse")
    loss = model.evaluate(x, y, verbose=0)
    kernel = model.layers[-1].kernel.numpy()
    expected = np.mean((model.predict(x, verbose=0) - y) ** 2) + 0.1 * np.sum(kernel**2)
    assert loss == pytest.approx(expected, rel=1e-5)


def test_fit_before_compile_raises():
    x, y = classification_data(n=8)
    model = dense_model(3, 4)
    with pytest.raises(RuntimeError, match="must compile your model"):
        model.fit(x, y, verbose=0)


def test_fit_without_targets_for_a_compiled_loss_raises():
    x, _ = classification_data(n=8)
    model = compiled_classifier()
    with pytest.raises(ValueError, match="Target data is missing"):
        model.fit(x, epochs=1, verbose=0)


def test_mismatched_sample_counts_raise():
    x, y = classification_data(n=8)
    model = compiled_classifier()
    with pytest.raises(ValueError, match="Data cardinality is ambiguous"):
        model.fit(x, y[:5], verbose=0)


@pytest.mark.parametrize(
    "labels, units, activation, loss, expected",
    [
        (
            np.array([0, 1, 2, 1]),
            3,
            None,
            "sparse_categorical_crossentropy",
            "SparseCategoricalAccuracy",
        ),
        (
            np.eye(3, dtype=np.float32)[[0, 1, 2, 1]],
            3,
            "softmax",
            "categorical_crossentropy",
            "CategoricalAccuracy",
        ),
        (
            np.array([[0.0], [1.0], [1.0], [0.0]], np.float32),
            1,
            "sigmoid",
            "binary_crossentropy",
            "BinaryAccuracy",
        ),
    ],
)
def test_accuracy_string_resolves_from_target_and_output_shapes(
    labels, units, activation, loss, expected
):
    x, _ = classification_data(n=4)
    model = dense_model(units, 4, activation=activation)
    model.compile(optimizer="sgd", loss=loss, metrics=["accuracy"])
    model.fit(x, labels, epochs=1, verbose=0)
    metric = model.metrics[1]
    assert type(metric).__name__ == expected and metric.name == "accuracy"


def test_run_eagerly_calls_train_step_once_per_batch():
    calls = []

    class Counting(keras.Sequential):
        def train_step(self, data):
            calls.append(tf.is_tensor(data[0]))
            return super().train_step(data)

    keras.utils.set_random_seed(0)
    model = Counting([keras.Input(shape=(4,)), keras.layers.Dense(3)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", run_eagerly=True)
    x, y = classification_data(n=10)
    model.fit(x, y, batch_size=4, epochs=2, verbose=0)
    assert model.run_eagerly and len(calls) == 6


def test_custom_train_step_with_its_own_metric_tracker():
    class Tracked(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)
            self.loss_tracker = keras.metrics.Mean(name="my_loss")

        def call(self, inputs):
            return self.dense(inputs)

        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(self(x, training=True) - y))
            gradients = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(gradients, self.trainable_variables))
            self.loss_tracker.update_state(loss)
            return {"my_loss": self.loss_tracker.result()}

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(5)
    x = rng.normal(size=(64, 2)).astype(np.float32)
    y = (x @ np.array([[2.0], [-1.0]], np.float32)).astype(np.float32)
    model = Tracked()
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    history = model.fit(x, y, batch_size=16, epochs=5, verbose=0)
    assert model.metrics_names == ["my_loss"]
    assert history.history["my_loss"][-1] < 0.1 * history.history["my_loss"][0]


def test_multi_input_functional_model_fits_on_a_tuple_of_arrays():
    keras.utils.set_random_seed(0)
    left, right = keras.Input(shape=(2,)), keras.Input(shape=(3,))
    merged = keras.layers.Dense(1)(left) + keras.layers.Dense(1)(right)
    model = keras.Model(inputs=[left, right], outputs=merged)
    model.compile(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    rng = np.random.default_rng(6)
    a = rng.normal(size=(64, 2)).astype(np.float32)
    b = rng.normal(size=(64, 3)).astype(np.float32)
    y = a.sum(axis=1, keepdims=True) - b[:, :1]
    history = model.fit((a, b), y, batch_size=16, epochs=20, verbose=0)
    assert history.history["loss"][-1] < 0.05
    assert model.predict((a, b), verbose=0).shape == (64, 1)


def test_steps_per_epoch_limits_the_batches_of_each_epoch():
    x, y = classification_data(n=100)
    model = compiled_classifier()
    batches = []
    counter = keras.callbacks.LambdaCallback(on_batch_end=lambda batch, logs: batches.append(batch))
    model.fit(x, y, batch_size=10, epochs=2, steps_per_epoch=3, callbacks=[counter], verbose=0)
    assert batches == [0, 1, 2, 0, 1, 2]


def test_setting_stop_training_ends_fit_after_the_batch():
    x, y = classification_data(n=100)
    model = compiled_classifier()

    def stop(batch, logs):
        if batch == 1:
            model.stop_training = True

    history = model.fit(
        x,
        y,
        batch_size=10,
        epochs=5,
        verbose=0,
        callbacks=[keras.callbacks.LambdaCallback(on_batch_end=stop)],
    )
    assert history.epoch == [0]


def test_initial_epoch_starts_counting_from_it():
    x, y = classification_data(n=20)
    model = compiled_classifier()
    history = model.fit(x, y, epochs=4, initial_epoch=2, verbose=0)
    assert history.epoch == [2, 3]


def test_train_on_batch_and_test_on_batch():
    x, y = classification_data(n=16)
    model = compiled_classifier()
    before = model.test_on_batch(x, y)
    for _ in range(20):
        model.train_on_batch(x, y)
    after = model.test_on_batch(x, y, return_dict=True)
    assert isinstance(before, list) and after["loss"] < before[0]


def test_compile_resolves_optimizer_and_loss_strings():
    model = dense_model(3, 4)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    assert type(model.optimizer).__name__ == "Adam"
    x, y = classification_data(n=8)
    assert np.isfinite(model.evaluate(x, y, verbose=0))


def two_output_model():
    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(3,))
    model = keras.Model(
        inputs, [keras.layers.Dense(1, name="a")(inputs), keras.layers.Dense(2, name="b")(inputs)]
    )
    rng = np.random.default_rng(7)
    x = rng.normal(size=(12, 3)).astype(np.float32)
    targets = [
        rng.normal(size=(12, 1)).astype(np.float32),
        rng.normal(size=(12, 2)).astype(np.float32),
    ]
    return model, x, targets


def test_multi_output_losses_are_weighted_and_tracked_per_output():
    model, x, targets = two_output_model()
    model.compile(optimizer="sgd", loss=["mse", "mae"], loss_weights=[1.0, 0.5], metrics=["mae"])
    logs = model.evaluate(x, targets, verbose=0, return_dict=True)
    assert model.metrics_names == ["loss", "a_loss", "b_loss", "a_mae", "b_mae"]
    pred_a, pred_b = model.predict(x, verbose=0)
    assert logs["a_loss"] == pytest.approx(np.mean((pred_a - targets[0]) ** 2), rel=1e-5)
    assert logs["b_loss"] == pytest.approx(np.mean(np.abs(pred_b - targets[1])), rel=1e-5)
    assert logs["loss"] == pytest.approx(logs["a_loss"] + 0.5 * logs["b_loss"], rel=1e-5)
    assert logs["b_mae"] == pytest.approx(logs["b_loss"], rel=1e-5)


def test_multi_output_losses_by_output_name():
    model, x, targets = two_output_model()
    model.compile(optimizer="sgd", loss={"b": "mse"})
    logs = model.evaluate(x, targets, verbose=0, return_dict=True)
    pred_b = model.predict(x, verbose=0)[1]
    assert sorted(logs) == ["b_loss", "loss"]
    assert logs["loss"] == pytest.approx(np.mean((pred_b - targets[1]) ** 2), rel=1e-5)
    with pytest.raises(ValueError, match="unexpected loss keys"):
        model.compile(optimizer="sgd", loss={"c": "mse"})
        model.evaluate(x, targets, verbose=0)
