"""Masking: marks time steps whose features all equal `mask_value` as padding, so
mask-aware layers downstream (RNNs, pooling) skip them."""

from loom.keras.engine import keras_mask
from loom.keras.engine.base_layer import Layer
from loom.ops import array_ops, logic_ops, math_ops, reduce_ops
from loom.ops.constant_op import convert_to_tensor

__all__ = ["Masking"]


class Masking(Layer):
    """Zeroes padded steps and attaches a (batch, time) boolean mask to the output."""

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def _step_mask(self, inputs):
        return reduce_ops.reduce_any(
            logic_ops.not_equal(inputs, math_ops.cast(self.mask_value, inputs.dtype)), axis=-1
        )

    def compute_mask(self, inputs, mask=None):
        return self._step_mask(convert_to_tensor(inputs))

    def call(self, inputs):
        inputs = convert_to_tensor(inputs)
        step_mask = self._step_mask(inputs)
        keep = math_ops.cast(array_ops.expand_dims(step_mask, -1), inputs.dtype)
        outputs = inputs * keep
        keras_mask.set_mask(outputs, step_mask)
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config
