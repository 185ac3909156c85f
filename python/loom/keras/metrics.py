"""tf.keras.metrics: stateful metrics that accumulate over batches in non-trainable
variables (so updates work eagerly and inside loom.function), and matching functions."""

import loom
from loom.keras import _serialization
from loom.keras._serialization import floatx
from loom.keras.losses import (
    binary_crossentropy,
    categorical_crossentropy,
    mean_absolute_error,
    mean_squared_error,
    sparse_categorical_crossentropy,
    squeeze_or_expand_dimensions,
)

__all__ = [
    "Metric",
    "Reduce",
    "Sum",
    "Mean",
    "MeanMetricWrapper",
    "Accuracy",
    "BinaryAccuracy",
    "CategoricalAccuracy",
    "SparseCategoricalAccuracy",
    "MeanSquaredError",
    "MeanAbsoluteError",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
    "accuracy",
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "mean_squared_error",
    "mse",
    "MSE",
    "mean_absolute_error",
    "mae",
    "MAE",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "get",
    "serialize",
    "deserialize",
]

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


# --- matching functions (one value per sample) --------------------------------------


def accuracy(y_true, y_pred):
    """1.0 where y_pred equals y_true exactly, else 0.0."""
    y_true = loom.convert_to_tensor(y_true)
    y_pred = loom.convert_to_tensor(y_pred)
    if not y_true.shape.is_compatible_with(y_pred.shape):
        raise ValueError(f"Shapes {y_true.shape} and {y_pred.shape} are incompatible")
    if y_true.dtype != y_pred.dtype:
        y_pred = loom.cast(y_pred, y_true.dtype)
    return loom.cast(loom.equal(y_true, y_pred), floatx())


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Mean over the last axis of (y_pred > threshold) == y_true."""
    y_pred = loom.convert_to_tensor(y_pred)
    y_true = loom.cast(y_true, y_pred.dtype)
    predicted = loom.cast(y_pred > loom.cast(threshold, y_pred.dtype), y_pred.dtype)
    return loom.reduce_mean(loom.cast(loom.equal(y_true, predicted), floatx()), axis=-1)


def _sparse_matches(y_true, y_pred):
    """argmax(y_pred) == y_true, keeping y_true's shape (it may end in a 1)."""
    y_pred = loom.convert_to_tensor(y_pred)
    y_true = loom.convert_to_tensor(y_true)
    true_rank, pred_rank = y_true.shape.rank, y_pred.shape.rank
    original_shape = None
    if true_rank is not None and pred_rank is not None and true_rank == pred_rank:
        original_shape = loom.shape(y_true)
        y_true = loom.squeeze(y_true, [-1])
    predicted = loom.argmax(y_pred, axis=-1)
    if predicted.dtype != y_true.dtype:
        predicted = loom.cast(predicted, y_true.dtype)
    matches = loom.cast(loom.equal(y_true, predicted), floatx())
    return matches if original_shape is None else loom.reshape(matches, original_shape)


def categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_pred) == argmax(y_true) over the last axis."""
    return _sparse_matches(loom.argmax(y_true, axis=-1), y_pred)


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where argmax(y_pred) equals the integer label y_true."""
    return _sparse_matches(y_true, y_pred)


# --- base classes -------------------------------------------------------------------


class Metric(loom.Module):
    """Accumulates statistics in state variables: `update_state(...)` adds a batch,
    `result()` reads the value, `reset_state()` zeroes the state. Calling the metric
    updates it and returns the result."""

    def __init__(self, name=None, dtype=None, **kwargs):
        super().__init__()
        if name is not None:  # Keras takes any string, not only identifier-like names
            self._name, self._scope_name = name, name + "/"
        self._dtype = loom.as_dtype(dtype or floatx())
        self._metric_variables = []
        self.stateful = True
        self.built = True

    @property
    def dtype(self):
        return self._dtype.name

    def add_weight(
        self,
        name=None,
        shape=(),
        aggregation=None,
        synchronization=None,
        initializer=None,
        dtype=None,
    ):
        """A non-trainable state variable: zeros unless `initializer` is "ones", a
        number or a callable(shape, dtype)."""
        dtype = loom.as_dtype(dtype or self._dtype)
        if initializer is None or initializer == "zeros":
            value = loom.zeros(shape, dtype)
        elif initializer == "ones":
            value = loom.ones(shape, dtype)
        elif callable(initializer):
            value = initializer(shape, dtype)
        else:
            value = loom.fill(shape, loom.cast(initializer, dtype))
        variable = loom.Variable(value, name=name, trainable=False, dtype=dtype)
        self._metric_variables.append(variable)
        return variable

    @property
    def variables(self):
        return list(self._metric_variables)

    weights = variables
    non_trainable_weights = variables
    non_trainable_variables = variables

    @property
    def trainable_weights(self):
        return []

    trainable_variables = trainable_weights

    def update_state(self, *args, **kwargs):
        raise NotImplementedError("Must be implemented in subclasses.")

    def result(self):
        raise NotImplementedError("Must be implemented in subclasses.")

    def reset_state(self):
        for variable in self._metric_variables:
            variable.assign(loom.zeros_like(variable.read_value()))

    def reset_states(self):
        return self.reset_state()

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _divide_no_nan(total, count):
    zero = loom.equal(count, 0)
    return loom.where(
        zero, loom.zeros_like(total), total / loom.where(zero, loom.ones_like(count), count)
    )


class Reduce(Metric):
    """Sums values (times sample weights) into `total`; with reduction
    "weighted_mean" also counts the weights, and the result is total / count."""

    def __init__(self, reduction, name, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.reduction = reduction
        self.total = self.add_weight("total", initializer="zeros")
        if reduction != "sum":
            self.count = self.add_weight("count", initializer="zeros")

    def update_state(self, values, sample_weight=None):
        values = loom.cast(values, self._dtype)
        if sample_weight is not None:
            sample_weight = loom.cast(sample_weight, self._dtype)
            values, _, sample_weight = squeeze_or_expand_dimensions(values, None, sample_weight)
            values, sample_weight = _broadcast_or_reduce(values, sample_weight, self.reduction)
            values = values * sample_weight
        self.total.assign_add(loom.reduce_sum(values))
        if self.reduction == "sum":
            return
        if sample_weight is None:
            count = loom.cast(loom.size(values), self._dtype)
        else:
            count = loom.reduce_sum(sample_weight)
        self.count.assign_add(count)

    def result(self):
        if self.reduction == "sum":
            return loom.identity(self.total.read_value())
        return _divide_no_nan(self.total.read_value(), self.count.read_value())


def _broadcastable(from_shape, to_shape):
    if from_shape.rank is None or to_shape.rank is None or from_shape.rank > to_shape.rank:
        return False
    pairs = zip(reversed(from_shape.as_list()), reversed(to_shape.as_list()))
    return all(f == 1 or f is None or t is None or f == t for f, t in pairs)


def _broadcast_or_reduce(values, weights, reduction):
    """Broadcasts the weights to the values' shape when they fit; otherwise reduces the
    values' trailing dims (sum or mean) down to the weights' rank, as Keras does."""
    if _broadcastable(weights.shape, values.shape):
        return values, weights * loom.ones_like(values)
    extra = list(range(weights.shape.rank, values.shape.rank))
    reducer = loom.reduce_sum if reduction == "sum" else loom.reduce_mean
    return reducer(values, axis=extra), weights


class Sum(Reduce):
    def __init__(self, name="sum", dtype=None):
        super().__init__(reduction="sum", name=name, dtype=dtype)


class Mean(Reduce):
    def __init__(self, name="mean", dtype=None):
        super().__init__(reduction="weighted_mean", name=name, dtype=dtype)


class MeanMetricWrapper(Mean):
    """The (weighted) mean of `fn(y_true, y_pred, **kwargs)` over every sample seen."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", "mean_metric_wrapper"), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = loom.cast(y_true, self._dtype)
        y_pred = loom.cast(y_pred, self._dtype)
        y_pred, y_true = squeeze_or_expand_dimensions(y_pred, y_true)
        matches = self._fn(y_true, y_pred, **self._fn_kwargs)
        return super().update_state(matches, sample_weight=sample_weight)

    def get_config(self):
        config = _serialization.plain_values(self._fn_kwargs)
        config.update(super().get_config())
        if type(self) is MeanMetricWrapper:
            config["fn"] = serialize(self._fn)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if cls is MeanMetricWrapper and "fn" in config:
            config["fn"] = get(config["fn"])
        return cls(**config)


class Accuracy(MeanMetricWrapper):
    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name, dtype=dtype, threshold=threshold)


class CategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name, dtype=dtype)


class MeanSquaredError(MeanMetricWrapper):
    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name, dtype=dtype)


class BinaryCrossentropy(MeanMetricWrapper):
    def __init__(
        self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0
    ):
        super().__init__(
            binary_crossentropy,
            name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
        )


class CategoricalCrossentropy(MeanMetricWrapper):
    def __init__(
        self,
        name="categorical_crossentropy",
        dtype=None,
        from_logits=False,
        label_smoothing=0,
        axis=-1,
    ):
        super().__init__(
            categorical_crossentropy,
            name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class SparseCategoricalCrossentropy(MeanMetricWrapper):
    def __init__(
        self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False, axis=-1
    ):
        super().__init__(
            sparse_categorical_crossentropy, name, dtype=dtype, from_logits=from_logits, axis=axis
        )


# --- lookup -------------------------------------------------------------------------

_ALIASES = {"acc": accuracy, "ACC": accuracy}


def _module_objects():
    objects = {name: globals()[name] for name in __all__ if name != "get"}
    objects.update(_ALIASES)
    return objects


def serialize(metric):
    return _serialization.serialize_keras_object(metric)


def deserialize(config, custom_objects=None):
    return _serialization.deserialize_keras_object(
        config, _module_objects(), custom_objects, kind="metric function"
    )


def get(identifier):
    """A metric from a name ("accuracy"/"acc", "mse": the function; "Accuracy": an
    instance), a config dict, or a callable (returned as is)."""
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret metric identifier: {identifier}")
