// Error codes mirror TensorFlow's canonical codes; the Python layer maps each to a
// loom.errors.* class of the same name.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace loom {

enum class ErrorCode {
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
  kOutOfScope = 17,  // a symbolic tensor used outside its graph (Python: TypeError too)
  kNoGradient = 18,  // a differentiable path crosses an op without a gradient (LookupError)
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, std::string message)
      : std::runtime_error(std::move(message)), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

namespace detail {
template <class... Args>
std::string concat(Args&&... args) {
  std::ostringstream os;
  (os << ... << std::forward<Args>(args));
  return os.str();
}
}  // namespace detail

// Throws Error(code, "<pieces...>"); pieces are streamed, so shapes and dtypes print.
template <class... Args>
[[noreturn]] void raise(ErrorCode code, Args&&... args) {
  throw Error(code, detail::concat(std::forward<Args>(args)...));
}

#define LOOM_CHECK_ARG(cond, ...)                                                 \
  do {                                                                            \
    if (!(cond)) ::loom::raise(::loom::ErrorCode::kInvalidArgument, __VA_ARGS__); \
  } while (0)

}  // namespace loom
