"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, Embedding."""

import math

import loom
from loom.keras import activations, constraints, initializers, regularizers
from loom.keras.engine.base_layer import Layer
from loom.keras.engine.input_spec import InputSpec


def _positive_int(value, argument, layer):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        try:
            as_int = int(value)
        except (TypeError, ValueError):
            as_int = None
        if as_int is None or as_int != value or as_int <= 0:
            raise ValueError(
                f"Received an invalid value for `{argument}`, expected a positive integer. "
                f"Received: {argument}={value}"
            )
        value = as_int
    return value


class Dense(Layer):
    """activation(inputs @ kernel + bias), contracting the inputs' last axis."""

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = _positive_int(units, "units", self)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_shape = loom.TensorShape(input_shape)
        last_dim = input_shape[-1] if input_shape.rank else None
        if last_dim is None:
            raise ValueError(
                "The last dimension of the inputs to a Dense layer should be defined. "
                f"Found None. Full input shape received: {input_shape}"
            )
        self.input_spec = InputSpec(min_ndim=2, axes={-1: last_dim})
        self.kernel = self.add_weight(
            "kernel",
            shape=[last_dim, self.units],
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            dtype=self.dtype,
            trainable=True,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                "bias",
                shape=[self.units],
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                dtype=self.dtype,
                trainable=True,
            )
        else:
            self.bias = None
        self.built = True

    def call(self, inputs):
        rank = inputs.shape.rank
        if rank == 2:
            outputs = loom.matmul(inputs, self.kernel)
        else:
            outputs = loom.tensordot(inputs, self.kernel, [[rank - 1], [0]])
        if self.use_bias:
            outputs = loom.nn.bias_add(outputs, self.bias)
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        input_shape = loom.TensorShape(input_shape)
        if input_shape[-1] is None:
            raise ValueError(
                "The last dimension of the input shape of a Dense layer should be defined. "
                f"Found None. Received: input_shape={input_shape}"
            )
        return input_shape[:-1].concatenate([self.units])

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units,
            activation=activations.serialize(self.activation),
            use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            kernel_regularizer=_serialize_or_none(regularizers, self.kernel_regularizer),
            bias_regularizer=_serialize_or_none(regularizers, self.bias_regularizer),
            activity_regularizer=_serialize_or_none(regularizers, self.activity_regularizer),
            kernel_constraint=_serialize_or_none(constraints, self.kernel_constraint),
            bias_constraint=_serialize_or_none(constraints, self.bias_constraint),
        )
        return config


def _serialize_or_none(module, obj):
    return None if obj is None else module.serialize(obj)


class Activation(Layer):
    """Applies an activation function (a name or a callable)."""

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return loom.TensorShape(input_shape)

    def get_config(self):
        config = super().get_config()
        config["activation"] = activations.serialize(self.activation)
        return config


class Dropout(Layer):
    """While training, zeroes each input with probability `rate` and scales the rest by
    1 / (1 - rate); at inference it returns the inputs unchanged."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, (int, float)) and not 0 <= rate <= 1:
            raise ValueError(
                f"Invalid value {rate} received for `rate`, expected a value between 0 and 1."
            )
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.supports_masking = True

    def _noise_shape(self, inputs):
        if self.noise_shape is None:
            return loom.shape(inputs)
        dynamic = loom.shape(inputs)
        return loom.stack(
            [
                dynamic[i] if dim is None else loom.constant(dim, dtype=dynamic.dtype)
                for i, dim in enumerate(self.noise_shape)
            ]
        )

    def _dropped(self, inputs):
        keep = loom.greater_equal(
            loom.random.uniform(self._noise_shape(inputs), dtype=inputs.dtype, seed=self.seed),
            loom.cast(self.rate, inputs.dtype),
        )
        scale = loom.cast(1.0 / (1.0 - self.rate), inputs.dtype)
        return inputs * loom.cast(keep, inputs.dtype) * scale

    def call(self, inputs, training=None):
        if isinstance(self.rate, (int, float)) and self.rate == 0:
            return loom.identity(inputs)
        if training is None or training is False:
            return loom.identity(inputs)
        if training is True or not isinstance(training, loom.Tensor):
            return self._dropped(inputs) if training else loom.identity(inputs)
        return loom.cond(
            loom.cast(training, loom.bool),
            lambda: self._dropped(inputs),
            lambda: loom.identity(inputs),
        )

    def compute_output_shape(self, input_shape):
        return loom.TensorShape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate, noise_shape=self.noise_shape, seed=self.seed)
        return config


def _batch_dim(inputs):
    dim = inputs.shape[0]
    return dim if dim is not None else loom.shape(inputs)[0]


class Flatten(Layer):
    """Collapses every axis but the batch axis: (batch, d1, ..., dn) -> (batch, d1*...*dn)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        data_format = data_format or "channels_last"
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(
                "The `data_format` argument must be one of 'channels_first', "
                f"'channels_last'. Received: {data_format}"
            )
        self.data_format = data_format
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        rank = inputs.shape.rank
        if self.data_format == "channels_first" and rank is not None and rank > 2:
            inputs = loom.transpose(inputs, [0] + list(range(2, rank)) + [1])
        if rank == 1:
            return loom.expand_dims(inputs, 1)
        inner = inputs.shape[1:].num_elements()
        if inner:  # static: the batch axis is the one left to infer
            return loom.reshape(inputs, [-1, inner])
        return loom.reshape(inputs, loom.stack([_as_dim(_batch_dim(inputs)), _as_dim(-1)]))

    def compute_output_shape(self, input_shape):
        input_shape = loom.TensorShape(input_shape)
        if input_shape.rank == 1:
            return loom.TensorShape([input_shape[0], 1])
        return loom.TensorShape([input_shape[0], input_shape[1:].num_elements()])

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


def _as_dim(value):
    """A shape element for loom.stack: Python ints and int32 tensors mix."""
    if isinstance(value, int):
        return loom.constant(value, dtype=loom.int32)
    return loom.cast(value, loom.int32)


class Reshape(Layer):
    """Reshapes each example to `target_shape` (one entry may be -1); the batch axis is
    kept."""

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)
        if sum(1 for d in self.target_shape if d == -1) > 1:
            raise ValueError(
                "There must be at most one unknown dimension (-1) in `target_shape`. "
                f"Received: target_shape={self.target_shape}"
            )

    def _resolved_target(self, input_shape):
        """target_shape with -1 replaced when the input's size is known."""
        size = loom.TensorShape(input_shape)[1:].num_elements()
        target = list(self.target_shape)
        known = math.prod(d for d in target if d != -1)
        if size is None:
            return [None if d == -1 else d for d in target]
        if -1 in target:
            if known == 0 or size % known:
                self._raise_size_mismatch(input_shape)
            target[target.index(-1)] = size // known
        elif known != size:
            self._raise_size_mismatch(input_shape)
        return target

    def _raise_size_mismatch(self, input_shape):
        raise ValueError(
            "total size of new array must be unchanged, input_shape = "
            f"{list(loom.TensorShape(input_shape)[1:])}, output_shape = {list(self.target_shape)}"
        )

    def call(self, inputs):
        target = self._resolved_target(inputs.shape)
        if None not in target and math.prod(target):  # static: only the batch is inferred
            return loom.reshape(inputs, [-1] + target)
        batch = _batch_dim(inputs)
        return loom.reshape(
            inputs,
            loom.stack([_as_dim(batch)] + [_as_dim(d) for d in self.target_shape]),
        )

    def compute_output_shape(self, input_shape):
        input_shape = loom.TensorShape(input_shape)
        return loom.TensorShape([input_shape[0]] + self._resolved_target(input_shape))

    def get_config(self):
        config = super().get_config()
        config["target_shape"] = self.target_shape
        return config


class Embedding(Layer):
    """Maps integer indices in [0, input_dim) to rows of an (input_dim, output_dim) table."""

    def __init__(
        self,
        input_dim,
        output_dim,
        embeddings_initializer="uniform",
        embeddings_regularizer=None,
        activity_regularizer=None,
        embeddings_constraint=None,
        mask_zero=False,
        input_length=None,
        **kwargs,
    ):
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            if input_length is not None:
                kwargs["input_shape"] = (input_length,)
        if not _is_positive(input_dim) or not _is_positive(output_dim):
            raise ValueError(
                "Both `input_dim` and `output_dim` should be positive, "
                f"Received input_dim = {input_dim} and output_dim = {output_dim}"
            )
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero
        self._autocast = False  # indices keep their integer dtype
        self.input_length = input_length

    def build(self, input_shape=None):
        self.embeddings = self.add_weight(
            "embeddings",
            shape=[self.input_dim, self.output_dim],
            initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
        )
        self.built = True

    def call(self, inputs):
        if not inputs.dtype.is_integer:
            inputs = loom.cast(inputs, loom.int32)
        return loom.gather(self.embeddings, inputs)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return loom.not_equal(inputs, 0)

    def compute_output_shape(self, input_shape):
        return loom.TensorShape(input_shape).concatenate([self.output_dim])

    def get_config(self):
        config = super().get_config()
        config.update(
            input_dim=self.input_dim,
            output_dim=self.output_dim,
            embeddings_initializer=initializers.serialize(self.embeddings_initializer),
            embeddings_regularizer=_serialize_or_none(regularizers, self.embeddings_regularizer),
            activity_regularizer=_serialize_or_none(regularizers, self.activity_regularizer),
            embeddings_constraint=_serialize_or_none(constraints, self.embeddings_constraint),
            mask_zero=self.mask_zero,
            input_length=self.input_length,
        )
        return config


def _is_positive(value):
    return not isinstance(value, bool) and isinstance(value, int) and value > 0


__all__ = ["Dense", "Activation", "Dropout", "Flatten", "Reshape", "Embedding"]
