"""Callbacks inside Model.fit: hook order, early stopping, checkpoints, schedules."""

import glob
import math

import numpy as np
import pytest

from loom import keras


def regression_data(n=32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32)).astype(np.float32)
    return x, y


def regression_model(learning_rate=0.05):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate), loss="mse")
    return model


def weights_of(model):
    return [np.array(w.numpy()) for w in model.weights]


def test_lambda_callback_hooks_run_in_fit_order():
    events = []

    def record(name):
        return lambda *args: events.append((name,) + tuple(a for a in args if isinstance(a, int)))

    callback = keras.callbacks.LambdaCallback(
        on_train_begin=record("train_begin"),
        on_epoch_begin=record("epoch_begin"),
        on_batch_begin=record("batch_begin"),
        on_batch_end=record("batch_end"),
        on_epoch_end=record("epoch_end"),
        on_train_end=record("train_end"),
        on_test_begin=record("test_begin"),
        on_test_end=record("test_end"),
    )
    x, y = regression_data(n=8)
    regression_model().fit(
        x, y, batch_size=4, epochs=2, callbacks=[callback], validation_data=(x, y), verbose=0
    )
    per_epoch = lambda e: [  # noqa: E731
        ("epoch_begin", e),
        ("batch_begin", 0),
        ("batch_end", 0),
        ("batch_begin", 1),
        ("batch_end", 1),
        ("test_begin",),
        ("test_end",),
        ("epoch_end", e),
    ]
    assert events == [("train_begin",)] + per_epoch(0) + per_epoch(1) + [("train_end",)]


def test_callbacks_see_the_model_params_and_epoch_logs():
    seen = {}

    class Inspect(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            seen["params"] = dict(self.params)
            seen["model"] = self.model
            seen["logs"] = dict(logs)

    x, y = regression_data(n=10)
    model = regression_model()
    model.fit(x, y, batch_size=4, epochs=1, callbacks=[Inspect()], validation_split=0.2, verbose=0)
    assert seen["model"] is model
    assert seen["params"] == {"verbose": 0, "epochs": 1, "steps": 2}
    assert sorted(seen["logs"]) == ["loss", "val_loss"]


def test_early_stopping_ends_fit_when_loss_stops_improving():
    x, y = regression_data()
    model = regression_model(learning_rate=0.0)  # the loss never changes
    stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=2)
    history = model.fit(x, y, batch_size=32, epochs=10, callbacks=[stopper], verbose=0)
    assert history.epoch == [0, 1, 2] and stopper.stopped_epoch == 2


def test_early_stopping_restores_weights_of_the_best_epoch():
    x, y = regression_data()
    model = regression_model()
    scripted = [3.0, 1.0, 2.0, 2.5, 0.1]
    snapshots = []

    def script(epoch, logs):
        logs["val_loss"] = scripted[epoch]  # replaces the real value for the stopper
        snapshots.append(weights_of(model))

    stopper = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    history = model.fit(
        x,
        y,
        epochs=5,
        validation_data=(x, y),
        callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=script), stopper],
        verbose=0,
    )
    assert history.epoch == [0, 1, 2, 3] and stopper.best_epoch == 1
    for restored, best in zip(weights_of(model), snapshots[1]):
        np.testing.assert_array_equal(restored, best)
    assert not np.array_equal(snapshots[1][0], snapshots[3][0])


def test_model_checkpoint_writes_weights_each_epoch_that_load_back(tmp_path):
    x, y = regression_data()
    model = regression_model()
    snapshots = []
    checkpoint = keras.callbacks.ModelCheckpoint(
        str(tmp_path / "ckpt.{epoch:02d}"), save_weights_only=True, monitor="loss"
    )
    record = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda e, logs: snapshots.append(weights_of(model))
    )
    model.fit(x, y, batch_size=8, epochs=3, callbacks=[checkpoint, record], verbose=0)
    for epoch in (1, 2, 3):
        assert glob.glob(str(tmp_path / f"ckpt.{epoch:02d}*")), f"no files for epoch {epoch}"
    fresh = regression_model()
    fresh.load_weights(str(tmp_path / "ckpt.02"))
    for loaded, expected in zip(weights_of(fresh), snapshots[1]):
        np.testing.assert_allclose(loaded, expected)


def test_model_checkpoint_save_best_only_follows_the_monitor(tmp_path):
    x, y = regression_data()
    model = regression_model()
    scripted = [1.0, 2.0, 0.5]

    def script(epoch, logs):
        logs["val_loss"] = scripted[epoch]

    checkpoint = keras.callbacks.ModelCheckpoint(
        str(tmp_path / "best.{epoch}"), save_best_only=True, save_weights_only=True
    )
    model.fit(
        x,
        y,
        epochs=3,
        validation_data=(x, y),
        callbacks=[keras.callbacks.LambdaCallback(on_epoch_end=script), checkpoint],
        verbose=0,
    )
    saved = [bool(glob.glob(str(tmp_path / f"best.{epoch}.*"))) for epoch in (1, 2, 3)]
    assert saved == [True, False, True]


def test_terminate_on_nan_stops_after_the_bad_batch():
    x, y = regression_data()
    model = regression_model()
    batches = []

    def poison(batch, logs):
        batches.append(batch)
        if batch == 1:
            logs["loss"] = math.nan

    callbacks = [
        keras.callbacks.LambdaCallback(on_batch_end=poison),
        keras.callbacks.TerminateOnNaN(),
    ]
    history = model.fit(x, y, batch_size=4, epochs=3, callbacks=callbacks, verbose=0)
    assert batches == [0, 1] and history.epoch == [0]


def test_learning_rate_scheduler_changes_the_rate_used_by_traced_steps():
    x, y = regression_data()
    model = regression_model(learning_rate=0.1)
    snapshots = []
    scheduler = keras.callbacks.LearningRateScheduler(lambda epoch: 0.1 if epoch == 0 else 0.0)
    record = keras.callbacks.LambdaCallback(
        on_epoch_end=lambda e, logs: snapshots.append(weights_of(model))
    )
    history = model.fit(x, y, batch_size=8, epochs=2, callbacks=[scheduler, record], verbose=0)
    assert history.history["lr"] == pytest.approx([0.1, 0.0])
    for before, after in zip(snapshots[0], snapshots[1]):
        np.testing.assert_array_equal(before, after)
