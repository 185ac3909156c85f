"""tf.TensorArray as a value: writes return a new array. Its elements live in one flat
buffer tensor, so the array can be a loop variable of a graph loop (the buffer grows
across iterations) and a function output; the element shape is learned from the first
write and shared by every version of the array."""

from loom import _C
from loom._api import export
from loom.dtypes import as_dtype, int32
from loom.tensor_shape import TensorShape


class _Spec:
    """What all versions of one array share: dtype and element shape."""

    __slots__ = ("dtype", "element_shape", "dynamic_size")

    def __init__(self, dtype, element_shape, dynamic_size):
        self.dtype, self.element_shape, self.dynamic_size = dtype, element_shape, dynamic_size


def _ops():
    from loom import ops

    return ops


@export("TensorArray")
class TensorArray:
    def __init__(
        self,
        dtype,
        size=None,
        dynamic_size=None,
        clear_after_read=None,
        tensor_array_name=None,
        handle=None,
        flow=None,
        infer_shape=True,
        element_shape=None,
        colocate_with_first_write_call=True,
        name=None,
        _buffer=None,
        _spec=None,
    ):
        if _spec is None:
            shape = None if element_shape is None else TensorShape(element_shape)
            if shape is not None and shape.rank is None:
                shape = None
            _spec = _Spec(as_dtype(dtype), shape, bool(dynamic_size))
        self._spec = _spec
        if _buffer is None:
            _buffer = _C.convert_to_tensor([], _spec.dtype)
        self._buffer = _buffer  # 1-D: element i occupies [i * n, (i + 1) * n)
        self._size = size  # the declared size (may be a tensor), used until known otherwise

    @property
    def dtype(self):
        return self._spec.dtype

    @property
    def element_shape(self):
        return self._spec.element_shape or TensorShape(None)

    @property
    def dynamic_size(self):
        return self._spec.dynamic_size

    def _elem_size(self):
        return self._spec.element_shape.num_elements()

    def _with(self, buffer):
        out = TensorArray(self.dtype, _buffer=buffer, _spec=self._spec)
        out._size = self._size
        return out

    def _loom_flatten(self):
        spec, size = self._spec, self._size

        def rebuild(parts):
            out = TensorArray(spec.dtype, _buffer=parts[0], _spec=spec)
            out._size = size
            return out

        return [self._buffer], rebuild, True

    def _learn_shape(self, value):
        shape = value.shape
        if self._spec.element_shape is None:
            if not shape.is_fully_defined():
                raise ValueError(f"TensorArray elements need a known shape; got {shape}")
            self._spec.element_shape = shape
        elif shape != self._spec.element_shape:
            raise ValueError(
                f"Could not write to TensorArray: element shape {shape} does not "
                f"match {self._spec.element_shape}"
            )

    def write(self, index, value, name=None):
        """A new array whose element `index` is `value` (growing it when needed)."""
        ops = _ops()
        value = _C.convert_to_tensor(value, self.dtype)
        self._learn_shape(value)
        n = self._elem_size()
        index = _C.convert_to_tensor(index, int32)
        flat = ops.array_ops.reshape(value, [-1])
        needed = (index + 1) * n
        have = ops.array_ops.size(self._buffer)
        grow = ops.math_ops.maximum(needed - have, 0)
        buffer = ops.array_ops.pad(
            self._buffer, ops.array_ops.reshape(ops.array_ops.stack([0, grow]), [1, 2])
        )
        positions = ops.array_ops.reshape(index * n + ops.array_ops.range(n), [-1, 1])
        buffer = ops.array_index_ops.tensor_scatter_nd_update(buffer, positions, flat)
        return self._with(buffer)

    def _elements(self):
        if self._spec.element_shape is None:
            raise ValueError("TensorArray has no elements and no element_shape to stack")
        ops = _ops()
        elems = ops.array_ops.reshape(self._buffer, [-1] + self._spec.element_shape.as_list())
        if self._size is None or self.dynamic_size:
            return elems
        # A fixed-size array stacks all `size` elements, zeros where nothing was written.
        missing = ops.math_ops.maximum(
            _C.convert_to_tensor(self._size, int32) - ops.array_ops.shape(elems)[0], 0
        )
        rank = len(self._spec.element_shape)
        pads = ops.array_ops.concat(
            [
                ops.array_ops.reshape(ops.array_ops.stack([0, missing]), [1, 2]),
                ops.array_ops.zeros([rank, 2], int32),
            ],
            0,
        )
        return ops.array_ops.pad(elems, pads)

    def stack(self, name=None):
        return self._elements()

    def read(self, index, name=None):
        return _ops().array_index_ops.gather(self._elements(), index)

    def gather(self, indices, element_shape=None, name=None):
        return _ops().array_index_ops.gather(self._elements(), indices)

    def concat(self, name=None):
        elems = self._elements()
        shape = self._spec.element_shape.as_list()
        return _ops().array_ops.reshape(elems, [-1] + shape[1:])

    def unstack(self, value, name=None):
        value = _C.convert_to_tensor(value, self.dtype)
        self._learn_shape(value[0] if value.shape[0] else value)
        return self._with(_ops().array_ops.reshape(value, [-1]))

    def scatter(self, indices, value, name=None):
        out = self
        value = _C.convert_to_tensor(value, self.dtype)
        for i in range(value.shape[0]):
            out = out.write(indices[i], value[i])
        return out

    def size(self, name=None):
        if self._spec.element_shape is None:
            return _C.convert_to_tensor(0 if self._size is None else self._size, int32)
        return _ops().array_ops.shape(self._elements())[0]

    def close(self, name=None):
        return None

    def __repr__(self):
        return f"<loom.TensorArray dtype={self.dtype.name} element_shape={self.element_shape}>"
