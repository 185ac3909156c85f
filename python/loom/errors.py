"""Exceptions raised by ops, named and numbered as TensorFlow's (tf.errors)."""

from loom import _C
from loom._api import export

OK = 0
CANCELLED = 1
UNKNOWN = 2
INVALID_ARGUMENT = 3
DEADLINE_EXCEEDED = 4
NOT_FOUND = 5
ALREADY_EXISTS = 6
PERMISSION_DENIED = 7
RESOURCE_EXHAUSTED = 8
FAILED_PRECONDITION = 9
ABORTED = 10
OUT_OF_RANGE = 11
UNIMPLEMENTED = 12
INTERNAL = 13
UNAVAILABLE = 14
DATA_LOSS = 15
UNAUTHENTICATED = 16


class OpError(Exception):
    """Base of every error an op raises. `message` names the op, shapes and dtypes."""

    error_code = UNKNOWN

    def __init__(self, *args):
        # Accepts TF's (node_def, op, message[, error_code]) or just a message.
        if len(args) >= 3:
            self.node_def, self.op, self._message = args[0], args[1], args[2]
        else:
            self.node_def, self.op = None, None
            self._message = args[0] if args else ""
        super().__init__(self._message)

    @property
    def message(self):
        return self._message

    def __str__(self):
        return self._message


def _make(name, code):
    cls = type(name, (OpError,), {"error_code": code, "__module__": __name__})
    globals()[name] = cls
    export(f"errors.{name}")(cls)
    _C._register_error_class(code, cls)
    return cls


CancelledError = _make("CancelledError", CANCELLED)
UnknownError = _make("UnknownError", UNKNOWN)
InvalidArgumentError = _make("InvalidArgumentError", INVALID_ARGUMENT)
DeadlineExceededError = _make("DeadlineExceededError", DEADLINE_EXCEEDED)
NotFoundError = _make("NotFoundError", NOT_FOUND)
AlreadyExistsError = _make("AlreadyExistsError", ALREADY_EXISTS)
PermissionDeniedError = _make("PermissionDeniedError", PERMISSION_DENIED)
ResourceExhaustedError = _make("ResourceExhaustedError", RESOURCE_EXHAUSTED)
FailedPreconditionError = _make("FailedPreconditionError", FAILED_PRECONDITION)
AbortedError = _make("AbortedError", ABORTED)
OutOfRangeError = _make("OutOfRangeError", OUT_OF_RANGE)
UnimplementedError = _make("UnimplementedError", UNIMPLEMENTED)
InternalError = _make("InternalError", INTERNAL)
UnavailableError = _make("UnavailableError", UNAVAILABLE)
DataLossError = _make("DataLossError", DATA_LOSS)
UnauthenticatedError = _make("UnauthenticatedError", UNAUTHENTICATED)
export("errors.OpError")(OpError)


class InaccessibleTensorError(InvalidArgumentError, TypeError):
    """A symbolic tensor used outside the graph that made it (core code kOutOfScope):
    an InvalidArgumentError that is also a TypeError, as TF raises for leaked tensors."""


export("errors.InaccessibleTensorError")(InaccessibleTensorError)
_C._register_error_class(17, InaccessibleTensorError)  # loom::ErrorCode::kOutOfScope
for _name in [n for n in dir() if n.isupper()]:
    export(f"errors.{_name}")(globals()[_name])
# loom::ErrorCode::kNoGradient: TF raises the built-in LookupError for an op without a
# registered gradient on a differentiable path.
_C._register_error_class(18, LookupError)
