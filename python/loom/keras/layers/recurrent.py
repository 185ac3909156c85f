"""Recurrent layers: RNN runs a cell over the time axis in a graph loop (tf.while_loop, not
unrolled), so one traced step serves any sequence length and batch size; SimpleRNN, LSTM
and GRU are RNN over their cells."""

from loom.keras.engine.base_layer import Layer
from loom.keras.layers.recurrent_cells import GRUCell, LSTMCell, SimpleRNNCell
from loom.ops import array_index_ops, array_ops, control_flow_ops, logic_ops, math_ops
from loom.ops.constant_op import convert_to_tensor
from loom.tensor_shape import TensorShape

__all__ = ["GRU", "LSTM", "RNN", "SimpleRNN"]


def _as_list(value):
    return list(value) if isinstance(value, (list, tuple)) else [value]


class RNN(Layer):
    """Applies `cell` to each time step of (batch, time, features) inputs."""

    def __init__(
        self,
        cell,
        return_sequences=False,
        return_state=False,
        go_backwards=False,
        stateful=False,
        unroll=False,
        time_major=False,
        zero_output_for_mask=False,
        **kwargs,
    ):
        if isinstance(cell, (list, tuple)):
            raise ValueError(
                "RNN(): a list of cells (StackedRNNCells) is not supported; stack RNN layers "
                "instead."
            )
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError(
                "Argument `cell` should have a `call` method and a `state_size` attribute. "
                f"Received: cell={cell}"
            )
        if stateful:
            raise NotImplementedError(
                f"{type(self).__name__}: stateful=True is not supported (states are not kept "
                "between batches); pass initial_state and use return_state instead."
            )
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        # The loop is the same computation as an unrolled one, so unroll only records intent.
        self.unroll = unroll
        self.time_major = time_major
        self.zero_output_for_mask = zero_output_for_mask
        self.supports_masking = True

    def _state_sizes(self):
        return _as_list(self.cell.state_size)

    def _output_size(self):
        size = getattr(self.cell, "output_size", None)
        return size if size is not None else self._state_sizes()[0]

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        if input_shape.rank != 3:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"ndim=3, found ndim={input_shape.rank}. Full shape received: {input_shape}"
            )
        batch = input_shape[1] if self.time_major else input_shape[0]
        step_shape = TensorShape([batch, input_shape[2]])
        if isinstance(self.cell, Layer) and not self.cell.built:
            self.cell.build(step_shape)
            self.cell.built = True
        self.built = True

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        batch, time = (
            (input_shape[1], input_shape[0])
            if self.time_major
            else (input_shape[0], input_shape[1])
        )
        out = self._output_size()
        if self.return_sequences:
            dims = [time, batch, out] if self.time_major else [batch, time, out]
            output_shape = TensorShape(dims)
        else:
            output_shape = TensorShape([batch, out])
        if not self.return_state:
            return output_shape
        return [output_shape] + [TensorShape([batch, n]) for n in self._state_sizes()]

    def compute_mask(self, inputs, mask=None):
        """The time mask goes on with the sequence output; states and a last output
        have no time axis, hence no mask."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self._state_sizes())
        return output_mask

    def _initial_states(self, initial_state, steps):
        """The cell's starting states, with static shapes (batch, size)."""
        sizes = self._state_sizes()
        if initial_state is None:
            # zeros_like of one step's first feature keeps the batch dim, known or not.
            zero = array_ops.zeros_like(steps[0, :, :1])
            return [zero + array_ops.zeros([n], steps.dtype) for n in sizes]
        states = [convert_to_tensor(s) for s in _as_list(initial_state)]
        if len(states) != len(sizes):
            raise ValueError(
                f"An `initial_state` was passed that is not compatible with "
                f"`cell.state_size`. Layer {self.name!r} expects {len(sizes)} initial "
                f"state(s) of sizes {sizes}, but received {len(states)} state(s)."
            )
        for i, (state, n) in enumerate(zip(states, sizes)):
            if state.shape.rank != 2 or state.shape[-1] not in (None, n):
                raise ValueError(
                    f"Layer {self.name!r}: initial state {i} has shape {state.shape}; "
                    f"expected (batch_size, {n})."
                )
        return states

    def call(self, inputs, mask=None, training=None, initial_state=None):
        inputs = convert_to_tensor(inputs)
        if inputs.shape.rank != 3:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"ndim=3, found ndim={inputs.shape.rank}. Full shape received: {inputs.shape}"
            )
        steps = inputs if self.time_major else array_ops.transpose(inputs, [1, 0, 2])
        if mask is not None:
            mask = math_ops.cast(convert_to_tensor(mask), "bool")
            mask = mask if self.time_major else array_ops.transpose(mask, [1, 0])
        if self.go_backwards:
            steps = array_ops.reverse(steps, [0])
            mask = None if mask is None else array_ops.reverse(mask, [0])
        states = self._initial_states(initial_state, steps)
        outputs, states = self._loop(steps, states, mask, training)
        if self.return_sequences and not self.time_major:
            outputs = array_ops.transpose(outputs, [1, 0, 2])
        if self.return_state:
            return [outputs] + states
        return outputs

    def _loop(self, steps, states, mask, training):
        """(outputs, final states): outputs is the (time, batch, out) sequence when
        return_sequences, else the last output."""
        cell = self.cell
        out_size = self._output_size()
        num_steps = steps.shape[0]
        if num_steps is None:
            num_steps = array_ops.shape(steps)[0]
        # zeros_like of a slice keeps the (possibly unknown) batch dim in the static shape.
        last_output = array_ops.zeros_like(steps[0, :, :1]) + array_ops.zeros(
            [out_size], steps.dtype
        )
        sequence = []
        if self.return_sequences:
            zeros = array_ops.zeros_like(steps[:, :, :1])
            sequence = [zeros + array_ops.zeros([out_size], steps.dtype)]

        def step(t, prev_output, current, sequence):
            x_t = array_index_ops.gather(steps, t)
            # Through __call__, so a custom cell's call gets `training` only if it takes it;
            # states go in as a list, as Keras passes them.
            output, new_states = cell(x_t, list(current), training=training)
            new_states = _as_list(new_states)
            seq_output = output
            if mask is not None:
                # Masked steps keep the previous states and output.
                keep = array_ops.expand_dims(array_index_ops.gather(mask, t), -1)
                new_states = [logic_ops.where(keep, n, o) for n, o in zip(new_states, current)]
                fill = array_ops.zeros_like(output) if self.zero_output_for_mask else prev_output
                seq_output = logic_ops.where(keep, output, fill)
                output = logic_ops.where(keep, output, prev_output)
            if sequence:
                sequence = [
                    array_index_ops.tensor_scatter_nd_update(
                        sequence[0],
                        array_ops.reshape(t, [1, 1]),
                        array_ops.expand_dims(seq_output, 0),
                    )
                ]
            return t + 1, output, new_states, sequence

        previous = getattr(cell, "_sequence_masks", None)
        if hasattr(cell, "dropout_masks"):
            # One dropout mask per sequence, shared by every step (as Keras does).
            cell._sequence_masks = cell.dropout_masks(steps[0], states[0], training)
        try:
            _, last_output, states, sequence = control_flow_ops.while_loop(
                lambda t, *rest: t < num_steps,
                step,
                (0, last_output, list(states), sequence),
            )
        finally:
            if hasattr(cell, "dropout_masks"):
                cell._sequence_masks = previous
        return (sequence[0] if sequence else last_output), list(states)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "return_sequences": self.return_sequences,
                "return_state": self.return_state,
                "go_backwards": self.go_backwards,
                "stateful": self.stateful,
                "unroll": self.unroll,
                "time_major": self.time_major,
            }
        )
        if type(self) is RNN:
            config["cell"] = {
                "class_name": type(self.cell).__name__,
                "config": self.cell.get_config(),
            }
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if cls is RNN:
            cell_config = config.pop("cell")
            cells = {c.__name__: c for c in (SimpleRNNCell, LSTMCell, GRUCell)}
            config["cell"] = cells[cell_config["class_name"]].from_config(cell_config["config"])
        return cls(**config)


class _CellRNN(RNN):
    """An RNN that builds its own cell from the layer's arguments (SimpleRNN, LSTM, GRU)."""

    _cell_class = None
    _RNN_ARGS = (
        "return_sequences",
        "return_state",
        "go_backwards",
        "stateful",
        "unroll",
        "time_major",
        "zero_output_for_mask",
    )
    _LAYER_ARGS = ("name", "trainable", "dtype", "activity_regularizer", "input_shape")

    def __init__(self, units, **kwargs):
        rnn_kwargs = {k: kwargs.pop(k) for k in self._RNN_ARGS if k in kwargs}
        layer_kwargs = {k: kwargs.pop(k) for k in self._LAYER_ARGS if k in kwargs}
        cell = self._cell_class(
            units,
            dtype=layer_kwargs.get("dtype"),
            trainable=layer_kwargs.get("trainable", True),
            **kwargs,
        )
        super().__init__(cell, **rnn_kwargs, **layer_kwargs)

    def get_config(self):
        config = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            config.pop(key, None)
        config.update(super().get_config())
        return config


def _forward_to_cell(name):
    return property(lambda self: getattr(self.cell, name), doc=f"The cell's `{name}`.")


for _name in (
    "units",
    "activation",
    "use_bias",
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
    "kernel_regularizer",
    "recurrent_regularizer",
    "bias_regularizer",
    "kernel_constraint",
    "recurrent_constraint",
    "bias_constraint",
    "dropout",
    "recurrent_dropout",
):
    setattr(_CellRNN, _name, _forward_to_cell(_name))


class SimpleRNN(_CellRNN):
    """Fully connected RNN whose output is fed back: SimpleRNNCell over the time axis."""

    _cell_class = SimpleRNNCell

    def __init__(self, units, activation="tanh", **kwargs):
        super().__init__(units, activation=activation, **kwargs)


class LSTM(_CellRNN):
    """Long short-term memory: LSTMCell over the time axis; states [h, c]."""

    _cell_class = LSTMCell

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", **kwargs):
        super().__init__(
            units, activation=activation, recurrent_activation=recurrent_activation, **kwargs
        )

    recurrent_activation = _forward_to_cell("recurrent_activation")
    unit_forget_bias = _forward_to_cell("unit_forget_bias")


class GRU(_CellRNN):
    """Gated recurrent unit: GRUCell over the time axis (reset_after=True by default)."""

    _cell_class = GRUCell

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", **kwargs):
        super().__init__(
            units, activation=activation, recurrent_activation=recurrent_activation, **kwargs
        )

    recurrent_activation = _forward_to_cell("recurrent_activation")
    reset_after = _forward_to_cell("reset_after")
