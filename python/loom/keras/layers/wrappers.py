"""Layer wrappers: TimeDistributed applies a layer to every time step; Bidirectional runs
an RNN forwards and backwards over the sequence and merges the two."""

from loom.keras.engine.base_layer import Layer
from loom.ops import array_ops
from loom.ops.constant_op import convert_to_tensor
from loom.tensor_shape import TensorShape

__all__ = ["Bidirectional", "TimeDistributed", "Wrapper"]

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


def _require_layer(wrapper_name, layer):
    if not isinstance(layer, Layer):
        raise ValueError(
            f"Please initialize `{wrapper_name}` layer with a `tf.keras.layers.Layer` "
            f"instance. Received: {layer}"
        )


def _layer_from_config(layer, **overrides):
    """A fresh, unbuilt layer of the same class and config, with `overrides` applied."""
    config = dict(layer.get_config(), **overrides)
    return type(layer).from_config(config)


def _serialize(layer):
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def _deserialize(config):
    from loom.keras import layers

    return layers.deserialize(config)


class Wrapper(Layer):
    """Base of layers that wrap another layer (`self.layer`)."""

    def __init__(self, layer, **kwargs):
        _require_layer(type(self).__name__, layer)
        super().__init__(**kwargs)
        self.layer = layer

    def get_config(self):
        config = super().get_config()
        config["layer"] = _serialize(self.layer)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["layer"] = _deserialize(config["layer"])
        return cls(**config)


class TimeDistributed(Wrapper):
    """Applies `layer` to each slice along axis 1 of (batch, time, ...) inputs, with the
    same weights for every step."""

    def __init__(self, layer, **kwargs):
        super().__init__(layer, **kwargs)
        self.supports_masking = True

    def _check_rank(self, input_shape):
        input_shape = TensorShape(input_shape)
        if input_shape.rank is None or input_shape.rank < 3:
            raise ValueError(
                "`TimeDistributed` Layer should be passed an `input_shape` with at least 3 "
                f"dimensions, received: {input_shape}"
            )
        return input_shape

    def build(self, input_shape):
        input_shape = self._check_rank(input_shape)
        step_shape = TensorShape([None] + input_shape.as_list()[2:])
        if not self.layer.built:
            self.layer.build(step_shape)
            self.layer._build_input_shape = step_shape
            self.layer.built = True
        self.built = True

    def call(self, inputs, training=None, mask=None):
        inputs = convert_to_tensor(inputs)
        input_shape = self._check_rank(inputs.shape)
        dynamic = array_ops.shape(inputs)
        steps = array_ops.reshape(inputs, array_ops.concat([[-1], dynamic[2:]], 0))
        kwargs = {}
        if "training" in self.layer._call_parameters and training is not None:
            kwargs["training"] = training
        if "mask" in self.layer._call_parameters and mask is not None:
            mask = convert_to_tensor(mask)
            kwargs["mask"] = array_ops.reshape(
                mask, array_ops.concat([[-1], array_ops.shape(mask)[2:]], 0)
            )
        outputs = convert_to_tensor(self.layer(steps, **kwargs))
        time = input_shape[1]
        if time is not None and outputs.shape[1:].is_fully_defined():
            return array_ops.reshape(outputs, [-1, time] + outputs.shape.as_list()[1:])
        outputs_shape = outputs.shape
        outputs = array_ops.reshape(
            outputs, array_ops.concat([dynamic[:2], array_ops.shape(outputs)[1:]], 0)
        )
        if outputs_shape[1:].is_fully_defined():
            # A reshape to a computed shape loses the static step shape; broadcasting
            # against zeros of that shape restores it.
            outputs = outputs + array_ops.zeros(outputs_shape[1:].as_list(), outputs.dtype)
        return outputs

    def compute_mask(self, inputs, mask=None):
        # The time mask still marks the same steps of the output.
        return mask


class Bidirectional(Wrapper):
    """Runs a copy of the RNN `layer` forwards and one backwards (or `backward_layer`)
    and merges their outputs with `merge_mode` ("concat", "sum", "mul", "ave" or None for
    a list of both)."""

    _TF_MODULE_IGNORED_PROPERTIES = Wrapper._TF_MODULE_IGNORED_PROPERTIES | frozenset(("layer",))

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        _require_layer("Bidirectional", layer)
        for attribute in ("go_backwards", "return_sequences", "return_state"):
            if not hasattr(layer, attribute):
                raise ValueError(
                    f"`Bidirectional` needs an RNN layer (with `{attribute}`). Received: {layer}"
                )
        if merge_mode not in _MERGE_MODES:
            raise ValueError(
                f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                '{"sum", "mul", "ave", "concat", None}'
            )
        if backward_layer is not None:
            _require_layer("Bidirectional", backward_layer)
        super().__init__(layer, **kwargs)
        # Both directions are fresh copies, so the wrapped layer's own weights stay unused.
        self.forward_layer = _layer_from_config(layer, name="forward_" + layer.name)
        self._own_backward_layer = backward_layer is not None
        if backward_layer is None:
            self.backward_layer = _layer_from_config(
                layer, name="backward_" + layer.name, go_backwards=not layer.go_backwards
            )
        else:
            self.backward_layer = backward_layer
            self._check_backward_layer()
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.time_major = getattr(layer, "time_major", False)
        self.supports_masking = True
        if weights is not None:
            self._initial_weights = weights

    def _check_backward_layer(self):
        forward, backward = self.forward_layer, self.backward_layer
        if backward.go_backwards == forward.go_backwards:
            raise ValueError(
                "Forward layer and backward layer should have different `go_backwards` "
                f"value. forward_layer.go_backwards = {forward.go_backwards}, "
                f"backward_layer.go_backwards = {backward.go_backwards}"
            )
        for attribute in ("stateful", "return_sequences", "return_state"):
            if getattr(forward, attribute, None) != getattr(backward, attribute, None):
                raise ValueError(
                    "Forward layer and backward layer are expected to have the same value for "
                    f'attribute "{attribute}", got "{getattr(forward, attribute, None)}" for '
                    f'forward layer and "{getattr(backward, attribute, None)}" for backward '
                    "layer"
                )

    def build(self, input_shape):
        for layer in (self.forward_layer, self.backward_layer):
            if not layer.built:
                layer.build(input_shape)
                layer._build_input_shape = input_shape
                layer.built = True
        self.built = True

    def _merge(self, y, y_rev):
        if self.merge_mode == "concat":
            return array_ops.concat([y, y_rev], -1)
        if self.merge_mode == "sum":
            return y + y_rev
        if self.merge_mode == "ave":
            return (y + y_rev) / 2
        if self.merge_mode == "mul":
            return y * y_rev
        return [y, y_rev]

    def call(self, inputs, training=None, mask=None, initial_state=None):
        kwargs = {"mask": mask}
        if training is not None:
            kwargs["training"] = training
        forward_state = backward_state = None
        if initial_state is not None:
            states = list(initial_state)
            half = len(states) // 2
            forward_state, backward_state = states[:half], states[half:]
        y = self.forward_layer(inputs, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(inputs, initial_state=backward_state, **kwargs)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            # The backward layer emits its sequence last step first; put it back in time order.
            y_rev = array_ops.reverse(y_rev, [0 if self.time_major else 1])
        output = self._merge(y, y_rev)
        if not self.return_state:
            return output
        return (output if isinstance(output, list) else [output]) + states

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        output_masks = [output_mask, output_mask] if self.merge_mode is None else [output_mask]
        if self.return_state:
            states = 2 * len(self.forward_layer._state_sizes())
            return output_masks + [None] * states
        return output_masks if self.merge_mode is None else output_mask

    def get_config(self):
        config = super().get_config()
        config["merge_mode"] = self.merge_mode
        if self._own_backward_layer:
            config["backward_layer"] = _serialize(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "backward_layer" in config:
            config["backward_layer"] = _deserialize(config["backward_layer"])
        return super().from_config(config)
