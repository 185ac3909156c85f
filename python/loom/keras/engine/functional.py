"""Functional models: Model(inputs, outputs) finds the layer calls (nodes) that lead
from the Input tensors to the outputs and, when called, replays them in order."""

import loom
from loom import _C
from loom.keras.engine import tree
from loom.keras.engine.base_layer import _as_tuples
from loom.keras.engine.keras_tensor import KerasTensor
from loom.keras.engine.model import Model


def _check_keras_tensors(structure, argument):
    for x in tree.flatten(structure):
        if not isinstance(x, KerasTensor):
            raise ValueError(
                f"All `{argument}` values must be KerasTensors (from keras.Input or from "
                f"calling layers on them). Received: {x!r} (of type {type(x).__name__})"
            )


def _nodes_in_order(inputs, outputs):
    """Nodes reachable backwards from `outputs`, each after the nodes it depends on."""
    provided = {id(x) for x in inputs}
    order, done, active = [], set(), set()
    reached_layers = []

    def visit(tensor):
        if id(tensor) in provided:
            return
        node = tensor.node
        if node is None or node.is_input:
            layer_name = node.layer.name if node is not None else "?"
            raise ValueError(
                f"Graph disconnected: cannot obtain value for tensor {tensor!r} at layer "
                f'"{layer_name}". The following previous layers were accessed without '
                f"issue: {reached_layers}"
            )
        if id(node) in done:
            return
        if id(node) in active:
            raise ValueError(f"The graph has a cycle through layer {node.layer.name!r}.")
        active.add(id(node))
        for parent in node.parent_tensors:
            visit(parent)
        active.discard(id(node))
        done.add(id(node))
        order.append(node)
        if node.layer.name not in reached_layers:
            reached_layers.append(node.layer.name)

    for tensor in outputs:
        visit(tensor)
    return order


def init_graph_network(model, inputs, outputs, name=None, trainable=True, **kwargs):
    """Makes `model` a functional model from KerasTensor inputs and outputs."""
    if isinstance(inputs, (list, tuple)) and len(inputs) == 1 and not isinstance(inputs, dict):
        inputs = inputs[0] if isinstance(inputs[0], KerasTensor) else inputs
    _check_keras_tensors(inputs, "inputs")
    _check_keras_tensors(outputs, "outputs")
    from loom.keras.engine.base_layer import Layer

    Layer.__init__(model, name=name or _default_name(model), trainable=trainable, **kwargs)
    flat_inputs, flat_outputs = tree.flatten(inputs), tree.flatten(outputs)
    nodes = _nodes_in_order(flat_inputs, flat_outputs)
    layers = []
    for tensor in flat_inputs:
        if tensor.node is not None and tensor.node.layer not in layers:
            layers.append(tensor.node.layer)
    for node in nodes:
        if all(node.layer is not layer for layer in layers):
            layers.append(node.layer)
    names = [layer.name for layer in layers]
    for layer_name in names:
        if names.count(layer_name) > 1:
            raise ValueError(
                f'The name "{layer_name}" is used {names.count(layer_name)} times in the '
                "model. All layer names should be unique."
            )
    model._is_graph_network = True
    model._nested_inputs, model._nested_outputs = inputs, outputs
    model.inputs, model.outputs = flat_inputs, flat_outputs
    model._graph_nodes = nodes
    model._layers = layers  # tracked: checkpoints reach the weights through it
    model.input_names = [t.node.layer.name for t in flat_inputs]
    model.output_names = [t.node.layer.name for t in flat_outputs]
    model.built = True


def _default_name(model):
    from loom.keras import backend
    from loom.keras.engine.base_layer import default_name_prefix

    class_name = type(model).__name__
    base = "model" if class_name == "Functional" else default_name_prefix(class_name)
    return backend.unique_object_name(base)


def _conform(value, reference):
    """A call's input as the Input it feeds expects: a tensor of the Input's dtype."""
    if not isinstance(value, _C.Tensor):
        value = loom.convert_to_tensor(value)
    if value.dtype != reference.dtype:
        value = loom.cast(value, reference.dtype)
    return value


def _flat_call_inputs(model, inputs):
    nested = model._nested_inputs
    if isinstance(nested, dict) and isinstance(inputs, dict):
        missing = sorted(set(nested) - set(inputs))
        if missing:
            raise ValueError(f'Model "{model.name}" is missing inputs {missing}.')
        return [inputs[k] for k in sorted(nested)]
    flat = tree.flatten(inputs)
    if len(flat) != len(model.inputs):
        raise ValueError(
            f'Layer "{model.name}" expects {len(model.inputs)} input(s), but it received '
            f"{len(flat)} input tensors. Inputs received: {inputs}"
        )
    return flat


def run_graph(model, inputs):
    """Replays the model's nodes on real tensors; returns outputs shaped as declared."""
    values = {}
    for reference, value in zip(model.inputs, _flat_call_inputs(model, inputs)):
        values[id(reference)] = _conform(value, reference)
    for node in model._graph_nodes:
        outputs = node.run(values)
        for reference, value in zip(tree.flatten(node.outputs), tree.flatten(outputs)):
            values[id(reference)] = value
    return tree.pack_like(model._nested_outputs, [values[id(t)] for t in model.outputs])


class Functional(Model):
    """The class of models made by Model(inputs, outputs)."""

    def __init__(self, inputs, outputs, name=None, trainable=True, **kwargs):
        init_graph_network(self, inputs, outputs, name=name, trainable=trainable, **kwargs)

    # A functional model's own Input and output tensors, in the structure it was built
    # with (the Layer versions ask the node of a call on other tensors).
    @property
    def input(self):
        return self._nested_inputs

    @property
    def output(self):
        return self._nested_outputs

    @property
    def input_shape(self):
        return _as_tuples(tree.map_structure(lambda t: t.shape, self._nested_inputs))

    @property
    def output_shape(self):
        return _as_tuples(tree.map_structure(lambda t: t.shape, self._nested_outputs))
