"""get_config/from_config of functional models: each layer's config with the calls
(inbound nodes) that feed it, named as [layer name, node index, tensor index]."""

from loom.keras.engine import tree
from loom.keras.engine.keras_tensor import KerasTensor


def _model_node_indices(model):
    """{id(node): index among the layer's nodes that belong to this model}."""
    indices = {}
    for layer in model.layers:
        nodes = [n for n in layer._inbound_nodes if n in model._graph_nodes or n.is_input]
        for i, node in enumerate(nodes):
            indices[id(node)] = i
    return indices


def _reference(tensor, indices):
    return [tensor.node.layer.name, indices[id(tensor.node)], tensor._index]


def get_config(model):
    indices = _model_node_indices(model)
    layer_configs = []
    for layer in model.layers:
        inbound = []
        for node in layer._inbound_nodes:
            if node not in model._graph_nodes:
                continue
            if len(node.call_args) > 1 or any(
                isinstance(x, KerasTensor) for x in tree.flatten(node.call_kwargs)
            ):
                raise NotImplementedError(
                    f"Layer {layer.name!r} is called with more than one tensor argument; "
                    "its model cannot be described by get_config()."
                )
            args = tree.flatten(node.call_args[0])
            inbound.append([_reference(t, indices) + [dict(node.call_kwargs)] for t in args])
        layer_configs.append(
            {
                "class_name": type(layer).__name__,
                "config": layer.get_config(),
                "name": layer.name,
                "inbound_nodes": inbound,
            }
        )
    return {
        "name": model.name,
        "layers": layer_configs,
        "input_layers": [_reference(t, indices) for t in model.inputs],
        "output_layers": [_reference(t, indices) for t in model.outputs],
    }


def from_config(config, custom_objects=None):
    """A new functional model (new weights) with the layers and calls in `config`."""
    from loom.keras import layers as layers_module
    from loom.keras.engine.functional import Functional

    created = {}  # layer name -> layer
    outputs_of = {}  # layer name -> [outputs of its node 0, node 1, ...]
    for layer_config in config["layers"]:
        layer = layers_module.deserialize(
            {"class_name": layer_config["class_name"], "config": layer_config["config"]},
            custom_objects,
        )
        created[layer_config["name"]] = layer
        if getattr(layer, "_is_input_layer", False):
            outputs_of[layer_config["name"]] = [layer._output]

    def tensor(reference):
        name, node_index, tensor_index = reference[:3]
        return tree.flatten(outputs_of[name][node_index])[tensor_index]

    pending = [c for c in config["layers"] if c["inbound_nodes"]]
    while pending:
        progressed = False
        for layer_config in list(pending):
            name = layer_config["name"]
            done = len(outputs_of.get(name, []))
            for node in layer_config["inbound_nodes"][done:]:
                try:
                    args = [tensor(ref) for ref in node]
                except (KeyError, IndexError):
                    break  # an input is not computed yet
                kwargs = node[0][3] if node and len(node[0]) > 3 else {}
                result = created[name](args[0] if len(args) == 1 else args, **kwargs)
                outputs_of.setdefault(name, []).append(result)
                progressed = True
            if len(outputs_of.get(name, [])) == len(layer_config["inbound_nodes"]):
                pending.remove(layer_config)
        if not progressed and pending:
            raise ValueError(
                f"Cannot rebuild the model: layers {[c['name'] for c in pending]} have "
                "inputs that are never computed."
            )
    inputs = [tensor(ref) for ref in config["input_layers"]]
    outputs = [tensor(ref) for ref in config["output_layers"]]
    return Functional(
        inputs[0] if len(inputs) == 1 else inputs,
        outputs[0] if len(outputs) == 1 else outputs,
        name=config.get("name"),
    )
