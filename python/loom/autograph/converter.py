"""The AutoGraph converter: rewrites a Python function's `if`, `while`, `for`, `and`,
`or`, `not`, conditional expressions and calls into calls of `ag__` operators, which
pick Python or graph semantics at run time from the operands' types.

Supported now: if/elif/else (also with `return` in the branches), while, for over
Python iterables and tensors, boolean operators, `x if c else y`, recursive conversion
of called user functions. Not yet: break/continue/return inside loops, for/while-else.
"""

import ast
import functools
import inspect
import sys
import textwrap
import types
import warnings
import weakref

from loom.autograph import operators

_cache = weakref.WeakKeyDictionary()  # function -> converted function
_DO_NOT_CONVERT_ATTR = "__loom_do_not_convert__"
_SKIP_MODULES = ("loom", "numpy", "builtins")
_HELPER_PREFIXES = ("ag__if_", "ag__while_", "ag__for_", "ag__converted_", "ag__item")


class _Counter:
    def __init__(self):
        self.n = 0

    def next(self, prefix):
        self.n += 1
        return f"ag__{prefix}_{self.n}"


def _assigned_names(stmts):
    """Names bound by `stmts`, not counting nested functions, lambdas or classes."""
    names = []

    class Visitor(ast.NodeVisitor):
        def visit_Name(self, node):
            if isinstance(node.ctx, ast.Store) and node.id not in names:
                names.append(node.id)

        def visit_FunctionDef(self, node):
            if node.name not in names:
                names.append(node.name)

        visit_AsyncFunctionDef = visit_FunctionDef

        def visit_ClassDef(self, node):
            if node.name not in names:
                names.append(node.name)

        def visit_Lambda(self, node):
            pass

    for s in stmts:
        Visitor().visit(s)
    # Generated helper functions are not state; generated break/continue flags are.
    return [n for n in names if not n.startswith(_HELPER_PREFIXES)]


def _loop_exits(stmts):
    """break/continue/return that belong to this loop (not to nested functions)."""
    found = []

    def walk(node, in_nested_loop):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return
        if isinstance(node, ast.Return) or (
            isinstance(node, (ast.Break, ast.Continue)) and not in_nested_loop
        ):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            walk(child, in_nested_loop or isinstance(node, (ast.For, ast.While)))

    for s in stmts:
        walk(s, False)
    return found


def _owns_jump(stmts, kind):
    """Whether `stmts` hold a break/continue (kind) of the loop they are in."""
    return any(isinstance(n, kind) for n in _loop_exits(stmts))


def _lower_jumps(stmts, brk, cont):
    """Replaces this loop's `break`/`continue` with flag assignments and guards the
    statements after them with `if not <flags>:`."""
    out = []
    for i, s in enumerate(stmts):
        if isinstance(s, ast.Break):
            out.append(ast.Assign(targets=[_name(brk, True)], value=ast.Constant(True)))
            return out
        if isinstance(s, ast.Continue):
            out.append(ast.Assign(targets=[_name(cont, True)], value=ast.Constant(True)))
            return out
        if isinstance(s, ast.If) and _owns_jump([s], (ast.Break, ast.Continue)):
            s.body = _lower_jumps(s.body, brk, cont)
            s.orelse = _lower_jumps(s.orelse, brk, cont)
            out.append(s)
            rest = _lower_jumps(stmts[i + 1 :], brk, cont)
            if rest:
                stop = ast.BoolOp(op=ast.Or(), values=[_name(brk), _name(cont)])
                out.append(
                    ast.If(test=ast.UnaryOp(op=ast.Not(), operand=stop), body=rest, orelse=[])
                )
            return out
        out.append(s)
    return out


def _name(id_, store=False):
    return ast.Name(id=id_, ctx=ast.Store() if store else ast.Load())


def _tuple(names, store=False):
    return ast.Tuple(
        elts=[_name(n, store) for n in names], ctx=ast.Store() if store else ast.Load()
    )


def _str_tuple(names):
    return ast.Tuple(elts=[ast.Constant(n) for n in names], ctx=ast.Load())


def _ag(attr):
    return ast.Attribute(value=_name("ag__"), attr=attr, ctx=ast.Load())


def _call(func, *args):
    return ast.Call(func=func, args=list(args), keywords=[])


def _def(name, params, body):
    return ast.FunctionDef(
        name=name,
        args=ast.arguments(
            posonlyargs=[],
            args=[ast.arg(arg=p) for p in params],
            vararg=None,
            kwonlyargs=[],
            kw_defaults=[],
            kwarg=None,
            defaults=[],
        ),
        body=body or [ast.Pass()],
        decorator_list=[],
        returns=None,
        type_params=[],
    )


def _locals_of(names):
    return _call(_ag("get_locals"), _call(_name("locals")), _str_tuple(names))


class _Transformer(ast.NodeTransformer):
    def __init__(self, counter, filename, line_offset):
        self.counter = counter
        self.filename = filename
        self.line_offset = line_offset

    def _error(self, node, what):
        line = getattr(node, "lineno", 0) + self.line_offset
        return NotImplementedError(
            f"{self.filename}:{line}: {what} is not supported by loom's AutoGraph yet"
        )

    # --- statement lists: returns inside `if` ----------------------------------------

    def _lower_loop_returns(self, stmts):
        """Rewrites `return` inside loops: the loop records the value, sets a flag and
        breaks; after the loop, `if flag: return value` (then lifted like any `if`)."""
        out = []
        for s in stmts:
            if not isinstance(s, (ast.While, ast.For)) or not any(
                isinstance(r, ast.Return) for r in _loop_exits(s.body)
            ):
                out.append(s)
                continue
            retval, returned = self.counter.next("retval"), self.counter.next("returned")
            s.body = _ReturnToBreak(retval, returned, self).lower(s.body)
            undefined = _call(_ag("Undefined"), ast.Constant("the return value"))
            out.append(ast.Assign(targets=[_name(retval, True)], value=undefined))
            out.append(ast.Assign(targets=[_name(returned, True)], value=ast.Constant(False)))
            out.append(s)
            out.append(
                ast.If(test=_name(returned), body=[ast.Return(value=_name(retval))], orelse=[])
            )
        return out

    def block(self, stmts):
        """Transforms a statement list, lifting `if`s that return into expression form."""
        stmts = self._lower_loop_returns(stmts)
        out = []
        for i, s in enumerate(stmts):
            if isinstance(s, ast.If) and self._returns_outside_loops(s):
                rest = stmts[i + 1 :]
                true_body = self._ending_in_return(
                    s.body + ([] if _ends_in_return(s.body) else rest)
                )
                false_body = self._ending_in_return(
                    s.orelse + ([] if _ends_in_return(s.orelse) else rest)
                )
                t_name, f_name = self.counter.next("if_true"), self.counter.next("if_false")
                out.append(_def(t_name, [], self.block(true_body)))
                out.append(_def(f_name, [], self.block(false_body)))
                ret = ast.Return(
                    value=_call(_ag("if_return"), self.visit(s.test), _name(t_name), _name(f_name))
                )
                out.append(ret)
                return [ast.copy_location(n, s) for n in out]
            result = self.visit(s)
            out.extend(result if isinstance(result, list) else [result])
        return out

    @staticmethod
    def _returns_outside_loops(node):
        return any(isinstance(r, ast.Return) for r in _loop_exits([node]))

    @staticmethod
    def _ending_in_return(stmts):
        return stmts if _ends_in_return(stmts) else stmts + [ast.Return(value=None)]

    # --- compound statements ------------------------------------------------------------

    def visit_FunctionDef(self, node):
        node.body = self.block(node.body)
        node.decorator_list = []
        return node

    def visit_If(self, node):
        names = _assigned_names(node.body + node.orelse)
        t_name, f_name = self.counter.next("if_true"), self.counter.next("if_false")
        ret = ast.Return(value=_tuple(names))
        true_fn = _def(t_name, names, self.block(node.body) + [ret])
        false_fn = _def(f_name, names, self.block(node.orelse) + [ast.Return(value=_tuple(names))])
        call = _call(
            _ag("if_stmt"),
            self.visit(node.test),
            _name(t_name),
            _name(f_name),
            _locals_of(names),
            _str_tuple(names),
        )
        stmt = (
            ast.Assign(targets=[_tuple(names, store=True)], value=call)
            if names
            else ast.Expr(value=call)
        )
        return [ast.copy_location(n, node) for n in (true_fn, false_fn, stmt)]

    def _check_loop(self, node):
        if node.orelse:
            kind = "while/else" if isinstance(node, ast.While) else "for/else"
            raise self._error(node, kind)
        exits = _loop_exits(node.body)
        if exits:
            kind = type(exits[0]).__name__.lower()
            raise self._error(exits[0], f"`{kind}` inside a loop")

    def _lower_loop(self, node):
        """(statements to run before the loop, break flag or None) after lowering jumps."""
        if not _owns_jump(node.body, (ast.Break, ast.Continue)):
            return [], None
        brk, cont = self.counter.next("break"), self.counter.next("continue")
        node.body = [ast.Assign(targets=[_name(cont, True)], value=ast.Constant(False))] + (
            _lower_jumps(node.body, brk, cont)
        )
        return [ast.Assign(targets=[_name(brk, True)], value=ast.Constant(False))], brk

    @staticmethod
    def _pop_loop_options(node):
        """The loop's `set_loop_options(...)` call (its first statement), as an
        `ag__.loop_options(...)` expression; the call itself is removed."""
        first = node.body[0] if node.body else None
        call = first.value if isinstance(first, ast.Expr) else None
        func = getattr(call, "func", None)
        name = getattr(func, "attr", None) or getattr(func, "id", None)
        if not isinstance(call, ast.Call) or name != "set_loop_options":
            return ast.Constant(None)
        node.body = node.body[1:] or [ast.Pass()]
        return ast.Call(func=_ag("loop_options"), args=[], keywords=call.keywords)

    def visit_While(self, node):
        opts = self._pop_loop_options(node)
        before, brk = self._lower_loop(node)
        if brk:
            node.test = ast.BoolOp(
                op=ast.And(), values=[ast.UnaryOp(op=ast.Not(), operand=_name(brk)), node.test]
            )
        self._check_loop(node)
        names = _assigned_names(node.body)
        c_name, b_name = self.counter.next("while_test"), self.counter.next("while_body")
        test_fn = _def(c_name, names, [ast.Return(value=self.visit(node.test))])
        body_fn = _def(b_name, names, self.block(node.body) + [ast.Return(value=_tuple(names))])
        call = _call(
            _ag("while_stmt"), _name(c_name), _name(b_name), _locals_of(names), _str_tuple(names)
        )
        call.keywords = [ast.keyword(arg="opts", value=opts)]
        stmt = (
            ast.Assign(targets=[_tuple(names, store=True)], value=call)
            if names
            else ast.Expr(value=call)
        )
        return [ast.copy_location(n, node) for n in (*before, test_fn, body_fn, stmt)]

    def visit_For(self, node):
        opts = self._pop_loop_options(node)
        before, brk = self._lower_loop(node)
        self._check_loop(node)
        target_names = _assigned_names([ast.Assign(targets=[node.target], value=ast.Constant(0))])
        names = [n for n in _assigned_names(node.body) if n not in target_names]
        b_name = self.counter.next("for_body")
        unpack = ast.Assign(targets=[node.target], value=_name("ag__item"))
        body_fn = _def(
            b_name,
            ["ag__item"] + names,
            [unpack] + self.block(node.body) + [ast.Return(value=_tuple(names))],
        )
        call = _call(
            _ag("for_stmt"),
            self.visit(node.iter),
            _name(b_name),
            _locals_of(names),
            _str_tuple(names),
            ast.Constant(brk),
        )
        call.keywords = [ast.keyword(arg="opts", value=opts)]
        stmt = (
            ast.Assign(targets=[_tuple(names, store=True)], value=call)
            if names
            else ast.Expr(value=call)
        )
        return [ast.copy_location(n, node) for n in (*before, body_fn, stmt)]

    # --- expressions ----------------------------------------------------------------------

    def visit_BoolOp(self, node):
        values = [self.visit(v) for v in node.values]
        fn = "and_" if isinstance(node.op, ast.And) else "or_"
        expr = values[-1]
        for v in reversed(values[:-1]):
            expr = _call(_ag(fn), v, ast.Lambda(args=_no_args(), body=expr))
        return ast.copy_location(expr, node)

    def visit_UnaryOp(self, node):
        node = self.generic_visit(node)
        if isinstance(node.op, ast.Not):
            return ast.copy_location(_call(_ag("not_"), node.operand), node)
        return node

    def visit_IfExp(self, node):
        call = _call(
            _ag("if_return"),
            self.visit(node.test),
            ast.Lambda(args=_no_args(), body=self.visit(node.body)),
            ast.Lambda(args=_no_args(), body=self.visit(node.orelse)),
        )
        return ast.copy_location(call, node)

    def visit_Call(self, node):
        node = self.generic_visit(node)
        f = node.func
        if isinstance(f, ast.Name) and f.id in ("super", "locals", "globals", "print"):
            return node
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and f.value.id == "ag__":
            return node
        node.args = [f] + node.args
        node.func = _ag("converted_call")
        return node

    def visit_Lambda(self, node):
        return node  # a lambda is converted when it is called (converted_call)

    def visit_comprehension(self, node):
        node = self.generic_visit(node)
        node.iter = _call(_ag("comprehension_iter"), node.iter)
        return node

    def visit_Assert(self, node):
        node = self.generic_visit(node)
        msg = node.msg if node.msg is not None else ast.Constant("Assertion failed")
        call = _call(_ag("assert_stmt"), node.test, ast.Lambda(args=_no_args(), body=msg))
        return ast.copy_location(ast.Expr(value=call), node)

    def visit_Compare(self, node):
        node = self.generic_visit(node)
        if len(node.ops) == 1:
            return node
        # a < b < c: pairwise comparisons joined by a lazy `and` (tensors too).
        parts, left = [], node.left
        for op, right in zip(node.ops, node.comparators):
            parts.append(ast.Compare(left=left, ops=[op], comparators=[right]))
            left = right
        expr = parts[-1]
        for p in reversed(parts[:-1]):
            expr = _call(_ag("and_"), p, ast.Lambda(args=_no_args(), body=expr))
        return ast.copy_location(expr, node)


class _ReturnToBreak(ast.NodeTransformer):
    """`return x` in a loop body -> record x, set the flag, break (nested loops excluded)."""

    def __init__(self, retval, returned, owner):
        self.retval, self.returned, self.owner = retval, returned, owner

    def lower(self, stmts):
        return [n for s in stmts for n in _as_list(self.visit(s))]

    def visit_Return(self, node):
        value = node.value if node.value is not None else ast.Constant(None)
        return [
            ast.Assign(targets=[_name(self.retval, True)], value=value),
            ast.Assign(targets=[_name(self.returned, True)], value=ast.Constant(True)),
            ast.Break(),
        ]

    def visit_While(self, node):
        if any(isinstance(r, ast.Return) for r in _loop_exits(node.body)):
            raise self.owner._error(node, "`return` inside a nested loop")
        return node

    visit_For = visit_While

    def visit_FunctionDef(self, node):
        return node

    visit_AsyncFunctionDef = visit_Lambda = visit_ClassDef = visit_FunctionDef


def _as_list(x):
    return x if isinstance(x, list) else [x]


def _no_args():
    return ast.arguments(
        posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[]
    )


def _ends_in_return(stmts):
    return bool(stmts) and isinstance(stmts[-1], ast.Return)


def _parse(f):
    source = textwrap.dedent(inspect.getsource(f))
    _, line = inspect.getsourcelines(f)
    if f.__name__ == "<lambda>":
        return None, _lambda_as_def(f, source), line - 1
    tree = ast.parse(source)
    node = tree.body[0]
    if not isinstance(node, ast.FunctionDef):
        raise ValueError("not a plain function definition")
    return tree, node, line - 1


def _lambda_as_def(f, source):
    """`def ag__lambda(args): return body` for the one lambda on f's source lines whose
    parameters are f's (ambiguous lines are not converted)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        tree = ast.parse("(" + source.strip().rstrip(",") + ")")  # a lambda inside a call
    code = f.__code__
    params = list(code.co_varnames[: code.co_argcount])
    found = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Lambda) and [a.arg for a in n.args.args] == params
    ]
    if len(found) != 1:
        raise ValueError("the lambda's source is ambiguous")
    lam = found[0]
    node = ast.FunctionDef(
        name="ag__lambda",
        args=lam.args,
        body=[ast.Return(value=lam.body)],
        decorator_list=[],
        returns=None,
        type_params=[],
    )
    ast.copy_location(node, lam)
    return ast.fix_missing_locations(node)


def converted_tree(f):
    """(module AST defining the converted function, its name) for a Python function."""
    tree, node, offset = _parse(f)
    filename = inspect.getsourcefile(f) or "<unknown>"
    transformer = _Transformer(_Counter(), filename, offset)
    node = transformer.visit_FunctionDef(node)
    # A distinct name, so a recursive reference to `f` inside still means the global `f`.
    node.name = f"ag__converted_{node.name}"
    freevars = list(f.__code__.co_freevars)
    factory = _def("ag__factory", ["ag__"] + freevars, [node, ast.Return(value=_name(node.name))])
    module = ast.Module(body=[factory], type_ignores=[])
    ast.fix_missing_locations(module)
    ast.increment_lineno(module, offset)
    return module, node.name


def convert(f):
    """The converted version of a plain Python function (cached per function)."""
    cached = _cache.get(f)
    if cached is not None:
        return cached
    module, name = converted_tree(f)
    namespace = {}
    code = compile(module, inspect.getsourcefile(f) or "<autograph>", "exec")
    exec(code, f.__globals__, namespace)  # noqa: S102 - the user's own code, rewritten
    cells = [
        c.cell_contents if _cell_full(c) else operators.Undefined(n)
        for c, n in zip(f.__closure__ or (), f.__code__.co_freevars)
    ]
    converted = namespace["ag__factory"](operators, *cells)
    functools.update_wrapper(converted, f)
    converted.__loom_converted__ = True
    _cache[f] = converted
    return converted


def _cell_full(cell):
    try:
        return cell.cell_contents is not None or True
    except ValueError:
        return False


_warned = set()


def maybe_convert(f):
    """`f` converted when it is user code that can be converted, else `f` itself."""
    if isinstance(f, types.MethodType):
        func = maybe_convert(f.__func__)
        return f if func is f.__func__ else types.MethodType(func, f.__self__)
    if not isinstance(f, types.FunctionType) or getattr(f, "__loom_converted__", False):
        if f is range:
            return _range
        if f is len:
            return _len
        return f
    if getattr(f, _DO_NOT_CONVERT_ATTR, False):
        return f
    module = getattr(f, "__module__", "") or ""
    if module.split(".")[0] in _SKIP_MODULES or module in sys.stdlib_module_names:
        return f
    # Installed libraries run as written: only the user's own code is converted.
    filename = f.__code__.co_filename
    if "site-packages" in filename or "dist-packages" in filename:
        return f
    try:
        return convert(f)
    except NotImplementedError:
        raise
    except (OSError, TypeError, ValueError, SyntaxError, IndexError) as e:
        if f.__name__ == "<lambda>":
            return f  # lambdas whose source is unclear run as written, silently
        if f not in _warned:
            _warned.add(f)
            warnings.warn(
                f"AutoGraph could not convert {f.__qualname__} ({e}); it runs as written",
                stacklevel=3,
            )
        return f


def _len(x):
    """len(); a tensor whose first dimension is known only at run time gives a tensor."""
    if operators._is_tensor(x) and x.shape.rank and x.shape[0] is None:
        from loom.ops import array_ops

        return array_ops.shape(x)[0]
    return len(x)


def _range(*args):
    if any(operators._is_tensor(a) for a in args):
        from loom.ops import array_ops

        return array_ops.range(*args)
    return range(*args)
