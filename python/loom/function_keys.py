"""Trace-cache keys and signatures for loom.function.

A *key* is a hashable tuple computed on every call (fast; tensors as (dtype, shape)).
A *signature* is the same tree with TensorSpecs for tensor leaves; traces are stored
under signatures, and a call whose exact key is unknown uses the most specific traced
signature it is a subtype of (None dimensions match any size).

Leaves: tensors and NumPy arrays -> their spec; bool/int/float/str/bytes/None -> type
*and* value (so 1, 1.0 and True never share a graph); other objects -> identity, held
by a weak reference; lists, tuples, namedtuples and dicts -> their structure.
"""

import math
import weakref

import numpy as np

from loom import _C
from loom.tensor_shape import TensorShape
from loom.tensor_spec import TensorSpec

_Tensor = _C.Tensor
# inspect.Parameter kinds, by value: importing inspect would slow `import loom` down.
_KEYWORD_ONLY, _VAR_KEYWORD = 3, 4
_LITERALS = (bool, int, float, str, bytes, type(None), complex, range)
_NAN = ("nan",)
_NEG_ZERO = ("-0.0",)  # -0.0 == 0.0 in Python, but 1 / -0.0 traced as 0.0 would flip sign


def _float_literal(value):
    """NaN (unequal to itself) and -0.0 (equal to 0.0) as distinct, stable markers."""
    if math.isnan(value):
        return _NAN
    if value == 0.0 and math.copysign(1.0, value) < 0:
        return _NEG_ZERO
    return value


class Bound:
    """Arguments bound to a signature: parallel lists of names, kinds and values."""

    __slots__ = ("names", "kinds", "values")

    def __init__(self, names, kinds, values):
        self.names, self.kinds, self.values = names, kinds, values

    def rebuild(self, values):
        """(args, kwargs) for calling the Python function with `values`."""
        args, kwargs = [], {}
        for name, kind, value in zip(self.names, self.kinds, values):
            if kind in (_KEYWORD_ONLY, _VAR_KEYWORD):
                kwargs[name] = value
            else:
                args.append(value)
        return args, kwargs


def flatten_bound_arguments(signature, ba):
    names, kinds, values = [], [], []
    for name, param in signature.parameters.items():
        if name not in ba.arguments:
            continue
        value = ba.arguments[name]
        if param.kind == param.VAR_POSITIONAL:
            for i, v in enumerate(value):
                names.append(f"{name}_{i}")
                kinds.append(param.kind)
                values.append(v)
        elif param.kind == param.VAR_KEYWORD:
            for k in sorted(value):
                names.append(k)
                kinds.append(param.kind)
                values.append(value[k])
        else:
            names.append(name)
            kinds.append(param.kind)
            values.append(value)
    return Bound(names, kinds, values)


class _Obj:
    """Identity leaf: equal only to the same live object (never by the object's own
    __eq__, and never once the object is dead, so a new object reusing its id() misses)."""

    __slots__ = ("ref", "_id")

    def __init__(self, ref):
        self.ref = ref
        self._id = id(ref())

    def __eq__(self, other):
        if not isinstance(other, _Obj):
            return False
        obj = self.ref()
        return obj is not None and obj is other.ref()

    def __hash__(self):
        return self._id

    def __repr__(self):
        obj = self.ref()
        return f"<object {obj!r}>" if obj is not None else "<dead object>"


# --- keys (every call) -----------------------------------------------------------------


def _key(value, tensors):
    if isinstance(value, _Tensor):
        tensors.append(value)
        return (value.dtype, value._shape_tuple())
    if isinstance(value, _LITERALS):
        if isinstance(value, float):
            return (type(value), _float_literal(value))
        return (type(value), value)
    if isinstance(value, np.ndarray):
        t = _C.convert_to_tensor(value)
        tensors.append(t)
        return (t.dtype, t._shape_tuple())
    if isinstance(value, list):
        return ("list",) + tuple(_key(v, tensors) for v in value)
    if isinstance(value, tuple):
        kind = type(value) if hasattr(value, "_fields") else "tuple"
        return (kind,) + tuple(_key(v, tensors) for v in value)
    if isinstance(value, dict):
        return ("dict",) + tuple((k, _key(value[k], tensors)) for k in _sorted_keys(value))
    if getattr(value, "_loom_variable", False):
        return ("var", value._unique_id)  # a variable is its resource (its handle is captured)
    if hasattr(value, "__wrapped__") and not isinstance(value, type):
        return _key(value.__wrapped__, tensors)
    _check_hashable(value)
    try:
        return ("obj", _Obj(weakref.ref(value)))
    except TypeError:  # not weak-referenceable: keyed (and kept alive) by value
        return (type(value), value)


def _check_hashable(value):
    try:
        hash(value)
    except TypeError:
        raise TypeError(
            f"Could not generate a cache key for {value!r} (unhashable type "
            f"'{type(value).__name__}'): loom.function arguments must be tensors, arrays, "
            "hashable Python values or lists, tuples and dicts of them. Make the value "
            "hashable or pass its tensors instead."
        ) from None


def _sorted_keys(d):
    try:
        return sorted(d)
    except TypeError:
        return sorted(d, key=repr)


def cache_key(bound):
    """(hashable key, flat list of the call's tensors) for a bound call."""
    tensors = []
    return tuple(_key(v, tensors) for v in bound.values), tensors


# --- signatures (misses and tracing) ---------------------------------------------------


def _sig(value, specs_allowed):
    if isinstance(value, TensorSpec) and specs_allowed:
        return value
    if isinstance(value, (_Tensor, np.ndarray)):
        return TensorSpec(value.shape, value.dtype)
    if isinstance(value, _LITERALS):
        return (
            "lit",
            type(value),
            _float_literal(value) if isinstance(value, float) else value,
        )
    if isinstance(value, list):
        return ("list",) + tuple(_sig(v, specs_allowed) for v in value)
    if isinstance(value, tuple):
        kind = type(value) if hasattr(value, "_fields") else "tuple"
        return (kind,) + tuple(_sig(v, specs_allowed) for v in value)
    if isinstance(value, dict):
        return ("dict",) + tuple((k, _sig(value[k], specs_allowed)) for k in _sorted_keys(value))
    if getattr(value, "_loom_variable", False):
        return ("lit", "var", value._unique_id)
    if hasattr(value, "__wrapped__") and not isinstance(value, type):
        return _sig(value.__wrapped__, specs_allowed)
    _check_hashable(value)
    try:
        return _Obj(weakref.ref(value))
    except TypeError:
        return ("lit", type(value), value)


def signature_of(bound, specs_allowed=False):
    return tuple(_sig(v, specs_allowed) for v in bound.values), None


def _is_struct(sig):
    """A list/tuple/dict/namedtuple node: (kind, children...); leaves are TensorSpecs,
    ("lit", type, value) tuples and _Obj identities."""
    return (
        isinstance(sig, tuple)
        and len(sig) >= 1
        and (isinstance(sig[0], type) or (isinstance(sig[0], str) and sig[0] != "lit"))
    )


def _children(sig):
    """(key, child) pairs of a structure node; dict entries are stored as (key, child)."""
    if sig[0] == "dict":
        return list(sig[1:])
    return list(enumerate(sig[1:]))


def is_subtype(sig, traced):
    """True when every call matching `sig` also matches `traced`."""
    if isinstance(traced, TensorSpec):
        return isinstance(sig, TensorSpec) and sig.is_subtype_of(traced)
    if _is_struct(traced):
        if not (_is_struct(sig) and len(sig) == len(traced) and sig[0] == traced[0]):
            return False
        return all(
            ka == kb and is_subtype(a, b)
            for (ka, a), (kb, b) in zip(_children(sig), _children(traced))
        )
    return not isinstance(sig, TensorSpec) and sig == traced


def signature_is_subtype(sig, traced):
    """is_subtype for whole signatures (one entry per bound argument)."""
    return len(sig) == len(traced) and all(is_subtype(a, b) for a, b in zip(sig, traced))


def _outline(sig):
    if isinstance(sig, TensorSpec):
        rank = sig.shape.rank
        if rank is None:
            raise _UnknownRank
        return (sig.dtype, rank)
    if isinstance(sig, tuple) and sig and sig[0] != "lit":
        return tuple(_outline(s) for s in sig)
    return sig


class _UnknownRank(Exception):
    pass


def fully_defined(sig):
    """True when no tensor spec in `sig` has an unknown dimension or rank."""
    if isinstance(sig, TensorSpec):
        return sig.shape.is_fully_defined()
    if isinstance(sig, tuple) and sig and sig[0] != "lit":
        return all(fully_defined(s) for s in sig)
    return True


def outline(sig):
    """`sig` without dimension sizes (dtype and rank only); None when a spec has an
    unknown rank. A call can only reuse traces that share its outline."""
    try:
        return _outline(sig)
    except _UnknownRank:
        return None


def relax(sig, others):
    """`sig` with dimensions that differ from an earlier trace of the same structure
    generalized to None (reduce_retracing)."""
    for other in others:
        if len(other) != len(sig):
            continue
        relaxed = [_relax(a, b) for a, b in zip(sig, other)]
        if all(r is not None for r in relaxed):
            sig = tuple(relaxed)
    return sig


def _relax(a, b):
    if isinstance(a, TensorSpec):
        if not isinstance(b, TensorSpec) or a.dtype != b.dtype:
            return None
        return TensorSpec(a.shape.most_specific_compatible_shape(b.shape), a.dtype, a.name)
    if _is_struct(a):
        if not _is_struct(b) or len(a) != len(b) or a[0] != b[0]:
            return None
        parts = [a[0]]
        for (ka, x), (kb, y) in zip(_children(a), _children(b)):
            r = _relax(x, y) if ka == kb else None
            if r is None:
                return None
            parts.append((ka, r) if a[0] == "dict" else r)
        return tuple(parts)
    return a if a == b else None


def describe_leaf(sig):
    if isinstance(sig, TensorSpec):
        return f"a {sig.dtype.name} tensor of shape {sig.shape}"
    if isinstance(sig, tuple) and sig and sig[0] == "lit":
        if sig[1] == "var":
            return f"variable #{sig[2]}"
        return f"Python {sig[1].__name__} {_public(sig)!r}"
    if isinstance(sig, _Obj):
        return repr(sig)
    kind = sig[0] if isinstance(sig[0], str) else sig[0].__name__
    return f"a {kind} of {len(sig) - 1}"


def describe_change(old, new):
    """ "Python int 1 → 2", "a float32 tensor of shape (3,) → (5,)", ...: what changed."""
    if isinstance(old, TensorSpec) and isinstance(new, TensorSpec) and old.dtype == new.dtype:
        return f"{describe_leaf(old)} → {new.shape}"
    same_literal_type = (
        isinstance(old, tuple) and isinstance(new, tuple) and old[:2] == new[:2] == ("lit", old[1])
    )
    if same_literal_type:
        return f"{describe_leaf(old)} → {_public(new)!r}"
    return f"{describe_leaf(old)} → {describe_leaf(new)}"


def first_difference(names, new, old, path=""):
    """(argument path, old leaf, new leaf) of the first leaf that differs, or None."""
    if _is_struct(new) and _is_struct(old) and len(old) == len(new) and old[0] == new[0]:
        for (ka, a), (kb, b) in zip(_children(new), _children(old)):
            if ka != kb:
                return path, old, new
            found = first_difference(None, a, b, f"{path}[{ka!r}]")
            if found:
                return found
        return None
    if new != old:
        return path, old, new
    return None


def public_signature(sig, names, kinds):
    """(args, kwargs) as TF shows them: keyword-only arguments go to kwargs."""
    args, kwargs = [], {}
    for s, name, kind in zip(sig, names, kinds):
        if kind in (_KEYWORD_ONLY, _VAR_KEYWORD):
            kwargs[name] = _public(s)
        else:
            args.append(_public(s))
    return tuple(args), kwargs


def _public(sig):
    if isinstance(sig, TensorSpec):
        return sig
    if isinstance(sig, _Obj):
        return sig.ref()
    if isinstance(sig, tuple) and sig:
        if sig[0] == "lit":
            return (
                {_NAN: math.nan, _NEG_ZERO: -0.0}.get(sig[2], sig[2])
                if type(sig[2]) is tuple
                else sig[2]
            )
        if sig[0] == "dict":  # entries are (key, signature) pairs
            return {k: _public(s) for k, s in sig[1:]}
        items = [_public(s) for s in sig[1:]]
        if sig[0] == "list":
            return items
        if sig[0] == "tuple":
            return tuple(items)
        return sig[0](*items)
    return sig


# --- tracing -----------------------------------------------------------------------


def placeholders_for(tracer, signature, bound):
    """Call arguments for tracing: placeholders where the signature has specs."""
    arg_names = []

    def make(sig, value, name):
        if isinstance(sig, TensorSpec):
            arg_names.append(name)
            return tracer.placeholder(sig.dtype, sig.shape.dims, sig.name or name)
        if isinstance(sig, tuple) and sig and sig[0] != "lit":
            if sig[0] == "dict":
                return {
                    k: make(s, value[k], f"{name}_{k}" if isinstance(k, str) else name)
                    for k, s in sig[1:]
                }
            items = [make(s, v, f"{name}_{i}") for i, (s, v) in enumerate(zip(sig[1:], value))]
            if sig[0] == "list":
                return items
            if sig[0] == "tuple":
                return tuple(items)
            return sig[0](*items)
        return value

    values = [make(s, v, n) for s, v, n in zip(signature, bound.values, bound.names)]
    args, kwargs = bound.rebuild(values)
    return args, kwargs, arg_names


class Leaf:
    """Marks output position `index` of the flat output list in a structure template."""

    __slots__ = ("index",)

    def __init__(self, index):
        self.index = index


def flatten_outputs(fn_name, outputs):
    flat = []

    def walk(value):
        if value is None:
            return None
        if isinstance(value, (_Tensor, np.ndarray, bool, int, float)):
            flat.append(value if isinstance(value, _Tensor) else _C.convert_to_tensor(value))
            return Leaf(len(flat) - 1)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, tuple):
            items = [walk(v) for v in value]
            return type(value)(*items) if hasattr(value, "_fields") else tuple(items)
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if hasattr(value, "_loom_flatten"):
            parts, rebuild, relax = value._loom_flatten()
            return Composite(rebuild, [walk(p) for p in parts], relax)
        raise TypeError(
            f"loom.function '{fn_name}' returned a value of type {type(value).__name__}; a "
            "function must return tensors, Python numbers, None, or lists, tuples and dicts "
            "of them"
        )

    return walk(outputs), flat


class Composite:
    """A value made of tensors (a TensorArray): its parts' templates and how to rebuild
    it. `relax`: its tensors may change shape across loop iterations."""

    __slots__ = ("rebuild", "parts", "relax")

    def __init__(self, rebuild, parts, relax):
        self.rebuild, self.parts, self.relax = rebuild, parts, relax


def relaxed_leaves(template):
    """Indices of flat tensors whose shapes may vary across loop iterations."""
    out = set()

    def walk(t, relax):
        if isinstance(t, Leaf):
            if relax:
                out.add(t.index)
        elif isinstance(t, Composite):
            for p in t.parts:
                walk(p, relax or t.relax)
        elif isinstance(t, (list, tuple)):
            for x in t:
                walk(x, relax)
        elif isinstance(t, dict):
            for x in t.values():
                walk(x, relax)

    walk(template, False)
    return out


def map_template(template, fn):
    if isinstance(template, Leaf):
        return fn(template.index)
    if isinstance(template, Composite):
        return template.rebuild([map_template(p, fn) for p in template.parts])
    if template is None:
        return None
    if isinstance(template, list):
        return [map_template(t, fn) for t in template]
    if isinstance(template, tuple):
        items = [map_template(t, fn) for t in template]
        return type(template)(*items) if hasattr(template, "_fields") else tuple(items)
    if isinstance(template, dict):
        return {k: map_template(v, fn) for k, v in template.items()}
    return template


# --- input signatures ----------------------------------------------------------------


def check_input_signature(input_signature):
    if not isinstance(input_signature, (list, tuple)):
        raise TypeError(
            f"input_signature must be either a tuple or a list, got {type(input_signature)}."
        )

    def walk(s):
        if isinstance(s, (list, tuple)):
            for x in s:
                walk(x)
        elif not isinstance(s, TensorSpec):
            raise TypeError(
                "input_signature must be a possibly nested sequence of TensorSpec objects, "
                f"got {s!r}."
            )

    walk(input_signature)


def _conform(fn_name, name, spec, value):
    """`value` as a tensor fitting `spec`, or TypeError naming the argument and both specs."""
    if isinstance(spec, (list, tuple)):
        if not isinstance(value, (list, tuple)) or len(value) != len(spec):
            raise TypeError(f"{fn_name}(): argument `{name}` must be a sequence matching {spec}")
        return type(spec)(
            _conform(fn_name, f"{name}[{i}]", s, v) for i, (s, v) in enumerate(zip(spec, value))
        )
    if isinstance(value, TensorSpec):
        got = value
    else:
        try:
            value = _C.convert_to_tensor(
                value, None if isinstance(value, (_Tensor, np.ndarray)) else spec.dtype
            )
        except (TypeError, ValueError) as e:
            raise TypeError(
                f"{fn_name}(): argument `{name}` was expected to match {spec} but cannot be "
                f"converted to a tensor of that dtype: {e}"
            ) from None
        got = TensorSpec(value.shape, value.dtype)
    if not spec.is_compatible_with(got):
        raise TypeError(f"{fn_name}(): argument `{name}` was expected to be {spec} but got {got}")
    return value


def bind_to_input_signature(fn_name, signature, input_signature, args, kwargs):
    try:
        ba = signature.bind(*args, **kwargs)
    except TypeError as e:
        raise TypeError(f"{fn_name}(): {e}") from None
    ba.apply_defaults()
    bound = flatten_bound_arguments(signature, ba)
    if len(bound.values) < len(input_signature):
        raise TypeError(
            f"{fn_name}(): input_signature has {len(input_signature)} specs for "
            f"{len(bound.values)} arguments"
        )
    if len(bound.values) > len(input_signature):
        extra = bound.names[len(input_signature)]
        raise TypeError(f"{fn_name}(): input_signature is missing a spec for argument `{extra}`")
    bound.values = [
        _conform(fn_name, n, s, v) for n, s, v in zip(bound.names, input_signature, bound.values)
    ]
    return bound


def input_signature_signature(input_signature):
    def walk(s):
        if isinstance(s, TensorSpec):
            return TensorSpec(s.shape, s.dtype, s.name)
        inner = tuple(walk(x) for x in s)
        return (("list",) if isinstance(s, list) else ("tuple",)) + inner

    return tuple(walk(s) for s in input_signature)


def match_signature(fn_name, signature, bound):
    """Flat tensors (in placeholder order) for a direct ConcreteFunction call, checked
    against the traced signature; TypeError naming the argument otherwise."""
    if len(bound.values) != len(signature):
        raise TypeError(
            f"{fn_name}(): this concrete function takes {len(signature)} arguments, "
            f"got {len(bound.values)}"
        )
    flat = []

    def walk(sig, value, path):
        if isinstance(sig, TensorSpec):
            if isinstance(value, TensorSpec):
                raise TypeError(f"{fn_name}(): argument `{path}` must be a tensor, got {value}")
            flat.append(_conform(fn_name, path, sig, value))
        elif _is_struct(sig):
            kind = sig[0]
            expected = {"list": list, "tuple": tuple, "dict": dict}.get(kind, kind)
            if type(value) is not expected or len(value) != len(sig) - 1:
                raise TypeError(
                    f"{fn_name}(): argument `{path}` was traced as {describe_leaf(sig)}; "
                    f"got {value!r}"
                )
            for key, child in _children(sig):
                if kind == "dict" and key not in value:
                    raise TypeError(f"{fn_name}(): argument `{path}` is missing key {key!r}")
                walk(child, value[key], f"{path}[{key!r}]")
        elif _sig(value, False) != sig:
            raise TypeError(
                f"{fn_name}(): argument `{path}` was traced with {describe_leaf(sig)}; "
                f"got {value!r}"
            )

    for sig, value, name in zip(signature, bound.values, bound.names):
        walk(sig, value, name)
    return flat


__all__ = ["TensorShape"]
