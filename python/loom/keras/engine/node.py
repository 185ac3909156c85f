"""Calling a layer on KerasTensors: the layer is built from their shapes, its call is
traced aside on placeholders to learn the output shapes, and a Node records the call
so a functional Model can run it later on real tensors."""

from loom import _C
from loom.keras.engine import call_context, keras_mask, tree
from loom.keras.engine.keras_tensor import KerasTensor


class Node:
    """One call of `layer`: its arguments (KerasTensors among them) and outputs."""

    def __init__(self, layer, call_args, call_kwargs, outputs):
        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.outputs = outputs
        self.parent_tensors = [
            x for x in tree.flatten([list(call_args), call_kwargs]) if isinstance(x, KerasTensor)
        ]
        for index, tensor in enumerate(tree.flatten(outputs)):
            tensor._node, tensor._index = self, index
        layer._inbound_nodes.append(self)

    @property
    def input_tensors(self):
        return self.call_args[0] if self.call_args else self.outputs

    @property
    def is_input(self):
        return getattr(self.layer, "_is_input_layer", False)

    def run(self, values):
        """Calls the layer with each KerasTensor replaced by values[id(tensor)]."""

        def substitute(x):
            return values[id(x)] if isinstance(x, KerasTensor) else x

        args = tree.map_structure(substitute, list(self.call_args))
        kwargs = tree.map_structure(substitute, dict(self.call_kwargs))
        return self.layer(*args, **kwargs)


def trace_outputs(layer, args, kwargs):
    """The layer's outputs for KerasTensor arguments, as KerasTensors (no node): its
    call runs on placeholders of a scratch graph that is then discarded."""
    tracer = _C.Tracer(f"{layer.name}_shape_probe")
    with tracer, call_context.shape_probe():
        counter = iter(range(1 << 30))

        def placeholder(x):
            if not isinstance(x, KerasTensor):
                return x
            value = tracer.placeholder(x.dtype, x.shape.dims, f"input_{next(counter)}")
            mask = keras_mask.get_mask(x)
            if isinstance(mask, KerasTensor):
                # The probe sees masked inputs as the real call will.
                keras_mask.set_mask(value, placeholder(mask))
            return value

        outputs = layer(
            *tree.map_structure(placeholder, list(args)),
            **tree.map_structure(placeholder, dict(kwargs)),
        )
    return tree.map_structure(_as_keras_tensor, outputs)


def _as_keras_tensor(y):
    """A probe output as a KerasTensor, carrying its mask as one too."""
    if not isinstance(y, _C.Tensor):
        return y
    result = KerasTensor(y.shape, y.dtype)
    mask = keras_mask.get_mask(y)
    if isinstance(mask, _C.Tensor):
        result._keras_mask = KerasTensor(mask.shape, mask.dtype)
    return result


def call_on_keras_tensors(layer, args, kwargs):
    """Layer.__call__ for symbolic inputs: builds, infers outputs, records a Node."""
    layer._maybe_build(args[0])
    outputs = trace_outputs(layer, args, kwargs)
    Node(layer, tuple(args), dict(kwargs), outputs)
    return outputs
