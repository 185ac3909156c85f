"""tf.math: elementwise arithmetic and functions."""

from loom.ops._op import binary, unary

add = binary("AddV2", "math.add", "add")
subtract = binary("Sub", "math.subtract", "subtract")
multiply = binary("Mul", "math.multiply", "multiply")
negative = unary("Neg", "math.negative", "negative")
exp = unary("Exp", "math.exp", "exp")
