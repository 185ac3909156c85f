"""model.summary(): a Keras-style table of layers, output shapes and parameter counts."""

import numpy as np

from loom.keras.engine import tree


def _count(variables):
    return int(sum(int(np.prod(v.shape.as_list())) for v in variables))


def _shape_text(shapes):
    def one(shape):
        return str(tuple(shape.as_list())) if shape.rank is not None else "?"

    if isinstance(shapes, list):
        return "[" + ", ".join(one(s) for s in shapes) + "]"
    return one(shapes)


def _output_shape(model, layer, known_shapes):
    """The layer's output shape as text, "multiple" when it has several in this model."""
    if id(layer) in known_shapes:
        return known_shapes[id(layer)]
    nodes = [n for n in layer._inbound_nodes if id(n) in model_nodes(model)]
    if len(nodes) != 1:
        return "multiple"
    shapes = [t.shape for t in tree.flatten(nodes[0].outputs)]
    if getattr(layer, "_is_input_layer", False):
        return _shape_text(shapes)  # Keras lists an input's shape: [(None, 4)]
    return _shape_text(shapes[0] if len(shapes) == 1 else shapes)


def model_nodes(model):
    nodes = getattr(model, "_graph_nodes", None) or []
    found = {id(n) for n in nodes}
    for tensor in getattr(model, "inputs", None) or []:
        if tensor.node is not None:
            found.add(id(tensor.node))
    return found


def _connections(model, layer):
    nodes = [n for n in layer._inbound_nodes if id(n) in model_nodes(model)]
    parts = []
    for node in nodes:
        for tensor in node.parent_tensors:
            source, node_index, index = tensor._keras_history
            parts.append(f"{source.name}[{node_index}][{index}]")
    return parts


def _sequential_like(model):
    if type(model).__name__ == "Sequential" or not getattr(model, "_is_graph_network", False):
        return True
    for node in model._graph_nodes:
        if len(node.parent_tensors) > 1 or len(tree.flatten(node.outputs)) > 1:
            return False
    return len(model.inputs) == 1 and len(model.outputs) == 1


def _row(fields, positions, line_length):
    """Fields cut to their columns; each column starts where the previous one ends."""
    line = ""
    for i, (text, end) in enumerate(zip(fields, positions)):
        if i:
            line = line[:-1] + " "
        line += (" " if i == 0 else "") + str(text)
        line = line[:end].ljust(end)
    return line[:line_length]


def print_summary(
    model,
    line_length=None,
    positions=None,
    print_fn=None,
    expand_nested=False,
    show_trainable=False,
):
    if not model.built:
        raise ValueError(
            "This model has not yet been built. Build the model first by calling `build()` "
            "or by calling the model on a batch of data."
        )
    print_fn = print_fn or print
    sequential_like = _sequential_like(model)
    if sequential_like:
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        headers = ["Layer (type)", "Output Shape", "Param #"]
    else:
        line_length = line_length or 98
        positions = positions or [0.33, 0.55, 0.67, 1.0]
        headers = ["Layer (type)", "Output Shape", "Param #", "Connected to"]
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    if show_trainable:
        line_length += 11
        positions = positions + [line_length]
        headers = headers + ["Trainable"]

    known_shapes = getattr(model, "_summary_output_shapes", lambda: {})()
    print_fn(f'Model: "{model.name}"')
    print_fn("_" * line_length)
    print_fn(_row(headers, positions, line_length))
    print_fn("=" * line_length)
    layers = model.layers
    for layer in layers:
        name = f"{layer.name} ({type(layer).__name__})"
        params = layer.count_params() if layer.built else 0
        fields = [name, _output_shape(model, layer, known_shapes), params]
        connections = [] if sequential_like else _connections(model, layer)
        if not sequential_like:
            fields.append(connections[0] if connections else "")
        if show_trainable:
            fields.append("Y" if layer.trainable else "N")
        print_fn(_row(fields, positions, line_length))
        for extra in connections[1:]:
            print_fn(_row(["", "", "", extra], positions, line_length))
        print_fn(" " * line_length)
    print_fn("=" * line_length)
    trainable = _count(model.trainable_weights)
    non_trainable = _count(model.non_trainable_weights)
    print_fn(f"Total params: {trainable + non_trainable:,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {non_trainable:,}")
    print_fn("_" * line_length)
