"""Run-time helpers that converted code calls (as `ag__.<name>`). Each dispatches on
its operands: Python semantics for Python values, graph ops for tensors."""

import os
import sys

from loom import _C

_Tensor = _C.Tensor
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _user_line():
    """ " (at file:line)" of the innermost frame of user code: converted code keeps the
    original file and line numbers, so this is the line the user wrote."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
    return "" if frame is None else f" (at {frame.f_code.co_filename}:{frame.f_lineno})"


class Undefined:
    """Stands for a name that has no value yet where a branch or loop starts."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<undefined {self.name}>"

    def _fail(self, *args):
        raise ValueError(
            f"'{self.name}' is first assigned inside a loop or branch that runs in the graph "
            "and is used after it, where it may have no value (a tensor loop must iterate at "
            f"least once to define it). Define it before the loop or branch.{_user_line()}"
        )

    _loom_tensor = _loom_flatten = __bool__ = _fail


def get_locals(scope, names):
    return tuple(scope.get(n, Undefined(n)) for n in names)


def _is_tensor(x):
    return isinstance(x, _Tensor) or getattr(x, "_loom_variable", False)


def _check_defined(values, names, construct):
    for v, n in zip(values, names):
        if isinstance(v, Undefined):
            raise ValueError(
                f"'{n}' must be defined before a {construct} whose condition is a tensor: "
                f"both branches (or every iteration) of a graph construct must produce it"
                f"{_user_line()}"
            )


def if_stmt(test, true_fn, false_fn, init, names):
    """`if test:` with the names the branches assign passed in and returned."""
    if not _is_tensor(test):
        return true_fn(*init) if test else false_fn(*init)
    from loom.ops.control_flow_ops import cond

    slots = [k for k in _return_slots(names) if isinstance(init[k], Undefined)]
    types = {}
    for fn in (true_fn, false_fn) if slots else ():
        types.update(_probe_types(lambda fn=fn: fn(*init), slots))

    def branch(fn):
        values = _fill_undefined(tuple(fn(*init)), types)
        _check_defined(values, names, "tensor `if`")
        return values

    return cond(test, lambda: branch(true_fn), lambda: branch(false_fn))


def if_return(test, true_fn, false_fn):
    """An `if` whose branches both end in `return`: returns the chosen value."""
    if not _is_tensor(test):
        return true_fn() if test else false_fn()
    from loom.ops.control_flow_ops import cond

    return cond(test, true_fn, false_fn)


def _return_slots(names):
    return [i for i, n in enumerate(names) if n.startswith("ag__retval")]


def _probe_types(fn, slots):
    """Traces fn() aside (the graph is discarded) to learn the types of the values it
    leaves in `slots`: {slot: (shape, dtype)} for those it defines."""
    tracer = _C.Tracer("probe")
    with tracer:
        values = fn()
    found = {}
    for k in slots:
        if not isinstance(values[k], Undefined):
            v = _C.convert_to_tensor(values[k])
            if not v.shape.is_fully_defined():
                raise NotImplementedError(
                    f"a value returned from inside a graph loop needs a static shape, got "
                    f"{v.shape}{_user_line()}"
                )
            found[k] = (v.shape.as_list(), v.dtype)
    return found


def _fill_undefined(values, types):
    """A loop's return value has no value until the loop returns: zeros stand in."""
    from loom.ops import array_ops

    values = list(values)
    for k, (shape, dtype) in types.items():
        if isinstance(values[k], Undefined):
            values[k] = array_ops.zeros(shape, dtype)
    return tuple(values)


class _LoopVars:
    """Splits a loop's names into carried variables (defined before the loop) and
    names local to the body (first assigned inside it), which are not carried."""

    def __init__(self, init):
        self.init = init
        self.keep = [i for i, v in enumerate(init) if not isinstance(v, Undefined)]

    def carried(self, values=None):
        values = self.init if values is None else values
        return [values[i] for i in self.keep]

    def full(self, carried):
        values = list(self.init)
        for i, v in zip(self.keep, carried):
            values[i] = v
        return values


def loop_options(
    parallel_iterations=None, swap_memory=None, maximum_iterations=None, shape_invariants=None
):
    """What `tf.autograph.experimental.set_loop_options` asked of its loop."""
    return {"maximum_iterations": maximum_iterations, "shape_invariants": shape_invariants or ()}


def _loop_kwargs(opts, carried):
    """while_loop keyword arguments from loop options: shape invariants are given as
    (loop variable, shape) pairs and matched to the carried values by identity."""
    if not opts:
        return {}
    pairs = list(opts["shape_invariants"])
    shapes = []
    for v in carried:
        match = [shape for var, shape in pairs if var is v]
        shapes.append(match[0] if match else getattr(v, "shape", None))
    kwargs = {"maximum_iterations": opts["maximum_iterations"]}
    if pairs:
        kwargs["shape_invariants"] = shapes
    return kwargs


def while_stmt(test_fn, body_fn, init, names, opts=None):
    """`while test:` over the names the body assigns."""
    first = test_fn(*init)
    if not _is_tensor(first):
        values = init
        while first:
            values = tuple(body_fn(*values))
            first = test_fn(*values)
            if _is_tensor(first):  # the body made the condition a tensor: finish in the graph
                return while_stmt(test_fn, body_fn, values, names, opts)
        return values
    from loom.ops.control_flow_ops import while_loop

    slots = [k for k in _return_slots(names) if isinstance(init[k], Undefined)]
    if slots:
        init = _fill_undefined(init, _probe_types(lambda: body_fn(*init), slots))
    lv = _LoopVars(init)
    if not lv.keep:
        raise ValueError("a tensor `while` loop must update a variable defined before it")
    out = while_loop(
        lambda *c: test_fn(*lv.full(c)),
        lambda *c: tuple(lv.carried(tuple(body_fn(*lv.full(c))))),
        lv.carried(),
        **_loop_kwargs(opts, lv.carried()),
    )
    return tuple(lv.full(list(out)))


def for_stmt(iterable, body_fn, init, names, break_flag=None, opts=None):
    """`for item in iterable:`; a tensor iterable becomes a graph loop over its rows.
    `break_flag` names the loop variable that a lowered `break` sets."""
    stop_at = names.index(break_flag) if break_flag else None
    if not _is_tensor(iterable):
        items = list(iterable)
        values = init
        for k, item in enumerate(items):
            values = tuple(body_fn(item, *values))
            if stop_at is None:
                continue
            if _is_tensor(values[stop_at]):
                # A tensor decides whether to stop: the remaining items run in the graph.
                rest = items[k + 1 :]
                if not rest:
                    return values
                rest = _C.convert_to_tensor(rest)
                return for_stmt(rest, body_fn, values, names, break_flag, opts)
            if values[stop_at]:
                break
        return values
    from loom import ops
    from loom.ops.control_flow_ops import while_loop

    iterable = _C.convert_to_tensor(iterable)
    n = ops.array_ops.shape(iterable)[0]
    slots = [k for k in _return_slots(names) if isinstance(init[k], Undefined)]
    if slots:
        first = ops.array_index_ops.gather(iterable, 0)
        init = _fill_undefined(init, _probe_types(lambda: body_fn(first, *init), slots))
    lv = _LoopVars(init)

    def body(i, *carried):
        item = ops.array_index_ops.gather(iterable, i)
        out = tuple(body_fn(item, *lv.full(carried)))
        return (i + 1,) + tuple(lv.carried(out))

    def test(i, *carried):
        if stop_at is None:
            return i < n
        return and_(i < n, lambda: not_(lv.full(carried)[stop_at]))

    start = _C.convert_to_tensor(0)
    kwargs = _loop_kwargs(opts, [start] + lv.carried())
    out = while_loop(test, body, [start] + lv.carried(), **kwargs)
    return tuple(lv.full(list(out[1:])))


def and_(first, second_fn):
    if _is_tensor(first):
        from loom.ops import logic_ops

        return logic_ops.logical_and(first, second_fn())
    return first and second_fn()


def or_(first, second_fn):
    if _is_tensor(first):
        from loom.ops import logic_ops

        return logic_ops.logical_or(first, second_fn())
    return first or second_fn()


def not_(x):
    if _is_tensor(x):
        from loom.ops import logic_ops

        return logic_ops.logical_not(x)
    return not x


def assert_stmt(test, message_fn):
    """`assert test, message`: a run-time assertion when `test` is a tensor."""
    if not _is_tensor(test):
        assert test, message_fn()
        return None
    from loom.ops import logging_ops

    return logging_ops.Assert(test, [message_fn()])


def comprehension_iter(iterable):
    """What a comprehension or generator expression iterates: Python values as they
    are; a tensor only when its length is known while tracing (then it is unrolled)."""
    if isinstance(iterable, _Tensor) and iterable._is_symbolic():
        rank = iterable.shape.rank
        if rank is None or rank == 0 or iterable.shape[0] is None:
            raise NotImplementedError(
                "comprehensions and generator expressions over a tensor whose length is "
                "known only at run time are not supported; use a for loop (it becomes a "
                f"graph loop) or tf.TensorArray{_user_line()}"
            )
    return iterable


def converted_call(f, *args, **kwargs):
    """Calls `f`, converting it first when it is user code."""
    from loom.autograph.converter import maybe_convert

    return maybe_convert(f)(*args, **kwargs)
