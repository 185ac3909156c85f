#include "loom/eager/execute.h"

#include <array>
#include <string>
#include <utility>

#include "loom/autodiff/graph_grad.h"
#include "loom/core/small_array.h"
#include "loom/eager/tape.h"

namespace loom {

namespace {
thread_local OpHandler* tls_handler = nullptr;
thread_local std::string tls_next_name;
constexpr int kMaxTypeVars = 8;
constexpr int kInlineInputs = 8;

void check_arity(const OpDef& op, int n) {
  int declared = static_cast<int>(op.inputs().size());
  if (op.has_variadic_input()) {
    if (n < declared - 1)
      raise(ErrorCode::kInvalidArgument, "[", op.name(), "] expected at least ", declared - 1,
            " inputs, got ", n);
  } else if (n != declared) {
    raise(ErrorCode::kInvalidArgument, "[", op.name(), "] expected ", declared, " inputs, got ", n);
  }
}

void check_attr_names(const OpDef& op, const Attrs& attrs) {
  for (const auto& [name, value] : attrs.items())
    if (!op.find_attr(name))
      raise(ErrorCode::kInvalidArgument, "[", op.name(), "] unknown attribute '", name, "'");
}

// Binds each type variable to the dtype of the first input naming it and checks the rest.
void bind_type_vars(const OpDef& op, std::span<const InputInfo> inputs,
                    std::array<DType, kMaxTypeVars>& bound) {
  const auto& vars = op.type_vars();
  bound.fill(DType::kInvalid);
  std::array<int, kMaxTypeVars> first{};
  const int n = static_cast<int>(inputs.size());
  for (int i = 0; i < n; ++i) {
    const ArgDef& arg = op.inputs()[op.input_arg_for(i, n)];
    DType dt = inputs[i].dtype;
    if (arg.type_var.empty()) {
      if (arg.fixed != DType::kInvalid && dt != arg.fixed)
        raise(ErrorCode::kInvalidArgument, "[", op.name(), "] input #", i, " '", arg.name,
              "' must be ", dtype_name(arg.fixed), ", got ", dtype_name(dt));
      continue;
    }
    int v = op.type_var_index(arg.type_var);
    if (bound[v] == DType::kInvalid) {
      if (!vars[v].allowed.contains(dt))
        raise(ErrorCode::kInvalidArgument, "[", op.name(), "] input #", i, " '", arg.name,
              "' has unsupported dtype ", dtype_name(dt),
              "; expected one of: ", dtype_set_names(vars[v].allowed));
      bound[v] = dt;
      first[v] = i;
    } else if (bound[v] != dt) {
      raise(ErrorCode::kInvalidArgument, "[", op.name(), "] input #", i, " '", arg.name, "' is ",
            dtype_name(dt), " but input #", first[v], " is ", dtype_name(bound[v]),
            "; they must have the same dtype (use tf.cast)");
    }
  }
}
}  // namespace

OpHandler* current_handler() {
  return tls_handler;
}

void set_next_node_name(std::string_view name) {
  tls_next_name.assign(name);
}
std::string take_next_node_name() {
  return std::exchange(tls_next_name, std::string());
}

HandlerScope::HandlerScope(OpHandler* h) : previous_(tls_handler) {
  tls_handler = h;
}
HandlerScope::~HandlerScope() {
  tls_handler = previous_;
}

std::vector<TensorType> check_and_infer(const OpDef& op, std::span<const InputInfo> inputs,
                                        const Attrs& attrs, bool* value_dependent) {
  check_arity(op, static_cast<int>(inputs.size()));
  if (!attrs.empty()) check_attr_names(op, attrs);
  std::array<DType, kMaxTypeVars> bound;
  bind_type_vars(op, inputs, bound);
  InferContext ctx(op, inputs, attrs, std::span<const DType>(bound.data(), op.type_vars().size()));
  if (op.infer_fn()) {
    op.infer_fn()(ctx);
  } else {
    for (size_t i = 0; i < op.outputs().size(); ++i) ctx.set_output(static_cast<int>(i), Shape{});
  }
  if (value_dependent) *value_dependent = ctx.read_values();
  return std::move(ctx.outputs());
}

std::vector<Tensor> execute_eager(const OpDef& op, std::span<const Tensor> inputs,
                                  const Attrs& attrs) {
  const size_t n = inputs.size();
  SmallArray<InputInfo, kInlineInputs> info(n);
  for (size_t i = 0; i < n; ++i) {
    if (!inputs[i].defined())
      raise(ErrorCode::kInvalidArgument, "[", op.name(), "] input #", i, " is undefined");
    if (inputs[i].is_symbolic())
      raise(ErrorCode::kOutOfScope, "[", op.name(), "] input #", i,
            " is a symbolic tensor of a function's graph: it is out of scope and cannot be "
            "used here (it leaked out of the function that made it; return it instead)");
    info[i] = {inputs[i].dtype(), &inputs[i].shape(), &inputs[i]};
  }
  std::vector<TensorType> types = check_and_infer(op, {info.data(), n}, attrs);
  if (!op.kernel_fn()) raise(ErrorCode::kUnimplemented, "[", op.name(), "] has no CPU kernel");
  std::vector<Tensor> outputs(types.size());
  KernelContext ctx(op, inputs, attrs, types, outputs);
  op.kernel_fn()(ctx);
  for (int i = 0; i < ctx.num_outputs(); ++i) ctx.output(i);  // kernels may leave empties
  return outputs;
}

std::vector<Tensor> execute(const OpDef& op, std::span<const Tensor> inputs, const Attrs& attrs) {
  if (replay_active()) {
    // Gradient code (a custom gradient) may name values of the graph being replayed.
    std::vector<Tensor> resolved(inputs.begin(), inputs.end());
    for (Tensor& t : resolved) t = resolve_replayed(t);
    std::vector<Tensor> outputs =
        tls_handler ? tls_handler->run(op, resolved, attrs) : execute_eager(op, resolved, attrs);
    if (any_tape_active()) record_operation(op, attrs, resolved, outputs);
    return outputs;
  }
  std::vector<Tensor> outputs =
      tls_handler ? tls_handler->run(op, inputs, attrs) : execute_eager(op, inputs, attrs);
  if (any_tape_active()) record_operation(op, attrs, inputs, outputs);
  return outputs;
}

std::vector<Tensor> execute(std::string_view op, std::span<const Tensor> inputs,
                            const Attrs& attrs) {
  return execute(OpRegistry::global().get(op), inputs, attrs);
}

Tensor execute1(const OpDef& op, std::span<const Tensor> inputs, const Attrs& attrs) {
  std::vector<Tensor> out = execute(op, inputs, attrs);
  if (out.size() != 1)
    raise(ErrorCode::kInternal, "[", op.name(), "] produced ", out.size(),
          " outputs where one was expected");
  return std::move(out[0]);
}

Tensor execute1(std::string_view op, std::initializer_list<Tensor> inputs, const Attrs& attrs) {
  return execute1(OpRegistry::global().get(op),
                  std::span<const Tensor>(inputs.begin(), inputs.size()), attrs);
}

}  // namespace loom
