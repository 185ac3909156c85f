"""keras.callbacks: hooks fit/evaluate/predict call around epochs and batches."""

import logging
import os

import numpy as np

from loom.keras.utils import Progbar

__all__ = [
    "Callback",
    "CallbackList",
    "CSVLogger",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgbarLogger",
    "TerminateOnNaN",
]

_log = logging.getLogger("loom.keras.callbacks")


class Callback:
    """Base class: every hook does nothing; `model` and `params` are set by fit."""

    def __init__(self):
        self.validation_data = None
        self.model = None
        self.params = {}

    def set_params(self, params):
        self.params = params

    def set_model(self, model):
        self.model = model

    # The legacy batch hooks stand for the training ones, as in Keras.
    def on_batch_begin(self, batch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_batch_begin(self, batch, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch, logs=None):
        pass

    def on_test_batch_end(self, batch, logs=None):
        pass

    def on_predict_batch_begin(self, batch, logs=None):
        pass

    def on_predict_batch_end(self, batch, logs=None):
        pass

    def on_train_begin(self, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_test_begin(self, logs=None):
        pass

    def on_test_end(self, logs=None):
        pass

    def on_predict_begin(self, logs=None):
        pass

    def on_predict_end(self, logs=None):
        pass


def _forward(hook):
    def call(self, *args, **kwargs):
        for callback in self.callbacks:
            getattr(callback, hook)(*args, **kwargs)

    call.__name__ = hook
    return call


class CallbackList:
    """Calls each hook on every callback in order; adds History and ProgbarLogger when
    asked (the progress bar runs before user callbacks, History after them)."""

    def __init__(self, callbacks=None, add_history=False, add_progbar=False, model=None, **params):
        self.callbacks = list(callbacks or [])
        if add_progbar and not any(isinstance(c, ProgbarLogger) for c in self.callbacks):
            self.callbacks.insert(0, ProgbarLogger())
        if add_history and not any(isinstance(c, History) for c in self.callbacks):
            self.callbacks.append(History())
        self.model = None
        self.params = {}
        if model is not None:
            self.set_model(model)
        if params:
            self.set_params(params)

    def append(self, callback):
        self.callbacks.append(callback)

    def set_params(self, params):
        self.params = params
        for callback in self.callbacks:
            callback.set_params(params)

    def set_model(self, model):
        self.model = model
        for callback in self.callbacks:
            callback.set_model(model)

    def __iter__(self):
        return iter(self.callbacks)


for _hook in [name for name in vars(Callback) if name.startswith("on_")]:
    setattr(CallbackList, _hook, _forward(_hook))
del _hook


class History(Callback):
    """Records the logs of every epoch: `history[name]` is a list, one value per epoch."""

    def __init__(self):
        super().__init__()
        self.history = {}
        self.epoch = []

    def on_train_begin(self, logs=None):
        self.epoch = []
        self.model.history = self

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
        self.model.history = self


class ProgbarLogger(Callback):
    """Prints progress: "Epoch i/n" (when n > 1) and a Progbar per epoch, evaluation or
    prediction run (verbose from the model's fit/evaluate/predict call)."""

    def __init__(self, count_mode="steps", stateful_metrics=None):
        super().__init__()
        if count_mode != "steps":
            raise ValueError(f'Unknown `count_mode`: {count_mode}. Expected "steps".')
        self.stateful_metrics = set(stateful_metrics or ())
        self.progbar = None
        self.seen = 0
        self._training = False

    def set_params(self, params):
        self.params = params
        self.verbose = params.get("verbose", 1)
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def _new_bar(self):
        self.seen = 0
        self.progbar = Progbar(
            self.target, verbose=self.verbose, stateful_metrics=self._all_stateful()
        )

    def _all_stateful(self):
        # Model metrics are already running means: show them as they are.
        names = set(self.stateful_metrics)
        if self.model is not None:
            names.update(self.model.metrics_names)
            names.update("val_" + name for name in self.model.metrics_names)
        return names

    def _update(self, batch, logs):
        self.seen = batch + 1
        if self.progbar is None:
            self._new_bar()
        self.progbar.stateful_metrics = self._all_stateful()
        self.progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def _finish(self, logs):
        if self.progbar is None:
            self._new_bar()
        self.progbar.stateful_metrics = self._all_stateful() | set(logs or {})
        if self.target is None:
            self.target = self.seen
            self.progbar.target = self.seen
        self.progbar.update(self.target, list((logs or {}).items()), finalize=True)
        self.progbar = None

    def on_train_begin(self, logs=None):
        self._training = True

    def on_train_end(self, logs=None):
        self._training = False

    def on_epoch_begin(self, epoch, logs=None):
        self._new_bar()
        if self.verbose and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch, logs=None):
        self._update(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._finish(logs)

    def on_test_begin(self, logs=None):
        if not self._training:
            self._new_bar()

    def on_test_batch_end(self, batch, logs=None):
        if not self._training:
            self._update(batch, logs)

    def on_test_end(self, logs=None):
        if not self._training:
            self._finish(logs)

    def on_predict_begin(self, logs=None):
        self._new_bar()

    def on_predict_batch_end(self, batch, logs=None):
        self._update(batch, None)

    def on_predict_end(self, logs=None):
        self._finish(None)


def _monitor_op(mode, monitor, name):
    """np.less or np.greater for a `mode` ("auto" guesses from the monitored name)."""
    if mode not in ("auto", "min", "max"):
        _log.warning("%s mode %s is unknown, fallback to auto mode.", name, mode)
        mode = "auto"
    if mode == "min":
        return np.less
    if mode == "max":
        return np.greater
    return np.greater if monitor.endswith(("acc", "accuracy", "auc")) else np.less


def _snapshot_weights(model):
    return [np.array(variable.numpy()) for variable in model.weights]


def _restore_weights(model, values):
    for variable, value in zip(model.weights, values):
        variable.assign(value)


class EarlyStopping(Callback):
    """Stops training once `monitor` has not improved by `min_delta` for `patience`
    epochs; optionally restores the weights of the best epoch."""

    def __init__(
        self,
        monitor="val_loss",
        min_delta=0,
        patience=0,
        verbose=0,
        mode="auto",
        baseline=None,
        restore_best_weights=False,
        start_from_epoch=0,
    ):
        super().__init__()
        self.monitor = monitor
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.min_delta = abs(min_delta)
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.monitor_op = _monitor_op(mode, monitor, "EarlyStopping")
        if self.monitor_op is np.less:
            self.min_delta *= -1
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_train_begin(self, logs=None):
        self.wait = 0
        self.stopped_epoch = 0
        self.best = np.inf if self.monitor_op is np.less else -np.inf
        self.best_weights = None
        self.best_epoch = 0

    def _is_improvement(self, value, reference):
        return bool(self.monitor_op(value - self.min_delta, reference))

    def get_monitor_value(self, logs):
        value = (logs or {}).get(self.monitor)
        if value is None:
            _log.warning(
                "Early stopping conditioned on metric `%s` which is not available. "
                "Available metrics are: %s",
                self.monitor,
                ",".join(logs or {}),
            )
        return value

    def on_epoch_end(self, epoch, logs=None):
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = _snapshot_weights(self.model)
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = _snapshot_weights(self.model)
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                if self.verbose > 0:
                    print(
                        "Restoring model weights from the end of the best epoch: "
                        f"{self.best_epoch + 1}."
                    )
                _restore_weights(self.model, self.best_weights)

    def on_train_end(self, logs=None):
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")


class ModelCheckpoint(Callback):
    """Saves the model (or only its weights) after epochs, or every `save_freq`
    batches; `filepath` may name the epoch and logged values: "w.{epoch:02d}"."""

    def __init__(
        self,
        filepath,
        monitor="val_loss",
        verbose=0,
        save_best_only=False,
        save_weights_only=False,
        mode="auto",
        save_freq="epoch",
        options=None,
        initial_value_threshold=None,
    ):
        super().__init__()
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(
                f'Unrecognized save_freq: {save_freq}. Expected "epoch" or an integer.'
            )
        if mode not in ("auto", "min", "max"):
            _log.warning("ModelCheckpoint mode %s is unknown, fallback to auto mode.", mode)
            mode = "auto"
        if mode == "auto":
            mode = "max" if "acc" in monitor or monitor.startswith("fmeasure") else "min"
        self.monitor_op = np.less if mode == "min" else np.greater
        self.initial_value_threshold = initial_value_threshold
        self.best = None
        self._current_epoch = 0
        self._batches_seen = 0

    def on_train_begin(self, logs=None):
        if self.initial_value_threshold is not None:
            self.best = self.initial_value_threshold
        else:
            self.best = np.inf if self.monitor_op is np.less else -np.inf
        self._batches_seen = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._current_epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if isinstance(self.save_freq, int):
            self._batches_seen += 1
            if self._batches_seen % self.save_freq == 0:
                self._save(self._current_epoch, logs, batch=batch)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, logs)

    def _file_path(self, epoch, logs, batch):
        values = dict(logs or {})
        try:
            if batch is None or "batch" not in self.filepath:
                return self.filepath.format(epoch=epoch + 1, **values)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **values)
        except KeyError as error:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: {error}'
            ) from error

    def _write(self, path):
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        if self.save_weights_only or not hasattr(self.model, "save"):
            self.model.save_weights(path)
        else:
            self.model.save(path)

    def _save(self, epoch, logs, batch=None):
        path = self._file_path(epoch, logs, batch)
        if not self.save_best_only:
            if self.verbose > 0:
                print(f"\nEpoch {epoch + 1}: saving model to {path}")
            self._write(path)
            return
        current = (logs or {}).get(self.monitor)
        if current is None:
            _log.warning("Can save best model only with %s available, skipping.", self.monitor)
            return
        if self.monitor_op(current, self.best):
            if self.verbose > 0:
                print(
                    f"\nEpoch {epoch + 1}: {self.monitor} improved from {self.best:.5f} to "
                    f"{current:.5f}, saving model to {path}"
                )
            self.best = current
            self._write(path)
        elif self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {self.best:.5f}")


class LambdaCallback(Callback):
    """A callback made of plain functions: on_epoch_begin/end(epoch, logs),
    on_batch_begin/end(batch, logs), on_train_begin/end(logs), and any other hook by
    its name."""

    def __init__(
        self,
        on_epoch_begin=None,
        on_epoch_end=None,
        on_batch_begin=None,
        on_batch_end=None,
        on_train_begin=None,
        on_train_end=None,
        **kwargs,
    ):
        super().__init__()
        hooks = dict(
            on_epoch_begin=on_epoch_begin,
            on_epoch_end=on_epoch_end,
            on_batch_begin=on_batch_begin,
            on_batch_end=on_batch_end,
            on_train_begin=on_train_begin,
            on_train_end=on_train_end,
            **kwargs,
        )
        for name, function in hooks.items():
            if not hasattr(Callback, name) or not name.startswith("on_"):
                raise TypeError(f"LambdaCallback got an unexpected hook {name!r}.")
            if function is not None:
                setattr(self, name, function)


class TerminateOnNaN(Callback):
    """Stops training as soon as a batch's loss is NaN or infinite."""

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and (np.isnan(loss) or np.isinf(loss)):
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True


def _set_learning_rate(optimizer, value):
    current = optimizer.learning_rate
    if hasattr(current, "assign"):
        current.assign(value)
    else:
        optimizer.learning_rate = value


def _get_learning_rate(optimizer):
    value = optimizer.learning_rate
    return float(np.asarray(value.numpy() if hasattr(value, "numpy") else value))


class LearningRateScheduler(Callback):
    """Sets the optimizer's learning rate at each epoch start to `schedule(epoch, lr)`
    (or `schedule(epoch)`); logs it as "lr"."""

    def __init__(self, schedule, verbose=0):
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:
            lr = self.schedule(epoch, _get_learning_rate(optimizer))
        except TypeError:  # a schedule of the epoch alone
            lr = self.schedule(epoch)
        lr = float(np.asarray(lr.numpy() if hasattr(lr, "numpy") else lr))
        _set_learning_rate(optimizer, lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["lr"] = _get_learning_rate(self.model.optimizer)


class CSVLogger(Callback):
    """Appends one CSV row of epoch logs per epoch to `filename`."""

    def __init__(self, filename, separator=",", append=False):
        super().__init__()
        self.filename = os.fspath(filename)
        self.sep = separator
        self.append = append
        self.keys = None
        self._file = None

    def on_train_begin(self, logs=None):
        exists = self.append and os.path.exists(self.filename)
        self._write_header = not exists
        self._file = open(self.filename, "a" if self.append else "w", encoding="utf-8")  # noqa: SIM115
        self.keys = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self._write_header:
                self._file.write(self.sep.join(["epoch"] + self.keys) + "\n")
        row = [str(epoch)] + [str(logs.get(key, "NA")) for key in self.keys]
        self._file.write(self.sep.join(row) + "\n")
        self._file.flush()

    def on_train_end(self, logs=None):
        if self._file is not None:
            self._file.close()
            self._file = None
