"""Read-only Python views of a traced graph: FuncGraph, Operation and graph tensors,
shaped like TF's (get_operations(), .name, .type, .inputs, .outputs, as_graph_def())."""

from loom import _C
from loom.tensor_shape import TensorShape


class GraphTensor:
    """A value of a traced graph (`op.outputs[i]`): name, dtype and static shape."""

    __slots__ = ("_graph", "_op_name", "_index", "dtype", "_shape")

    def __init__(self, graph, op_name, index, dtype, shape):
        self._graph, self._op_name, self._index = graph, op_name, index
        self.dtype, self._shape = dtype, shape

    name = property(lambda self: f"{self._op_name}:{self._index}")
    shape = property(lambda self: TensorShape(self._shape))
    op = property(lambda self: self._graph.get_operation_by_name(self._op_name))
    value_index = property(lambda self: self._index)
    graph = property(lambda self: self._graph)

    def __repr__(self):
        return f'Tensor("{self.name}", shape={self.shape}, dtype={self.dtype.name})'


class Operation:
    __slots__ = (
        "_graph",
        "name",
        "type",
        "_input_names",
        "outputs",
        "source",
        "control_inputs_names",
        "_attrs",
    )

    def __init__(self, graph, name, op_type, inputs, outputs, source, controls, attrs):
        self._graph, self.name, self.type = graph, name, op_type
        self._input_names = inputs
        self.outputs = [GraphTensor(graph, name, i, d, s) for i, (d, s) in enumerate(outputs)]
        self.source, self.control_inputs_names, self._attrs = source, controls, attrs

    @property
    def inputs(self):
        return [self._graph.get_tensor_by_name(n) for n in self._input_names]

    @property
    def control_inputs(self):
        return [self._graph.get_operation_by_name(n) for n in self.control_inputs_names]

    node_def = property(lambda self: _NodeDef(self))

    def get_attr(self, name):
        return self._attrs[name]

    def __repr__(self):
        return f"<Operation '{self.name}' type={self.type}>"


class _NodeDef:
    __slots__ = ("name", "op", "input", "attr")

    def __init__(self, op):
        self.name, self.op = op.name, op.type
        self.input = list(op._input_names) + [f"^{c}" for c in op.control_inputs_names]
        self.attr = dict(op._attrs)


class _GraphDef:
    __slots__ = ("node",)

    def __init__(self, ops):
        self.node = [op.node_def for op in ops]

    def __str__(self):
        return "\n".join(
            f"node {{ name: {n.name!r} op: {n.op!r} input: {n.input} }}" for n in self.node
        )


class FuncGraph:
    """The graph of a ConcreteFunction."""

    def __init__(self, graph, arg_names):
        self._graph = graph
        self._ops = [Operation(self, *row) for row in graph.operations()]
        self._by_name = {op.name: op for op in self._ops}
        self._arg_names = arg_names

    name = property(lambda self: self._graph.name)

    def get_operations(self):
        return list(self._ops)

    def get_operation_by_name(self, name):
        return self._by_name[name]

    def get_tensor_by_name(self, name):
        op_name, _, index = name.rpartition(":")
        return self._by_name[op_name].outputs[int(index)]

    @property
    def inputs(self):
        return [self.get_tensor_by_name(f"{n}:0") for n in self._graph.input_names()]

    @property
    def outputs(self):
        return [self.get_tensor_by_name(n) for n in self._graph.output_names()]

    def as_graph_def(self):
        return _GraphDef(self._ops)

    def serialize(self):
        """Lossless bytes; `loom._C.Graph.deserialize` reads them back."""
        return self._graph.serialize()

    def __str__(self):
        return str(self._graph)


__all__ = ["FuncGraph", "_C"]
