"""Trainer: the compile/fit/evaluate/predict half of keras.Model, as a mixin.

Model lists Trainer before Layer in its bases (`class Model(Trainer, Layer)`) so these
methods and properties (metrics, compile, ...) take precedence. Trainer only uses
`self(x, training=...)`, `self.trainable_variables` and `self.losses` of the model.
"""

import copy

import numpy as np
from loom.keras.engine import trainer_data as data_lib
from loom.keras.engine.trainer_compile import LossesContainer, MetricsContainer

import loom


def _to_python(value):
    """A logged tensor as a Python number (scalars) or a NumPy array."""
    array = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
    return array.item() if array.ndim == 0 else array


def _logs_to_python(logs):
    return {key: _to_python(value) for key, value in (logs or {}).items()}


def _verbosity(verbose):
    return 1 if verbose == "auto" else int(verbose)


def _callbacks_module():
    from loom.keras import callbacks

    return callbacks


class Trainer:
    """compile(), fit(), evaluate(), predict() and the per-batch steps they run."""

    # Defaults until compile() runs (Model instances get their own values).
    optimizer = None
    compiled_loss = None
    compiled_metrics = None
    loss = None
    stop_training = False
    train_function = None
    test_function = None
    predict_function = None
    _is_compiled = False
    _run_eagerly = None
    _jit_compile = None
    _steps_per_execution = 1

    # --- compile ---------------------------------------------------------------------

    def compile(
        self,
        optimizer="rmsprop",
        loss=None,
        metrics=None,
        loss_weights=None,
        weighted_metrics=None,
        run_eagerly=None,
        steps_per_execution=None,
        jit_compile=None,
        **kwargs,
    ):
        """Configures the model for training: optimizer, loss(es) and metrics."""
        unknown = sorted(
            set(kwargs) - {"sample_weight_mode", "target_tensors", "pss_evaluation_shards"}
        )
        if unknown:
            raise TypeError(f"Invalid keyword argument(s) in `compile()`: {tuple(unknown)}.")
        from loom.keras import optimizers

        self.optimizer = optimizers.get(optimizer)
        self.loss = loss
        output_names = getattr(self, "output_names", None)
        self.compiled_loss = LossesContainer(loss, loss_weights, output_names)
        self.compiled_metrics = MetricsContainer(metrics, weighted_metrics, output_names)
        self._run_eagerly = run_eagerly
        self._steps_per_execution = int(steps_per_execution or 1)
        self._jit_compile = jit_compile
        self._is_compiled = True
        self.stop_training = False
        self.train_function = self.test_function = self.predict_function = None

    @property
    def run_eagerly(self):
        """Whether steps run as plain Python instead of inside a loom.function."""
        return bool(self._run_eagerly) or loom.config.functions_run_eagerly()

    @run_eagerly.setter
    def run_eagerly(self, value):
        self._run_eagerly = value
        self.train_function = self.test_function = self.predict_function = None

    @property
    def jit_compile(self):
        return self._jit_compile

    @property
    def steps_per_execution(self):
        return self._steps_per_execution

    def _assert_compile_was_called(self):
        if not self._is_compiled:
            raise RuntimeError(
                "You must compile your model before training/testing. "
                "Use `model.compile(optimizer, loss)`."
            )

    # --- metrics ---------------------------------------------------------------------

    @property
    def metrics(self):
        """Compiled loss trackers and metrics (once data has been seen), then metrics
        assigned as attributes of the model (e.g. custom trackers)."""
        from loom.keras.metrics import Metric

        found = []
        if self.compiled_loss is not None:
            found += self.compiled_loss.metrics
        if self.compiled_metrics is not None:
            found += self.compiled_metrics.metrics
        for value in vars(self).values():
            if isinstance(value, Metric) and all(value is not m for m in found):
                found.append(value)
        return found

    @property
    def metrics_names(self):
        return [metric.name for metric in self.metrics]

    def reset_metrics(self):
        for metric in self.metrics:
            metric.reset_state()

    def get_metrics_result(self):
        """{name: result} of every metric (dict-valued results are merged in)."""
        results = {}
        for metric in self.metrics:
            value = metric.result()
            if isinstance(value, dict):
                results.update(value)
            else:
                results[metric.name] = value
        return results

    # --- steps -------------------------------------------------------------------------

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        """The total loss of a batch: compiled losses plus `self.losses`."""
        del x
        return self.compiled_loss(y, y_pred, sample_weight, regularization_losses=list(self.losses))

    def compute_metrics(self, x, y, y_pred, sample_weight):
        del x
        self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def _validate_target_and_loss(self, y, loss):
        if self.loss is None and not list(self.losses) and y is not None:
            raise ValueError(
                "No loss found. You may have forgotten to provide a `loss` argument in the "
                "`compile()` method."
            )
        if y is None and self.loss is not None:
            raise ValueError(
                f"Target data is missing. Your model was compiled with loss={self.loss!r}, "
                "and therefore expects target data to be passed in `fit()`."
            )
        del loss

    def train_step(self, data):
        """One gradient step on a batch; returns the metric results."""
        x, y, sample_weight = data_lib.unpack_x_y_sample_weight(data)
        self._validate_target_and_loss(y, self.loss)
        with loom.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sample_weight)
        variables = list(self.trainable_variables)
        gradients = tape.gradient(loss, variables)
        pairs = [(g, v) for g, v in zip(gradients, variables) if g is not None]
        if pairs:
            self.optimizer.apply_gradients(pairs)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def test_step(self, data):
        x, y, sample_weight = data_lib.unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        self.compute_loss(x, y, y_pred, sample_weight)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def predict_step(self, data):
        x, _, _ = data_lib.unpack_x_y_sample_weight(data)
        return self(x, training=False)

    # --- step functions ----------------------------------------------------------------

    def _wrap_step(self, step, name):
        def step_function(data):
            return step(data)

        step_function.__name__ = name
        if self.run_eagerly:
            return step_function
        # One trace for full batches; a smaller last batch relaxes the batch dimension
        # to None once, so later epochs reuse the two traces.
        return loom.function(
            step_function, reduce_retracing=True, jit_compile=self._jit_compile, name=name
        )

    def make_train_function(self, force=False):
        if self.train_function is None or force:
            self.train_function = self._wrap_step(self.train_step, "train_function")
        return self.train_function

    def make_test_function(self, force=False):
        if self.test_function is None or force:
            self.test_function = self._wrap_step(self.test_step, "test_function")
        return self.test_function

    def make_predict_function(self, force=False):
        if self.predict_function is None or force:
            self.predict_function = self._wrap_step(self.predict_step, "predict_function")
        return self.predict_function

    # --- fit -----------------------------------------------------------------------------

    def _callback_list(self, callbacks, verbose, epochs, steps, add_history=False):
        module = _callbacks_module()
        if isinstance(callbacks, module.CallbackList):
            return callbacks
        return module.CallbackList(
            callbacks,
            add_history=add_history,
            add_progbar=verbose != 0,
            model=self,
            verbose=verbose,
            epochs=epochs,
            steps=steps,
        )

    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose="auto",
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        class_weight=None,
        sample_weight=None,
        initial_epoch=0,
        steps_per_epoch=None,
        validation_steps=None,
        validation_batch_size=None,
        validation_freq=1,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
    ):
        """Trains for `epochs` passes over in-memory data; returns the History."""
        self._assert_compile_was_called()
        if class_weight is not None:
            raise ValueError("`class_weight` is not supported by loom.keras fit().")
        verbose = _verbosity(verbose)
        train_data = data_lib.ArrayData(x, y, sample_weight)
        val_data = None
        if validation_data is not None:
            val_data = data_lib.validation_data_of(validation_data)
        elif validation_split:
            train_data, val_data = train_data.split(validation_split)
        plan = data_lib.BatchPlan(train_data.num_samples, batch_size, shuffle, steps_per_epoch)
        callbacks = self._callback_list(callbacks, verbose, epochs, plan.steps, add_history=True)
        train_function = self.make_train_function()
        self.stop_training = False
        callbacks.on_train_begin()
        training_logs = None
        logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            for step, indices in enumerate(plan.epoch()):
                callbacks.on_train_batch_begin(step)
                logs = _logs_to_python(train_function(train_data.batch_tensors(indices)))
                callbacks.on_train_batch_end(step, logs)
                if self.stop_training:
                    break
            epoch_logs = copy.copy(logs)
            if val_data is not None and self._should_eval(epoch, validation_freq):
                val_logs = self._evaluate_arrays(
                    val_data,
                    validation_batch_size or batch_size,
                    validation_steps,
                    callbacks,
                )
                epoch_logs.update({"val_" + name: value for name, value in val_logs.items()})
            callbacks.on_epoch_end(epoch, epoch_logs)
            training_logs = epoch_logs
            if self.stop_training:
                break
        callbacks.on_train_end(logs=training_logs)
        return self.history

    @staticmethod
    def _should_eval(epoch, validation_freq):
        epoch += 1  # validation_freq counts epochs from 1
        if isinstance(validation_freq, int):
            if validation_freq < 1:
                raise ValueError(
                    f"`validation_freq` must be a positive integer, got {validation_freq}."
                )
            return epoch % validation_freq == 0
        return epoch in validation_freq

    # --- evaluate ------------------------------------------------------------------------

    def _evaluate_arrays(self, data, batch_size, steps, callbacks):
        """Runs the test loop over ArrayData with the given CallbackList; returns logs."""
        test_function = self.make_test_function()
        plan = data_lib.BatchPlan(data.num_samples, batch_size, False, steps)
        self.reset_metrics()
        callbacks.on_test_begin()
        logs = {}
        for step, indices in enumerate(plan.epoch()):
            callbacks.on_test_batch_begin(step)
            logs = _logs_to_python(test_function(data.batch_tensors(indices)))
            callbacks.on_test_batch_end(step, logs)
        callbacks.on_test_end(logs)
        return logs

    def evaluate(
        self,
        x=None,
        y=None,
        batch_size=None,
        verbose="auto",
        sample_weight=None,
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
        return_dict=False,
        **kwargs,
    ):
        """The loss and metrics over the data: a scalar, a list in metrics_names order,
        or a dict with return_dict=True."""
        self._assert_compile_was_called()
        verbose = _verbosity(verbose)
        data = data_lib.ArrayData(x, y, sample_weight)
        plan_steps = data_lib.BatchPlan(data.num_samples, batch_size, False, steps).steps
        callbacks = self._callback_list(callbacks, verbose, 1, plan_steps)
        logs = self._evaluate_arrays(data, batch_size, steps, callbacks)
        if return_dict:
            return logs
        values = [logs[name] for name in self.metrics_names if name in logs]
        values += [value for name, value in logs.items() if name not in self.metrics_names]
        return values[0] if len(values) == 1 else values

    # --- predict -------------------------------------------------------------------------

    def predict(
        self,
        x,
        batch_size=None,
        verbose="auto",
        steps=None,
        callbacks=None,
        max_queue_size=10,
        workers=1,
        use_multiprocessing=False,
    ):
        """The model's outputs for every sample, concatenated as NumPy arrays."""
        verbose = _verbosity(verbose)
        data = data_lib.ArrayData(x)
        plan = data_lib.BatchPlan(data.num_samples, batch_size, False, steps)
        callbacks = self._callback_list(callbacks, verbose, 1, plan.steps)
        predict_function = self.make_predict_function()
        callbacks.on_predict_begin()
        batches = []
        for step, indices in enumerate(plan.epoch()):
            callbacks.on_predict_batch_begin(step)
            outputs = data_lib.map_structure(
                _to_numpy_output, predict_function(data.batch_tensors(indices))
            )
            batches.append(outputs)
            callbacks.on_predict_batch_end(step, {"outputs": outputs})
        callbacks.on_predict_end()
        if not batches:
            raise ValueError("Unexpected result of `predict_function` (Empty batch_outputs).")
        return _concatenate(batches)

    # --- single batches -------------------------------------------------------------------

    def _single_batch(self, function, x, y, sample_weight):
        data = data_lib.ArrayData(x, y, sample_weight)
        return function(data.batch_tensors(slice(None)))

    def _batch_result(self, logs, return_dict):
        logs = _logs_to_python(logs)
        if return_dict:
            return logs
        values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def train_on_batch(
        self,
        x,
        y=None,
        sample_weight=None,
        class_weight=None,
        reset_metrics=True,
        return_dict=False,
    ):
        """One gradient step on exactly this batch."""
        self._assert_compile_was_called()
        if reset_metrics:
            self.reset_metrics()
        logs = self._single_batch(self.make_train_function(), x, y, sample_weight)
        return self._batch_result(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        self._assert_compile_was_called()
        if reset_metrics:
            self.reset_metrics()
        logs = self._single_batch(self.make_test_function(), x, y, sample_weight)
        return self._batch_result(logs, return_dict)

    def predict_on_batch(self, x):
        outputs = self._single_batch(self.make_predict_function(), x, None, None)
        return data_lib.map_structure(_to_numpy_output, outputs)


def _to_numpy_output(value):
    return np.asarray(value.numpy() if hasattr(value, "numpy") else value)


def _concatenate(batches):
    """Per-batch output nests joined along the batch dimension."""
    first = batches[0]
    if isinstance(first, dict):
        return {key: _concatenate([b[key] for b in batches]) for key in first}
    if isinstance(first, (list, tuple)):
        return type(first)(_concatenate([b[i] for b in batches]) for i in range(len(first)))
    return np.concatenate(batches, axis=0)
