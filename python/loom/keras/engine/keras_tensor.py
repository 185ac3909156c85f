"""KerasTensor: the symbolic value that Input() returns and that layers return when
called on one. It carries a shape and dtype and remembers the layer call (node) that
made it, so a functional Model can replay the calls on real tensors."""

import loom


class KerasTensor:
    def __init__(self, shape, dtype, name=None):
        self._shape = loom.TensorShape(shape)
        self._dtype = loom.as_dtype(dtype)
        self._name = name
        self._node = None  # the Node whose call produced this tensor
        self._index = 0  # position among that node's flat outputs

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    name = property(lambda self: self._name)
    node = property(lambda self: self._node)

    @property
    def ndim(self):
        return self._shape.rank

    def get_shape(self):
        return self._shape

    @property
    def _keras_history(self):
        """(layer, node index, tensor index) as Keras names the origin of a tensor."""
        layer = self._node.layer
        return layer, layer._inbound_nodes.index(self._node), self._index

    def __repr__(self):
        origin = f" (created by layer '{self._node.layer.name}')" if self._node else ""
        return f"<KerasTensor: shape={self._shape} dtype={self._dtype.name}{origin}>"

    def __bool__(self):
        raise TypeError(
            "Using a symbolic KerasTensor as a Python bool is not allowed: its value is "
            "only known when the model runs."
        )

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            f"You are passing {self!r}, an intermediate Keras symbolic input/output, to a "
            "function that needs a value (NumPy). Wrap the computation in a Keras layer."
        )

    def __hash__(self):
        return id(self)

    def ref(self):
        from loom._tensor import Reference

        return Reference(self)

    # Arithmetic on KerasTensors records an op layer in the graph, as Keras does.
    def _op(self, name, fn, *others):
        from loom.keras.engine.op_layer import OpLayer

        return OpLayer(fn, op_name=name)(self, *others)

    def __add__(self, other):
        return self._op("add", loom.add, other)

    def __radd__(self, other):
        return self._op("add", lambda x, y: loom.add(y, x), other)

    def __sub__(self, other):
        return self._op("subtract", loom.subtract, other)

    def __rsub__(self, other):
        return self._op("subtract", lambda x, y: loom.subtract(y, x), other)

    def __mul__(self, other):
        return self._op("multiply", loom.multiply, other)

    def __rmul__(self, other):
        return self._op("multiply", lambda x, y: loom.multiply(y, x), other)

    def __truediv__(self, other):
        return self._op("truediv", loom.truediv, other)

    def __rtruediv__(self, other):
        return self._op("truediv", lambda x, y: loom.truediv(y, x), other)

    def __matmul__(self, other):
        return self._op("matmul", loom.matmul, other)

    def __pow__(self, other):
        return self._op("pow", loom.pow, other)

    def __neg__(self):
        return self._op("negative", loom.negative)

    def __getitem__(self, key):
        return self._op("getitem", lambda x: x[key])


def is_keras_tensor(x):
    return isinstance(x, KerasTensor)
