"""tf.cond and tf.while_loop. Eagerly they are Python `if` and `while`; while a function
is traced, each branch or body is traced into a library graph and run by an If or While
op, so the decision happens every time the graph runs."""

from loom import _C
from loom import function_keys as keys
from loom._api import export
from loom.autograph.operators import _user_line

_IF, _STATELESS_IF = _C.op("If"), _C.op("StatelessIf")
_WHILE, _STATELESS_WHILE = _C.op("While"), _C.op("StatelessWhile")


def _trace(name, fn, specs):
    """Traces fn(*placeholders) into a library graph: (name, captures, template, stateful)."""
    tracer = _C.Tracer(name)
    with tracer:
        args = [
            tracer.placeholder(dtype, shape, f"{name}_arg{i}")
            for i, (dtype, shape) in enumerate(specs)
        ]
        template, flat = keys.flatten_outputs(name, fn(*args))
    tracer.finish(flat)
    stateful = any(_C.op(row[1]).is_stateful for row in tracer.graph.operations())
    return _C.register_function(tracer.graph), tracer.captures(), template, flat, stateful


def _union(*capture_lists):
    """One input list holding every capture, and each list's indices into it."""
    union, where, indices = [], {}, []
    for captures in capture_lists:
        idx = []
        for t in captures:
            key = t.name if t._is_symbolic() else id(t)
            if key not in where:
                where[key] = len(union)
                union.append(t)
            idx.append(where[key])
        indices.append(idx)
    return union, indices


def _same_structure(a, b):
    if isinstance(a, keys.Leaf) or isinstance(b, keys.Leaf):
        return isinstance(a, keys.Leaf) and isinstance(b, keys.Leaf)
    if isinstance(a, keys.Composite) or isinstance(b, keys.Composite):
        return (
            isinstance(a, keys.Composite)
            and isinstance(b, keys.Composite)
            and len(a.parts) == len(b.parts)
            and all(_same_structure(x, y) for x, y in zip(a.parts, b.parts))
        )
    if isinstance(a, (list, tuple)):
        return (
            type(a) is type(b)
            and len(a) == len(b)
            and all(_same_structure(x, y) for x, y in zip(a, b))
        )
    if isinstance(a, dict):
        return (
            isinstance(b, dict)
            and a.keys() == b.keys()
            and all(_same_structure(a[k], b[k]) for k in a)
        )
    return a is None and b is None


@export("cond")
def cond(pred, true_fn=None, false_fn=None, name=None):
    """true_fn() if pred else false_fn(); a graph conditional inside a function."""
    if true_fn is None or false_fn is None:
        raise TypeError("cond(): both true_fn and false_fn are required")
    if not _C.is_tracing():
        return true_fn() if bool(pred) else false_fn()
    pred = _C.convert_to_tensor(pred)
    then_name, then_caps, then_tmpl, then_flat, then_fx = _trace("cond_true", true_fn, [])
    else_name, else_caps, else_tmpl, else_flat, else_fx = _trace("cond_false", false_fn, [])
    if not _same_structure(then_tmpl, else_tmpl):
        raise ValueError(
            "cond(): true_fn and false_fn must return the same structure; got "
            f"{keys.map_template(then_tmpl, lambda i: 'T')} and "
            f"{keys.map_template(else_tmpl, lambda i: 'T')}"
        )
    for i, (a, b) in enumerate(zip(then_flat, else_flat)):
        if a.dtype != b.dtype:
            raise TypeError(
                f"cond(): output {i} is {a.dtype.name} in true_fn but {b.dtype.name} in false_fn"
            )
    inputs, (then_idx, else_idx) = _union(then_caps, else_caps)
    op = _IF if (then_fx or else_fx) else _STATELESS_IF
    attrs = {
        "then_branch": then_name,
        "else_branch": else_name,
        "then_inputs": then_idx,
        "else_inputs": else_idx,
    }
    outs = _C.execute(op, (pred, inputs), attrs, "cond")
    outs = outs if isinstance(outs, list) else [outs]
    return keys.map_template(then_tmpl, outs.__getitem__)


def _flatten(structure):
    template, flat = keys.flatten_outputs("while_loop", structure)
    return template, flat


@export("while_loop")
def while_loop(
    cond,
    body,
    loop_vars,
    shape_invariants=None,
    parallel_iterations=10,
    back_prop=True,
    swap_memory=False,
    maximum_iterations=None,
    name=None,
):
    """Repeats `loop_vars = body(*loop_vars)` while `cond(*loop_vars)`; a graph loop
    inside a function. Returns the final loop variables in loop_vars' structure."""
    single = not isinstance(loop_vars, (list, tuple))
    vars_ = [loop_vars] if single else list(loop_vars)
    if not _C.is_tracing():
        i = 0
        while (maximum_iterations is None or i < maximum_iterations) and bool(cond(*vars_)):
            out = body(*vars_)
            vars_ = [out] if single or not isinstance(out, (list, tuple)) else list(out)
            i += 1
        return vars_[0] if single else type(loop_vars)(vars_)
    template, flat = _flatten(vars_)
    relaxed = keys.relaxed_leaves(template)
    specs = []
    for i, t in enumerate(flat):
        shape = t.shape.dims
        if i in relaxed and shape is not None:
            shape = [None] * len(shape)
        if shape_invariants is not None:
            inv = shape_invariants if single else list(shape_invariants)[i]
            shape = getattr(inv, "dims", inv)
        specs.append((t.dtype, shape))

    def flat_body(*args):
        out = body(*keys.map_template(template, args.__getitem__))
        out = [out] if single or not isinstance(out, (list, tuple)) else list(out)
        out_template, out_flat = _flatten(out)
        if not _same_structure(template, out_template) or len(out_flat) != len(flat):
            raise ValueError(
                f"while_loop(): body must return the same structure as loop_vars{_user_line()}"
            )
        for i, (t, (dtype, shape)) in enumerate(zip(out_flat, specs)):
            if t.dtype != dtype:
                raise TypeError(
                    f"while_loop(): loop variable {i} enters as {dtype.name} but "
                    f"the body returns {t.dtype.name}{_user_line()}"
                )
            if shape is not None and not t.shape.is_subtype_of(shape):
                raise ValueError(
                    f"while_loop(): loop variable {i} enters the loop with shape "
                    f"{tuple(shape)}, but has shape {t.shape} after one iteration. To allow "
                    "the shape to vary across iterations, use the `shape_invariants` argument"
                    f"{_user_line()}"
                )
        return out_flat

    def flat_cond(*args):
        return cond(*keys.map_template(template, args.__getitem__))

    cond_name, cond_caps, _, _, cond_fx = _trace("while_cond", flat_cond, specs)
    body_name, body_caps, _, _, body_fx = _trace("while_body", flat_body, specs)
    captured, (cond_idx, body_idx) = _union(cond_caps, body_caps)
    op = _WHILE if (cond_fx or body_fx) else _STATELESS_WHILE
    attrs = {
        "cond": cond_name,
        "body": body_name,
        "num_loop_vars": len(flat),
        "cond_captures": cond_idx,
        "body_captures": body_idx,
        "maximum_iterations": -1 if maximum_iterations is None else int(maximum_iterations),
    }
    outs = _C.execute(op, (list(flat) + captured,), attrs, "while")
    outs = outs if isinstance(outs, list) else [outs]
    result = keys.map_template(template, outs.__getitem__)
    return result[0] if single else type(loop_vars)(result)


@export("case")
def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """The function of the first true predicate (or `default`), as nested conds. With
    exclusive=True, more than one true predicate is an InvalidArgumentError."""
    pairs = list(pred_fn_pairs.items() if isinstance(pred_fn_pairs, dict) else pred_fn_pairs)
    if not pairs:
        if default is None:
            raise ValueError("case(): pred_fn_pairs is empty and there is no default")
        return default()
    if exclusive:
        from loom.ops import check_ops, math_ops, reduce_ops

        preds = [math_ops.cast(_C.convert_to_tensor(p), "int32") for p, _ in pairs]
        check_ops.assert_less_equal(
            reduce_ops.reduce_sum(preds), 1, message="case(): more than one predicate is true"
        )
    if default is None:  # the last function is the fallback, as in TF
        *pairs, (_, default) = pairs

    def chain(rest):
        if not rest:
            return default()
        (pred, fn), tail = rest[0], rest[1:]
        return cond(pred, fn, lambda: chain(tail))

    return chain(pairs)


@export("switch_case")
def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """branch_fns[branch_index]() (or `default` when out of range; the last branch if no
    default is given), as nested conds on the index."""
    fns = list(branch_fns.items()) if isinstance(branch_fns, dict) else list(enumerate(branch_fns))
    if not fns:
        raise ValueError("switch_case(): branch_fns must not be empty")
    fallback = default if default is not None else fns[-1][1]
    index = _C.convert_to_tensor(branch_index)
    return case([(index == key, fn) for key, fn in fns], default=fallback)
