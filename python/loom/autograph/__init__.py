"""tf.autograph: converting Python control flow on tensors into graph control flow."""

import ast

from loom._api import export
from loom.autograph import converter


@export("autograph.to_code")
def to_code(entity, recursive=True, experimental_optional_features=None):
    """The converted source of a function, as readable Python."""
    fn = getattr(entity, "python_function", entity)
    module, _ = converter.converted_tree(fn)
    node = module.body[0].body[0]
    node.name = fn.__name__
    return ast.unparse(node)


@export("autograph.to_graph")
def to_graph(entity, recursive=True, experimental_optional_features=None):
    """The converted function (call it inside loom.function to build graph control flow)."""
    return converter.convert(getattr(entity, "python_function", entity))


@export("autograph.experimental.do_not_convert")
def do_not_convert(func=None):
    """Marks a function to run as written, never converted."""
    if func is None:
        return do_not_convert
    setattr(func, converter._DO_NOT_CONVERT_ATTR, True)
    return func


@export("autograph.experimental.set_loop_options")
def set_loop_options(
    parallel_iterations=None, swap_memory=None, maximum_iterations=None, shape_invariants=None
):
    """Options for the loop whose body starts with this call: the converter removes the
    call and passes maximum_iterations and shape_invariants ((variable, shape) pairs) to
    the graph loop. Called anywhere else, it does nothing."""
