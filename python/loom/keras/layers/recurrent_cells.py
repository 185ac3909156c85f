"""One time step of a recurrent network: SimpleRNNCell, LSTMCell and GRUCell (Keras'
weight layouts, gate orders and default initializers)."""

from loom import _C
from loom.keras import activations, constraints, initializers, regularizers
from loom.keras.engine.base_layer import Layer
from loom.keras.layers._serialization import serialize as _ser
from loom.ops import array_ops, control_flow_ops, linalg_ops, math_ops, random_ops
from loom.ops.constant_op import convert_to_tensor
from loom.tensor_shape import TensorShape

__all__ = ["GRUCell", "LSTMCell", "SimpleRNNCell"]


def _dropout_mask(like, rate):
    """A mask shaped like `like`: 0 with probability `rate`, else 1 / (1 - rate)."""
    if rate >= 1.0:
        return array_ops.zeros_like(like)
    keep = math_ops.cast(
        random_ops.uniform(array_ops.shape(like), dtype=like.dtype) >= rate, like.dtype
    )
    return keep / (1.0 - rate)


def _training_mask(like, rate, training):
    """A dropout mask when training (a bool, or a tensor decided when the graph runs)."""
    if rate == 0 or training is None or training is False:
        return None
    if _C.is_tracing() and isinstance(training, _C.Tensor):
        return control_flow_ops.cond(
            training, lambda: _dropout_mask(like, rate), lambda: array_ops.ones_like(like)
        )
    return _dropout_mask(like, rate) if bool(training) else None


def _clip_rate(value):
    """Keras clips dropout rates into [0, 1] rather than rejecting them."""
    return min(1.0, max(0.0, float(value)))


class _RNNCell(Layer):
    """Weights and dropout shared by the cells; subclasses define build and `_step`."""

    def __init__(
        self,
        units,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(units, int) or units <= 0:
            raise ValueError(
                f"Received an invalid value for argument `units`, expected a positive "
                f"integer, got {units}."
            )
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = _clip_rate(dropout)
        self.recurrent_dropout = _clip_rate(recurrent_dropout)
        # Masks fixed for a whole sequence by the RNN layer; None makes fresh ones per call.
        self._sequence_masks = None

    @property
    def output_size(self):
        return self.units

    def _input_dim(self, input_shape):
        input_shape = TensorShape(input_shape)
        if input_shape.rank is None or input_shape[-1] is None:
            raise ValueError(
                f"The last dimension of the inputs to {type(self).__name__} should be "
                f"defined. Found input shape {input_shape}."
            )
        return input_shape[-1]

    def _weights(self, input_dim, gates):
        """kernel (input_dim, gates*units) and recurrent_kernel (units, gates*units)."""
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_dim, gates * self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            dtype=self.dtype,
        )
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel",
            shape=(self.units, gates * self.units),
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
            dtype=self.dtype,
        )

    def _bias(self, shape, initializer):
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=shape,
                initializer=initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                dtype=self.dtype,
            )

    def dropout_masks(self, inputs, state, training):
        """(input mask or None, state mask or None) for one sequence or one call."""
        return (
            _training_mask(inputs, self.dropout, training),
            _training_mask(state, self.recurrent_dropout, training),
        )

    def call(self, inputs, states, training=None):
        inputs = convert_to_tensor(inputs)
        nested = isinstance(states, (list, tuple))
        state_list = list(states) if nested else [states]
        state_list = [convert_to_tensor(s) for s in state_list]
        masks = self._sequence_masks
        if masks is None:
            masks = self.dropout_masks(inputs, state_list[0], training)
        output, new_states = self._step(inputs, state_list, *masks)
        if not nested and len(new_states) == 1:
            return output, new_states[0]
        return output, new_states

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        """Zero states (batch_size, size) for each entry of state_size."""
        sizes = self.state_size if isinstance(self.state_size, (list, tuple)) else [self.state_size]
        dtype = dtype or (inputs.dtype if inputs is not None else self.dtype or "float32")
        if batch_size is None:
            batch_size = array_ops.shape(inputs)[0]
        states = [
            array_ops.reshape(array_ops.zeros(array_ops.stack([batch_size, n]), dtype), [-1, n])
            for n in sizes
        ]
        return states if isinstance(self.state_size, (list, tuple)) else states[0]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "units": self.units,
                "activation": _ser(activations, self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": _ser(initializers, self.kernel_initializer),
                "recurrent_initializer": _ser(initializers, self.recurrent_initializer),
                "bias_initializer": _ser(initializers, self.bias_initializer),
                "kernel_regularizer": _ser(regularizers, self.kernel_regularizer),
                "recurrent_regularizer": _ser(regularizers, self.recurrent_regularizer),
                "bias_regularizer": _ser(regularizers, self.bias_regularizer),
                "kernel_constraint": _ser(constraints, self.kernel_constraint),
                "recurrent_constraint": _ser(constraints, self.recurrent_constraint),
                "bias_constraint": _ser(constraints, self.bias_constraint),
                "dropout": self.dropout,
                "recurrent_dropout": self.recurrent_dropout,
            }
        )
        return config


def _masked(value, mask):
    return value if mask is None else value * mask


class SimpleRNNCell(_RNNCell):
    """h = activation(x @ kernel + h_prev @ recurrent_kernel + bias)."""

    @property
    def state_size(self):
        return self.units

    def build(self, input_shape):
        self._weights(self._input_dim(input_shape), 1)
        self._bias((self.units,), self.bias_initializer)
        self.built = True

    def _step(self, inputs, states, input_mask, state_mask):
        h = linalg_ops.matmul(_masked(inputs, input_mask), self.kernel)
        if self.bias is not None:
            h = h + self.bias
        h = h + linalg_ops.matmul(_masked(states[0], state_mask), self.recurrent_kernel)
        if self.activation is not None:
            h = self.activation(h)
        return h, [h]


class LSTMCell(_RNNCell):
    """Gates i, f, c, o (Keras' order) from one (input_dim, 4*units) kernel; states [h, c]."""

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        unit_forget_bias=True,
        **kwargs,
    ):
        kwargs.pop("implementation", None)  # one fused matmul per step either way
        super().__init__(
            units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            **kwargs,
        )
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias

    @property
    def state_size(self):
        return [self.units, self.units]

    def build(self, input_shape):
        self._weights(self._input_dim(input_shape), 4)
        initializer = self.bias_initializer
        if self.unit_forget_bias:
            units, base = self.units, self.bias_initializer

            # The forget gate's bias starts at one so early training keeps the cell state.
            def initializer(shape, dtype=None, **kwargs):
                return array_ops.concat(
                    [
                        base((units,), dtype=dtype),
                        array_ops.ones((units,), dtype=dtype or "float32"),
                        base((2 * units,), dtype=dtype),
                    ],
                    0,
                )

        self._bias((4 * self.units,), initializer)
        self.built = True

    def _step(self, inputs, states, input_mask, state_mask):
        h_prev, c_prev = states[0], states[1]
        z = linalg_ops.matmul(_masked(inputs, input_mask), self.kernel)
        z = z + linalg_ops.matmul(_masked(h_prev, state_mask), self.recurrent_kernel)
        if self.bias is not None:
            z = z + self.bias
        z_i, z_f, z_c, z_o = array_ops.split(z, 4, axis=-1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c_prev + i * self.activation(z_c)
        o = self.recurrent_activation(z_o)
        h = o * self.activation(c)
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "recurrent_activation": _ser(activations, self.recurrent_activation),
                "unit_forget_bias": self.unit_forget_bias,
            }
        )
        return config


class GRUCell(_RNNCell):
    """Gates z, r, h (Keras' order). reset_after=True (the default) applies the reset gate
    after the recurrent matmul and keeps separate input and recurrent biases (2, 3*units)."""

    def __init__(
        self,
        units,
        activation="tanh",
        recurrent_activation="sigmoid",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        reset_after=True,
        **kwargs,
    ):
        kwargs.pop("implementation", None)
        super().__init__(
            units,
            activation=activation,
            use_bias=use_bias,
            kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer,
            **kwargs,
        )
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = reset_after

    @property
    def state_size(self):
        return self.units

    def build(self, input_shape):
        self._weights(self._input_dim(input_shape), 3)
        shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        self._bias(shape, self.bias_initializer)
        self.built = True

    def _step(self, inputs, states, input_mask, state_mask):
        h_prev = states[0]
        x = linalg_ops.matmul(_masked(inputs, input_mask), self.kernel)
        h_in = _masked(h_prev, state_mask)
        input_bias = recurrent_bias = None
        if self.bias is not None:
            if self.reset_after:
                input_bias, recurrent_bias = array_ops.unstack(convert_to_tensor(self.bias))
            else:
                input_bias = self.bias
        if input_bias is not None:
            x = x + input_bias
        x_z, x_r, x_h = array_ops.split(x, 3, axis=-1)
        units = self.units
        if self.reset_after:
            inner = linalg_ops.matmul(h_in, self.recurrent_kernel)
            if recurrent_bias is not None:
                inner = inner + recurrent_bias
            in_z, in_r, in_h = array_ops.split(inner, 3, axis=-1)
            z = self.recurrent_activation(x_z + in_z)
            r = self.recurrent_activation(x_r + in_r)
            candidate = self.activation(x_h + r * in_h)
        else:
            kernel = convert_to_tensor(self.recurrent_kernel)
            in_zr = linalg_ops.matmul(h_in, kernel[:, : 2 * units])
            in_z, in_r = array_ops.split(in_zr, 2, axis=-1)
            z = self.recurrent_activation(x_z + in_z)
            r = self.recurrent_activation(x_r + in_r)
            candidate = self.activation(x_h + linalg_ops.matmul(r * h_in, kernel[:, 2 * units :]))
        h = z * h_prev + (1.0 - z) * candidate
        return h, [h]

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "recurrent_activation": _ser(activations, self.recurrent_activation),
                "reset_after": self.reset_after,
            }
        )
        return config
