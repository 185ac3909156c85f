"""tf.keras.losses: loss functions (per-sample values) and Loss objects that weight and
reduce them to a scalar."""

import loom
from loom.keras import _serialization
from loom.keras._serialization import epsilon
from loom.keras.engine import serialization

__all__ = [
    "Reduction",
    "Loss",
    "LossFunctionWrapper",
    "MeanSquaredError",
    "MeanAbsoluteError",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
    "Huber",
    "mean_squared_error",
    "mse",
    "MSE",
    "mean_absolute_error",
    "mae",
    "MAE",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "huber",
    "get",
    "serialize",
    "deserialize",
]


class Reduction:
    """How a Loss object reduces its weighted per-sample losses."""

    AUTO = "auto"  # sum_over_batch_size outside distribution strategies
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError(f'Invalid Reduction Key: {key}. Expected keys are "{cls.all()}"')


# --- shape and weighting helpers ----------------------------------------------------


def _remove_squeezable_dimensions(labels, predictions):
    """Drops a trailing size-1 dim from whichever side has one rank too many."""
    labels_rank, predictions_rank = labels.shape.rank, predictions.shape.rank
    if labels_rank is None or predictions_rank is None:
        return labels, predictions
    rank_diff = predictions_rank - labels_rank
    if rank_diff == 1 and predictions.shape[-1] in (1, None):
        predictions = loom.squeeze(predictions, [-1])
    elif rank_diff == -1 and labels.shape[-1] in (1, None):
        labels = loom.squeeze(labels, [-1])
    return labels, predictions


def squeeze_or_expand_dimensions(y_pred, y_true=None, sample_weight=None):
    """Aligns ranks as Keras does: y_true vs y_pred by a trailing 1, then the sample
    weights to y_pred's rank (squeezing or expanding their last dim)."""
    y_pred_rank = y_pred.shape.rank
    if y_true is not None and y_true.shape.rank is not None and y_pred_rank is not None:
        if y_pred_rank - y_true.shape.rank != 1 or y_pred.shape[-1] == 1:
            y_true, y_pred = _remove_squeezable_dimensions(y_true, y_pred)
    if sample_weight is None:
        return y_pred, y_true
    weights_rank = sample_weight.shape.rank
    y_pred_rank = y_pred.shape.rank
    if weights_rank and y_pred_rank is not None:
        if weights_rank - y_pred_rank == 1:
            sample_weight = loom.squeeze(sample_weight, [-1])
        elif y_pred_rank - weights_rank == 1:
            sample_weight = loom.expand_dims(sample_weight, -1)
    return y_pred, y_true, sample_weight


def _divide_no_nan(total, count):
    safe = loom.where(loom.equal(count, 0), loom.ones_like(count), count)
    return loom.where(loom.equal(count, 0), loom.zeros_like(total), total / safe)


def reduce_weighted_loss(weighted_losses, reduction=Reduction.SUM_OVER_BATCH_SIZE):
    if reduction == Reduction.NONE:
        return weighted_losses
    total = loom.reduce_sum(weighted_losses)
    if reduction == Reduction.SUM:
        return total
    count = loom.cast(loom.size(weighted_losses), weighted_losses.dtype)
    return _divide_no_nan(total, count)


def compute_weighted_loss(losses, sample_weight=None, reduction=Reduction.SUM_OVER_BATCH_SIZE):
    """losses * sample_weight (ranks aligned, then broadcast), reduced by `reduction`."""
    Reduction.validate(reduction)
    if reduction == Reduction.AUTO:
        reduction = Reduction.SUM_OVER_BATCH_SIZE
    losses = loom.convert_to_tensor(losses)
    input_dtype = losses.dtype
    if not input_dtype.is_floating:  # reduce integer losses in float, cast back after
        losses = loom.cast(losses, loom.float32)
    weights = loom.cast(1.0 if sample_weight is None else sample_weight, losses.dtype)
    losses, _, weights = squeeze_or_expand_dimensions(losses, None, weights)
    loss = reduce_weighted_loss(losses * weights, reduction)
    return loom.cast(loss, input_dtype) if loss.dtype != input_dtype else loss


def _prepare(y_true, y_pred):
    y_pred = loom.convert_to_tensor(y_pred)
    y_true = loom.cast(y_true, y_pred.dtype)
    return y_true, y_pred


# --- loss functions (one value per sample) ------------------------------------------


def mean_squared_error(y_true, y_pred):
    """mean((y_pred - y_true) ** 2, axis=-1)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return loom.reduce_mean(loom.math.squared_difference(y_pred, y_true), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """mean(|y_pred - y_true|, axis=-1)."""
    y_true, y_pred = _prepare(y_true, y_pred)
    return loom.reduce_mean(loom.abs(y_pred - y_true), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """Quadratic for |error| <= delta, linear beyond; mean over the last axis."""
    y_true, y_pred = _prepare(y_true, y_pred)
    delta = loom.cast(delta, y_pred.dtype)
    error = y_pred - y_true
    abs_error = loom.abs(error)
    quadratic = 0.5 * loom.square(error)
    linear = delta * abs_error - 0.5 * loom.square(delta)
    return loom.reduce_mean(loom.where(abs_error <= delta, quadratic, linear), axis=-1)


def _is_zero(value):
    return isinstance(value, (int, float)) and value == 0


def _sigmoid_cross_entropy_with_logits(labels, logits):
    # max(x, 0) - x * z + log(1 + exp(-|x|)): no overflow for large |x|.
    return loom.nn.relu(logits) - logits * labels + loom.math.log1p(loom.exp(-loom.abs(logits)))


def _binary_crossentropy_elementwise(target, output, from_logits):
    if from_logits:
        return _sigmoid_cross_entropy_with_logits(target, output)
    eps = epsilon()
    output = loom.clip_by_value(
        output, loom.cast(eps, output.dtype), loom.cast(1 - eps, output.dtype)
    )
    bce = target * loom.math.log(output + eps)
    bce += (1 - target) * loom.math.log(1 - output + eps)
    return -bce


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Mean over `axis` of the elementwise binary cross-entropy; labels are smoothed
    toward 0.5 by `label_smoothing`."""
    y_true, y_pred = _prepare(y_true, y_pred)
    if not _is_zero(label_smoothing):
        smoothing = loom.cast(label_smoothing, y_pred.dtype)
        y_true = y_true * (1.0 - smoothing) + 0.5 * smoothing
    return loom.reduce_mean(
        _binary_crossentropy_elementwise(y_true, y_pred, from_logits), axis=axis
    )


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """-sum(y_true * log(p)) over `axis`, p being softmax(y_pred) for logits or y_pred
    renormalized to sum to one and clipped to [eps, 1 - eps]."""
    if isinstance(axis, bool):
        raise ValueError(
            "`axis` must be of type `int`. Received: "
            f"axis={axis} of type {type(axis)}. It looks like `from_logits` may have been "
            "passed as `axis`."
        )
    y_true, y_pred = _prepare(y_true, y_pred)
    if not y_true.shape.is_compatible_with(y_pred.shape):
        raise ValueError(f"Shapes {y_true.shape} and {y_pred.shape} are incompatible")
    if not _is_zero(label_smoothing):
        smoothing = loom.cast(label_smoothing, y_pred.dtype)
        num_classes = loom.cast(loom.shape(y_true)[-1], y_pred.dtype)
        y_true = y_true * (1.0 - smoothing) + smoothing / num_classes
    if from_logits:
        return loom.nn.softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred, axis=axis)
    y_pred = y_pred / loom.reduce_sum(y_pred, axis, keepdims=True)
    eps = loom.cast(epsilon(), y_pred.dtype)
    y_pred = loom.clip_by_value(y_pred, eps, 1.0 - eps)
    return -loom.reduce_sum(y_true * loom.math.log(y_pred), axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1, ignore_class=None):
    """Cross-entropy for integer class labels; y_true may carry a trailing 1 dim."""
    y_pred = loom.convert_to_tensor(y_pred)
    y_true = loom.convert_to_tensor(y_true)
    rank = y_pred.shape.rank
    if rank is not None and axis % rank != rank - 1:
        perm = [d for d in range(rank) if d != axis % rank] + [axis % rank]
        y_pred = loom.transpose(y_pred, perm)
    if not from_logits:
        # Log-probabilities are valid logits: the softmax below renormalizes them.
        eps = loom.cast(epsilon(), y_pred.dtype)
        y_pred = loom.math.log(loom.clip_by_value(y_pred, eps, 1 - eps))
    labels = loom.cast(y_true, loom.int64)
    if labels.shape.rank == rank:
        labels = loom.squeeze(labels, [-1]) if labels.shape[-1] == 1 else labels
    if labels.shape.rank is not None and rank is not None and labels.shape.rank != rank - 1:
        raise ValueError(
            f"`labels.shape` must equal `logits.shape` except for the last dimension. "
            f"Received: labels.shape={y_true.shape} and logits.shape={y_pred.shape}"
        )
    valid = None
    if ignore_class is not None:
        valid = loom.not_equal(labels, ignore_class)
        labels = loom.where(valid, labels, loom.zeros_like(labels))
    losses = loom.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=y_pred)
    if valid is not None:
        losses = loom.where(valid, losses, loom.zeros_like(losses))
    return losses


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


# --- Loss objects -------------------------------------------------------------------


class Loss:
    """Base class: `call(y_true, y_pred)` gives per-sample losses; `__call__` weights
    them by `sample_weight` and applies `reduction`."""

    def __init__(self, reduction=Reduction.AUTO, name=None):
        Reduction.validate(reduction)
        self.reduction = reduction
        self.name = name

    def __call__(self, y_true, y_pred, sample_weight=None):
        losses = self.call(y_true, y_pred)
        return compute_weighted_loss(losses, sample_weight, reduction=self.reduction)

    def call(self, y_true, y_pred):
        raise NotImplementedError("Must be implemented in subclasses.")

    def get_config(self):
        return {"reduction": self.reduction, "name": self.name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class LossFunctionWrapper(Loss):
    """A Loss computing `fn(y_true, y_pred, **kwargs)` per sample."""

    def __init__(self, fn, reduction=Reduction.AUTO, name=None, **kwargs):
        super().__init__(reduction=reduction, name=name)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true, y_pred):
        y_pred = loom.convert_to_tensor(y_pred)
        y_true = loom.convert_to_tensor(y_true)
        y_pred, y_true = squeeze_or_expand_dimensions(y_pred, y_true)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = super().get_config()
        config.update(_serialization.plain_values(self._fn_kwargs))
        if type(self) is LossFunctionWrapper:
            config["fn"] = serialize(self.fn)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if cls is LossFunctionWrapper and "fn" in config:
            config["fn"] = get(config["fn"])
        return cls(**config)


class MeanSquaredError(LossFunctionWrapper):
    def __init__(self, reduction=Reduction.AUTO, name="mean_squared_error"):
        super().__init__(mean_squared_error, reduction=reduction, name=name)


class MeanAbsoluteError(LossFunctionWrapper):
    def __init__(self, reduction=Reduction.AUTO, name="mean_absolute_error"):
        super().__init__(mean_absolute_error, reduction=reduction, name=name)


class Huber(LossFunctionWrapper):
    def __init__(self, delta=1.0, reduction=Reduction.AUTO, name="huber_loss"):
        super().__init__(huber, reduction=reduction, name=name, delta=delta)


class BinaryCrossentropy(LossFunctionWrapper):
    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction=Reduction.AUTO,
        name="binary_crossentropy",
    ):
        super().__init__(
            binary_crossentropy,
            reduction=reduction,
            name=name,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits


class CategoricalCrossentropy(LossFunctionWrapper):
    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction=Reduction.AUTO,
        name="categorical_crossentropy",
    ):
        super().__init__(
            categorical_crossentropy,
            reduction=reduction,
            name=name,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    def __init__(
        self,
        from_logits=False,
        ignore_class=None,
        reduction=Reduction.AUTO,
        name="sparse_categorical_crossentropy",
    ):
        super().__init__(
            sparse_categorical_crossentropy,
            reduction=reduction,
            name=name,
            from_logits=from_logits,
            ignore_class=ignore_class,
        )


# --- lookup -------------------------------------------------------------------------


def _module_objects():
    return {name: globals()[name] for name in __all__ if name not in ("get", "Reduction")}


def serialize(loss):
    return _serialization.serialize_keras_object(loss)


def deserialize(name, custom_objects=None):
    return _serialization.deserialize_keras_object(
        name, _module_objects(), custom_objects, kind="loss function"
    )


def get(identifier):
    """A loss from a name ("mse", "categorical_crossentropy": the function; "Huber": an
    instance), a config dict, or a callable (returned as is). None gives None."""
    return serialization.resolve(identifier, deserialize, "loss function")
