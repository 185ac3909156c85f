"""Input() and InputLayer: the entry points of a functional graph. Input returns a
KerasTensor of shape (batch_size,) + shape whose node is the InputLayer's."""

import loom
from loom.keras import backend
from loom.keras.engine.base_layer import Layer
from loom.keras.engine.keras_tensor import KerasTensor
from loom.keras.engine.node import Node


class InputLayer(Layer):
    _is_input_layer = True

    def __init__(
        self,
        input_shape=None,
        batch_size=None,
        dtype=None,
        input_tensor=None,
        sparse=None,
        name=None,
        ragged=None,
        type_spec=None,
        batch_input_shape=None,
        **kwargs,
    ):
        if sparse or ragged:
            raise ValueError("Sparse and ragged inputs are not supported by loom.keras.")
        if name is None:
            name = f"input_{backend.get_uid('input')}"
        if input_tensor is not None:
            batch_input_shape = tuple(input_tensor.shape.as_list())
            dtype = dtype or input_tensor.dtype.name
        elif batch_input_shape is None:
            if input_shape is None:
                raise ValueError("An InputLayer needs `input_shape` or `batch_input_shape`.")
            if isinstance(input_shape, int):
                input_shape = (input_shape,)
            batch_input_shape = (batch_size,) + tuple(input_shape)
        dtype = loom.as_dtype(getattr(dtype, "name", dtype) or backend.floatx()).name
        super().__init__(name=name, dtype=dtype, **kwargs)
        self._batch_input_shape = tuple(batch_input_shape)
        self.built = True
        if isinstance(input_tensor, KerasTensor):
            self._output = input_tensor
            Node(self, (), {}, input_tensor)
        else:
            self._output = KerasTensor(self._batch_input_shape, dtype, name=name)
            Node(self, (), {}, self._output)

    def get_config(self):
        return {
            "batch_input_shape": self._batch_input_shape,
            "dtype": self._dtype,
            "sparse": False,
            "ragged": False,
            "name": self.name,
        }


def Input(  # noqa: N802 - a function named as Keras names it
    shape=None,
    batch_size=None,
    name=None,
    dtype=None,
    sparse=None,
    tensor=None,
    ragged=None,
    type_spec=None,
    batch_shape=None,
    **kwargs,
):
    """A symbolic input: KerasTensor of shape (batch_size,) + shape."""
    if shape is None and batch_shape is None and tensor is None:
        raise ValueError(
            "Please provide to Input a `shape` or a `tensor` or a `type_spec` argument. "
            "Note that `shape` does not include the batch dimension."
        )
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {list(kwargs)}")
    layer = InputLayer(
        input_shape=shape,
        batch_size=batch_size,
        name=name,
        dtype=dtype,
        sparse=sparse,
        ragged=ragged,
        input_tensor=tensor,
        batch_input_shape=batch_shape,
    )
    return layer._output
