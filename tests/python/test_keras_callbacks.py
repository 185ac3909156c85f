"""keras.callbacks driven hook by hook against a small stand-in model (no fit needed)."""

import logging
import math

import numpy as np
import pytest
from loom.keras import callbacks as cbks

import loom as tf


class StandInOptimizer:
    def __init__(self, learning_rate):
        self.learning_rate = learning_rate


class StandInModel:
    """What callbacks use of a model: weights, stop_training, save_weights, optimizer."""

    def __init__(self):
        self.weights = [tf.Variable(np.zeros(3, np.float32))]
        self.stop_training = False
        self.saved = []
        self.metrics_names = ["loss"]
        self.optimizer = StandInOptimizer(tf.Variable(0.5))

    def save_weights(self, path):
        self.saved.append(path)
        with open(path, "w") as f:
            f.write(str(self.weights[0].numpy().tolist()))


def run_epochs(callbacks, model, monitored, key="val_loss"):
    """Runs train/epoch hooks as fit does; epoch e sets the weights to e and logs
    `monitored[e]`. Returns the epochs run."""
    hooks = cbks.CallbackList(callbacks, model=model, epochs=len(monitored), steps=1, verbose=0)
    hooks.on_train_begin()
    ran = []
    for epoch, value in enumerate(monitored):
        hooks.on_epoch_begin(epoch)
        model.weights[0].assign(np.full(3, epoch, np.float32))
        hooks.on_epoch_end(epoch, {key: value})
        ran.append(epoch)
        if model.stop_training:
            break
    hooks.on_train_end()
    return ran


def test_callback_list_forwards_hooks_in_order_and_sets_model_and_params():
    events = []

    class Recorder(cbks.Callback):
        def __init__(self, tag):
            super().__init__()
            self.tag = tag

        def on_epoch_end(self, epoch, logs=None):
            events.append((self.tag, epoch, dict(logs)))

    model = StandInModel()
    first, second = Recorder("a"), Recorder("b")
    hooks = cbks.CallbackList([first, second], model=model, epochs=3, steps=4, verbose=0)
    hooks.on_epoch_end(1, {"loss": 0.5})
    assert events == [("a", 1, {"loss": 0.5}), ("b", 1, {"loss": 0.5})]
    assert first.model is model and second.params == {"epochs": 3, "steps": 4, "verbose": 0}


def test_callback_list_adds_progbar_first_and_history_last():
    user = cbks.Callback()
    hooks = cbks.CallbackList([user], add_history=True, add_progbar=True)
    kinds = [type(c) for c in hooks.callbacks]
    assert kinds == [cbks.ProgbarLogger, cbks.Callback, cbks.History]


def test_legacy_batch_hooks_receive_training_batches():
    seen = []
    callback = cbks.LambdaCallback(on_batch_end=lambda batch, logs: seen.append((batch, logs)))
    callback.on_train_batch_end(3, {"loss": 1.0})
    callback.on_test_batch_end(4, {"loss": 2.0})
    assert seen == [(3, {"loss": 1.0})]


def test_lambda_callback_rejects_unknown_hooks():
    with pytest.raises(TypeError, match="on_epoch_middle"):
        cbks.LambdaCallback(on_epoch_middle=print)


def test_history_collects_logs_per_epoch_and_sets_model_history():
    model = StandInModel()
    history = cbks.History()
    run_epochs([history], model, [3.0, 2.0], key="loss")
    assert history.history == {"loss": [3.0, 2.0]} and history.epoch == [0, 1]
    assert model.history is history


def test_early_stopping_waits_patience_epochs_without_improvement():
    model = StandInModel()
    stopper = cbks.EarlyStopping(patience=2)
    ran = run_epochs([stopper], model, [1.0, 0.5, 0.6, 0.55, 0.1])
    assert ran == [0, 1, 2, 3] and stopper.stopped_epoch == 3 and model.stop_training


def test_early_stopping_min_delta_ignores_small_improvements():
    model = StandInModel()
    stopper = cbks.EarlyStopping(patience=1, min_delta=0.1)
    assert run_epochs([stopper], model, [1.0, 0.95, 0.5]) == [0, 1]


def test_early_stopping_auto_mode_maximizes_accuracy():
    model = StandInModel()
    stopper = cbks.EarlyStopping(monitor="val_accuracy", patience=1)
    ran = run_epochs([stopper], model, [0.5, 0.7, 0.9, 0.8], key="val_accuracy")
    assert ran == [0, 1, 2, 3] and stopper.best == 0.9


def test_early_stopping_restores_the_best_epoch_weights(capsys):
    model = StandInModel()
    stopper = cbks.EarlyStopping(patience=1, restore_best_weights=True, verbose=1)
    run_epochs([stopper], model, [3.0, 1.0, 2.0, 0.5])
    np.testing.assert_array_equal(model.weights[0].numpy(), [1, 1, 1])
    out = capsys.readouterr().out
    assert "Restoring model weights from the end of the best epoch: 2." in out
    assert "Epoch 3: early stopping" in out


def test_early_stopping_baseline_counts_epochs_that_miss_it():
    with_baseline = run_epochs(
        [cbks.EarlyStopping(patience=2, baseline=1.0)], StandInModel(), [5.0] * 5
    )
    without = run_epochs([cbks.EarlyStopping(patience=2)], StandInModel(), [5.0] * 5)
    assert with_baseline == [0, 1] and without == [0, 1, 2]


def test_early_stopping_start_from_epoch_skips_warmup_epochs():
    stopper = cbks.EarlyStopping(patience=0, start_from_epoch=2, monitor="loss")
    assert run_epochs([stopper], StandInModel(), [1.0, 2.0, 3.0, 4.0, 5.0], key="loss") == [
        0,
        1,
        2,
        3,
    ]


def test_early_stopping_warns_when_the_monitor_is_missing(caplog):
    stopper = cbks.EarlyStopping(monitor="val_auc")
    with caplog.at_level(logging.WARNING):
        run_epochs([stopper], StandInModel(), [1.0, 2.0])
    assert "val_auc" in caplog.text and "val_loss" in caplog.text


def test_model_checkpoint_formats_the_epoch_into_the_path(tmp_path):
    model = StandInModel()
    path = str(tmp_path / "weights.{epoch:02d}-{val_loss:.2f}")
    checkpoint = cbks.ModelCheckpoint(path, save_weights_only=True)
    run_epochs([checkpoint], model, [0.5, 0.25])
    assert model.saved == [str(tmp_path / "weights.01-0.50"), str(tmp_path / "weights.02-0.25")]


def test_model_checkpoint_save_best_only_saves_improvements(tmp_path, capsys):
    model = StandInModel()
    path = str(tmp_path / "best.{epoch}")
    checkpoint = cbks.ModelCheckpoint(path, save_best_only=True, save_weights_only=True, verbose=1)
    run_epochs([checkpoint], model, [1.0, 2.0, 0.5, 0.7])
    assert [p.rsplit(".", 1)[1] for p in model.saved] == ["1", "3"]
    out = capsys.readouterr().out
    assert "Epoch 3: val_loss improved from 1.00000 to 0.50000, saving model to" in out
    assert "Epoch 4: val_loss did not improve from 0.50000" in out


def test_model_checkpoint_missing_format_key_names_the_path(tmp_path):
    checkpoint = cbks.ModelCheckpoint(str(tmp_path / "w.{acc}"))
    with pytest.raises(KeyError, match="Failed to format this callback filepath"):
        run_epochs([checkpoint], StandInModel(), [1.0])


def test_terminate_on_nan_stops_on_invalid_loss(capsys):
    model = StandInModel()
    callback = cbks.TerminateOnNaN()
    callback.set_model(model)
    callback.on_train_batch_end(0, {"loss": 1.0})
    assert not model.stop_training
    callback.on_train_batch_end(1, {"loss": math.inf})
    assert model.stop_training
    assert "Batch 1: Invalid loss, terminating training" in capsys.readouterr().out


def test_learning_rate_scheduler_sets_the_variable_and_logs_lr():
    model = StandInModel()
    scheduler = cbks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    history = cbks.History()
    run_epochs([scheduler, history], model, [1.0, 1.0], key="loss")
    assert history.history["lr"] == [0.25, 0.125]
    assert model.optimizer.learning_rate.numpy() == pytest.approx(0.125)


def test_learning_rate_scheduler_accepts_a_schedule_of_the_epoch_alone():
    model = StandInModel()
    model.optimizer.learning_rate = 0.1  # a plain float attribute
    scheduler = cbks.LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))
    run_epochs([scheduler], model, [1.0, 1.0], key="loss")
    assert model.optimizer.learning_rate == pytest.approx(0.02)


def test_csv_logger_writes_a_header_and_one_row_per_epoch(tmp_path):
    path = tmp_path / "log.csv"
    run_epochs([cbks.CSVLogger(path)], StandInModel(), [0.5, 0.25], key="loss")
    assert path.read_text().splitlines() == ["epoch,loss", "0,0.5", "1,0.25"]
