"""loom.function: trace a Python function into a graph once per input signature and
replay the cached graph on later calls.

A call binds its arguments, computes a cache key from them (tensors by dtype and
shape, Python scalars by type *and* value, other objects by identity), and looks the
key up. A miss traces: the body runs once with symbolic tensors under a Tracer, the
graph is optimized and compiled into a Plan. Calls made while another function is
being traced are inlined into that trace (the callee's body runs in the caller's
graph), which keeps one flat graph per entry point.
"""

import functools
import threading
import weakref

from loom import _C, config, variables
from loom import function_keys as keys
from loom._api import export
from loom.function_retracing import RetracingMonitor
from loom.tensor_spec import TensorSpec

_tracing_now = threading.local()  # the Functions whose body this thread is tracing
_MISS = object()  # the C++ fast path's answer when Python must handle a call


class ConcreteFunction:
    """One traced graph with its plan, captures and output structure."""

    def __init__(self, name, graph, captures, signature, bound, outputs_template, arg_names, bind):
        self.name = name
        self._graph = _C.optimize(graph, **config.optimizer_flags())
        self._plan = _C.GraphFunction(self._graph)
        self._captures = list(captures)
        self._key_signature = signature  # one function_keys signature entry per argument
        self._param_names = list(bound.names)
        # (args, kwargs) as TF shows them, with TensorSpecs for tensor leaves
        self._signature = keys.public_signature(signature, bound.names, bound.kinds)
        self._outputs_template = outputs_template
        self._arg_names = arg_names  # placeholder names, in graph input order
        self._bind = bind  # binds call arguments the way the Function does
        self._graph_view = None
        # How the C++ fast path packs outputs (see init_function.cc), None if it cannot.
        t = outputs_template
        leaves = isinstance(t, (tuple, list)) and all(type(x) is keys.Leaf for x in t)
        ordered = leaves and [x.index for x in t] == list(range(len(t)))
        self._fast_kind = (
            0
            if type(t) is keys.Leaf
            else 3
            if t is None
            else 1
            if ordered and type(t) is tuple
            else 2
            if ordered and type(t) is list
            else None
        )

    # --- inspection --------------------------------------------------------------

    @property
    def graph(self):
        if self._graph_view is None:
            from loom.function_graph import FuncGraph

            self._graph_view = FuncGraph(self._graph, self._arg_names)
        return self._graph_view

    @property
    def structured_input_signature(self):
        return self._signature

    @property
    def structured_outputs(self):
        return keys.map_template(self._outputs_template, lambda i: self.outputs[i])

    @property
    def inputs(self):
        return self.graph.inputs

    @property
    def outputs(self):
        return self.graph.outputs

    @property
    def captured_inputs(self):
        return list(self._captures)

    @property
    def variables(self):
        return []

    trainable_variables = variables

    def pretty_printed_signature(self, verbose=True):
        values = [keys.public_signature((s,), ("_",), (None,))[0][0] for s in self._key_signature]
        parts = [f"{n}: {v!r}" for n, v in zip(self._param_names, values)]
        return f"{self.name}({', '.join(parts)})"

    def __repr__(self):
        return f"<ConcreteFunction {self.pretty_printed_signature()}>"

    # --- calls ---------------------------------------------------------------------

    def _call_flat(self, tensors):
        if self._captures:
            tensors = tensors + self._captures
        results = self._plan.run(tensors)
        template = self._outputs_template
        if type(template) is keys.Leaf:
            return results[template.index]
        return keys.map_template(template, results.__getitem__)

    def __call__(self, *args, **kwargs):
        """Calls with values matching the traced signature (Python values must equal
        those traced with; tensors must fit their specs)."""
        flat = keys.match_signature(self.name, self._key_signature, self._bind(args, kwargs))
        return self._call_flat(flat)


class Function:
    """The callable `loom.function` returns. One trace cache per Function (and per
    instance when it decorates a method)."""

    def __init__(
        self,
        python_function,
        input_signature=None,
        autograph=True,
        reduce_retracing=False,
        jit_compile=None,
        name=None,
    ):
        if input_signature is not None:
            keys.check_input_signature(input_signature)
        self._python_function = python_function
        self._input_signature = None if input_signature is None else tuple(input_signature)
        self._autograph = autograph
        self._reduce_retracing = reduce_retracing
        self._jit_compile = jit_compile
        self._name = name or getattr(python_function, "__name__", "function")
        import inspect  # imported on first use: it costs ~15 ms of `import loom`

        self._signature = inspect.signature(python_function)
        # Plain positional parameters allow binding without inspect (the hot path).
        params = list(self._signature.parameters.values())
        simple = all(p.kind == p.POSITIONAL_OR_KEYWORD for p in params)
        self._fast_bind = (
            keys.Bound([p.name for p in params], [p.kind for p in params], None)
            if simple and input_signature is None
            else None
        )
        self._exact = {}  # cache key -> ConcreteFunction (the fast path)
        self._traces = []  # (signature, ConcreteFunction), in trace order
        self._by_signature = {}  # signature -> ConcreteFunction
        self._by_outline = {}  # outline -> [(signature, ConcreteFunction)] with None dims
        self._any_rank = []  # traces with an unknown-rank spec: they may match any outline
        self._first_call_created = (
            None  # did the first trace create variables? (None: no trace yet)
        )
        self._pending_init = None  # the variable-creating first trace, until it has run once
        self._lock = threading.RLock()
        self._retracing = RetracingMonitor(self._name)
        self._fast = _C.CallCache(len(params) if self._fast_bind is not None else -1)
        self._instances = weakref.WeakKeyDictionary()
        functools.update_wrapper(self, python_function)

    # --- public API ----------------------------------------------------------------

    @property
    def python_function(self):
        return self._python_function

    @property
    def input_signature(self):
        return self._input_signature

    def experimental_get_tracing_count(self):
        return len(self._traces)

    def pretty_printed_concrete_signatures(self, verbose=True):
        return "\n\n".join(c.pretty_printed_signature(verbose) for _, c in self._traces)

    def get_concrete_function(self, *args, **kwargs):
        """The ConcreteFunction for these values or TensorSpecs, tracing if needed."""
        if self._input_signature is not None and not args and not kwargs:
            args = self._input_signature
        bound = self._bind(args, kwargs)
        signature, _ = keys.signature_of(bound, specs_allowed=True)
        return self._concrete_for(signature, bound)

    def __get__(self, instance, owner):
        """Decorating a method gives each instance its own Function (and trace cache)."""
        if instance is None:
            return self
        try:
            bound = self._instances.get(instance)
        except TypeError:  # not weak-referenceable: no per-instance cache
            bound = None
        if bound is None:
            bound = Function(
                self._python_function.__get__(instance, owner),
                self._input_signature,
                self._autograph,
                self._reduce_retracing,
                self._jit_compile,
                self._name,
            )
            try:
                self._instances[instance] = bound
            except TypeError:
                pass
        return bound

    def __call__(self, *args, **kwargs):
        if not kwargs:
            # Tensors and Python scalars hitting a known trace never leave C++.
            result = self._fast.call(args, _MISS)
            if result is not _MISS:
                return result
        if config.functions_run_eagerly():
            return self._python_function(*args, **kwargs)
        if _C.is_tracing():
            return self._call_inline(args, kwargs)
        bound = self._bind(args, kwargs)
        key, tensors = keys.cache_key(bound)
        concrete = self._exact.get(key)
        result = _MISS
        if concrete is None:
            concrete, result = self._lookup_or_trace(key, bound, tensors)
        else:
            self._retracing.called(False)
        if not kwargs and self._fast_bind is not None and concrete._fast_kind is not None:
            self._fast.insert(args, concrete._plan, concrete._captures, concrete._fast_kind)
        return concrete._call_flat(tensors) if result is _MISS else result

    def __repr__(self):
        return f"<loom.function {self._name}>"

    # --- internals -------------------------------------------------------------------

    def _bind(self, args, kwargs):
        """Arguments in declaration order (a keys.Bound), with defaults applied."""
        fast = self._fast_bind
        if fast is not None and not kwargs and len(args) == len(fast.names):
            return keys.Bound(fast.names, fast.kinds, args)
        if self._input_signature is not None:
            return keys.bind_to_input_signature(
                self._name, self._signature, self._input_signature, args, kwargs
            )
        try:
            ba = self._signature.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"{self._name}(): {e}") from None
        ba.apply_defaults()
        return keys.flatten_bound_arguments(self._signature, ba)

    def _body(self):
        """The function traced: converted by AutoGraph unless autograph=False."""
        if not self._autograph:
            return self._python_function
        from loom.autograph import converter

        return converter.maybe_convert(self._python_function)

    def _call_inline(self, args, kwargs):
        """Called while some function is being traced: run the body into that graph."""
        active = getattr(_tracing_now, "stack", [])
        if self in active:
            raise RuntimeError(
                f"loom.function '{self._name}' calls itself while it is being traced; "
                "recursive functions are not supported (write the recursion as a loop)"
            )
        active.append(self)
        _tracing_now.stack = active
        try:
            return self._body()(*args, **kwargs)
        finally:
            active.pop()

    def _lookup_or_trace(self, key, bound, tensors):
        """(ConcreteFunction for the key, result of this call or _MISS). The call's result
        is computed here only when the first trace created variables: that trace's graph
        (which initializes them) must run once before any other call."""
        with self._lock:
            concrete = self._exact.get(key)
            if concrete is not None:
                self._retracing.called(False)
                return concrete, _MISS
            traces_before = len(self._traces)
            if self._input_signature is not None:
                # Arguments were already checked against the signature: one trace serves all.
                signature = keys.input_signature_signature(self._input_signature)
                concrete = self._concrete_for(signature, bound)
            else:
                signature, _ = keys.signature_of(bound)
                concrete = self._most_specific(signature)
                if concrete is None:
                    if self._reduce_retracing:
                        signature = keys.relax(signature, [s for s, _ in self._traces])
                    concrete = self._concrete_for(signature, bound)
            traced = len(self._traces) > traces_before
            self._retracing.called_from_cache(self._fast.take_hits())
            self._retracing.called(traced, signature, self._traces[:-1], bound.names)
            result = _MISS
            if self._pending_init is not None:
                init, self._pending_init = self._pending_init, None
                result = init._call_flat(tensors)
            self._exact[key] = concrete
            return concrete, result

    def _most_specific(self, signature):
        exact = self._by_signature.get(signature)
        if exact is not None:
            return exact
        # Otherwise only traces with None dimensions can accept it, and only those with the
        # same structure, dtypes and ranks (or an unknown rank): look at those alone.
        candidates = self._by_outline.get(keys.outline(signature), []) + self._any_rank
        best = None
        for traced, concrete in candidates:
            if keys.signature_is_subtype(signature, traced) and (
                best is None or keys.signature_is_subtype(traced, best[0])
            ):
                best = (traced, concrete)
        return None if best is None else best[1]

    def _concrete_for(self, signature, bound):
        with self._lock:
            concrete = self._by_signature.get(signature)
            if concrete is None and self._first_call_created is None:
                # The first trace may create variables. If it did, trace again with
                # creation forbidden (as TF does): that trace serves every later call, and
                # the first one runs once to initialize the variables.
                first, created = self._trace(signature, bound, allow_variables=True)
                self._first_call_created = bool(created)
                if created:
                    self._pending_init = first
                    concrete, _ = self._trace(signature, bound, allow_variables=False)
                else:
                    concrete = first
            elif concrete is None:
                concrete, _ = self._trace(signature, bound, allow_variables=False)
            if signature not in self._by_signature:
                self._traces.append((signature, concrete))
                self._by_signature[signature] = concrete
                outline = keys.outline(signature)
                if outline is None:
                    self._any_rank.append((signature, concrete))
                elif not keys.fully_defined(signature):
                    self._by_outline.setdefault(outline, []).append((signature, concrete))
            return concrete

    def _trace(self, signature, bound, allow_variables):
        """(ConcreteFunction, variables created while tracing)."""
        active = getattr(_tracing_now, "stack", [])
        active.append(self)
        _tracing_now.stack = active
        tracer = _C.Tracer(self._name)
        scope = variables.creation_scope(
            self._name, allow_variables, bool(self._first_call_created)
        )
        try:
            with tracer, scope:
                args, kwargs, arg_names = keys.placeholders_for(tracer, signature, bound)
                outputs = self._body()(*args, **kwargs)
                template, flat = keys.flatten_outputs(self._name, outputs)
            tracer.finish(flat)
        finally:
            active.pop()
        return ConcreteFunction(
            self._name,
            tracer.graph,
            tracer.captures(),
            signature,
            bound,
            template,
            arg_names,
            self._bind,
        ), scope.created


@export("function")
def function(
    func=None,
    input_signature=None,
    autograph=True,
    jit_compile=None,
    reduce_retracing=False,
    experimental_relax_shapes=None,
    experimental_implements=None,
    experimental_autograph_options=None,
    experimental_attributes=None,
    experimental_follow_type_hints=None,
    name=None,
):
    """Compiles `func` into cached graphs (usable as `@function` or `@function(...)`)."""
    if experimental_relax_shapes is not None:
        reduce_retracing = reduce_retracing or experimental_relax_shapes

    def decorate(f):
        return Function(f, input_signature, autograph, reduce_retracing, jit_compile, name)

    return decorate if func is None else decorate(func)


export("TensorSpec")(TensorSpec)
