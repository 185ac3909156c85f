// The single declaration of an op: its signature, traits, shape/dtype inference, CPU
// kernel and gradient. Everything else — eager dispatch, tracing, bindings —
// reads this.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "loom/core/attrs.h"
#include "loom/core/tensor.h"

namespace loom {

struct TensorType {
  DType dtype = DType::kInvalid;
  Shape shape;
};

// Declared properties; passes and the runtime test these bits, never op names.
enum Trait : uint32_t {
  kStateful = 1u << 0,     // has side effects or hidden state: never pruned or folded
  kElementwise = 1u << 1,  // output[i] depends only on inputs[i] (after broadcasting)
  kCommutative = 1u << 2,
  kNotDifferentiable = 1u << 3,
  kRandom = 1u << 4,         // draws from the random state
  kResourceRead = 1u << 5,   // reads the variable given as input 0
  kResourceWrite = 1u << 6,  // writes the variable given as input 0
  // Output 0 may take input 0's buffer when the executor knows input 0 is dead (a
  // scatter into a tensor updates it in place instead of copying it).
  kInPlaceInput0 = 1u << 7,
};

struct ArgDef {
  std::string name;
  std::string type_var;           // e.g. "T": all args naming it share one dtype
  DType fixed = DType::kInvalid;  // used when type_var is empty; kInvalid: any dtype
  std::string dtype_attr;         // output only: dtype read from this attr
  bool variadic = false;          // input only: a list of tensors (at most one per op)
};

struct AttrDef {
  std::string name;
  AttrValue default_value;  // monostate: required
};

struct TypeVarDef {
  std::string name;
  DTypeSet allowed;
};

class OpDef;

// What inference sees of one input: its type and, when known (eager, or a constant
// in a graph), its value.
struct InputInfo {
  DType dtype;
  const Shape* shape;
  const Tensor* value;  // null when unknown
};

class InferContext {
 public:
  InferContext(const OpDef& op, std::span<const InputInfo> inputs, const Attrs& attrs,
               std::span<const DType> type_vars)
      : op_(op), inputs_(inputs), attrs_(attrs), type_vars_(type_vars) {}

  const OpDef& op() const { return op_; }
  const char* name() const;
  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  DType input_dtype(int i) const { return inputs_[i].dtype; }
  const Shape& input_shape(int i) const { return *inputs_[i].shape; }
  const Tensor* input_value(int i) const {
    read_values_ = true;
    return inputs_[i].value;
  }
  // Whether inference looked at any input's value (then it must re-run at run time).
  bool read_values() const { return read_values_; }
  DType type_var(std::string_view name) const;
  const Attrs& attrs() const { return attrs_; }
  // Attr getters that fall back to the op's declared defaults.
  int64_t attr_int(std::string_view n) const;
  double attr_float(std::string_view n) const;
  bool attr_bool(std::string_view n) const;
  DType attr_dtype(std::string_view n) const;
  const std::string& attr_string(std::string_view n) const;
  const std::vector<int64_t>& attr_ints(std::string_view n) const;
  const AttrValue& attr(std::string_view n) const;

  // Sets output i (outputs grow as needed). The dtype defaults to the declared one.
  void set_output(int i, Shape shape, DType dtype = DType::kInvalid);
  std::vector<TensorType>& outputs() { return outputs_; }
  DType declared_output_dtype(int i) const;

 private:
  const OpDef& op_;
  std::span<const InputInfo> inputs_;
  const Attrs& attrs_;
  std::span<const DType> type_vars_;
  std::vector<TensorType> outputs_;
  mutable bool read_values_ = false;
};

class KernelContext {
 public:
  // Outputs are written into `outputs` (sized like `output_types`), which the caller
  // owns: eager execution returns them, the executor keeps them in its value slots.
  KernelContext(const OpDef& op, std::span<const Tensor> inputs, const Attrs& attrs,
                const std::vector<TensorType>& output_types, std::span<Tensor> outputs)
      : op_(op), inputs_(inputs), attrs_(attrs), types_(output_types), outputs_(outputs) {}

  const OpDef& op() const { return op_; }
  const char* name() const;
  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  const Tensor& input(int i) const { return inputs_[i]; }
  std::span<const Tensor> inputs() const { return inputs_; }
  int num_outputs() const { return static_cast<int>(types_.size()); }
  const TensorType& output_type(int i) const { return types_[i]; }

  int64_t attr_int(std::string_view n) const;
  double attr_float(std::string_view n) const;
  bool attr_bool(std::string_view n) const;
  DType attr_dtype(std::string_view n) const;
  const std::string& attr_string(std::string_view n) const;
  const std::vector<int64_t>& attr_ints(std::string_view n) const;
  const AttrValue& attr(std::string_view n) const;

  // Allocates output i with the inferred type (which must be fully known).
  Tensor& output(int i);
  // Allocates output i with a shape known only now (data-dependent ops).
  Tensor& allocate_output(int i, Shape shape);
  // Forwards an existing tensor (identity, reshape sharing the buffer).
  void set_output(int i, Tensor t) { outputs_[i] = std::move(t); }
  std::span<Tensor> outputs() { return outputs_; }

  // The executor's promise that these inputs are dead after this op: an elementwise
  // op may then write its output into one of their buffers instead of allocating.
  void set_reusable_inputs(uint64_t mask) { reusable_ = mask; }

 private:
  bool reuse_input_for(int i);

  const OpDef& op_;
  std::span<const Tensor> inputs_;
  const Attrs& attrs_;
  const std::vector<TensorType>& types_;
  std::span<Tensor> outputs_;
  uint64_t reusable_ = 0;
};

// What an op's gradient sees: the forward call's inputs, outputs and attrs, and the
// gradient arriving at each output (zeros where none arrives). The gradient function
// returns one gradient per input (undefined for none), computed with ops, so it runs
// eagerly, traces into graphs and can itself be differentiated.
class GradContext {
 public:
  GradContext(const OpDef& op, const Attrs& attrs, std::span<const Tensor> inputs,
              std::span<const Tensor> outputs, std::span<const Tensor> grads, uint64_t needed,
              uint64_t arrived = ~uint64_t{0})
      : op_(op),
        attrs_(attrs),
        inputs_(inputs),
        outputs_(outputs),
        grads_(grads),
        needed_(needed),
        arrived_(arrived) {}

  const OpDef& op() const { return op_; }
  const char* name() const;
  int num_inputs() const { return static_cast<int>(inputs_.size()); }
  int num_outputs() const { return static_cast<int>(outputs_.size()); }
  const Tensor& input(int i) const { return inputs_[i]; }
  const Tensor& output(int i) const { return outputs_[i]; }
  const Tensor& grad(int i) const { return grads_[i]; }
  std::span<const Tensor> inputs() const { return inputs_; }
  std::span<const Tensor> outputs() const { return outputs_; }
  std::span<const Tensor> grads() const { return grads_; }
  // Whether the caller wants input i's gradient (others may be skipped).
  bool needs(int i) const { return i >= 64 || ((needed_ >> i) & 1u); }
  // Whether a gradient really arrived at output i (false: grad(i) is zeros filled in),
  // so work that only a nonzero gradient needs can be skipped.
  bool grad_arrived(int i) const { return i >= 64 || ((arrived_ >> i) & 1u); }
  const Attrs& attrs() const { return attrs_; }

  int64_t attr_int(std::string_view n) const;
  double attr_float(std::string_view n) const;
  bool attr_bool(std::string_view n) const;
  DType attr_dtype(std::string_view n) const;
  const std::string& attr_string(std::string_view n) const;
  const std::vector<int64_t>& attr_ints(std::string_view n) const;
  const AttrValue& attr(std::string_view n) const;

 private:
  const OpDef& op_;
  const Attrs& attrs_;
  std::span<const Tensor> inputs_, outputs_, grads_;
  uint64_t needed_;
  uint64_t arrived_;
};

using InferFn = std::function<void(InferContext&)>;
using KernelFn = std::function<void(KernelContext&)>;
using GradFn = std::function<std::vector<Tensor>(GradContext&)>;

class OpDef {
 public:
  explicit OpDef(std::string name) : name_(std::move(name)) {}

  // Declaration DSL, chained: def.input("x", "T").output("y", "T").type_var("T", ...)
  OpDef& input(std::string name, std::string type_var);
  OpDef& input(std::string name, DType fixed);
  OpDef& variadic_input(std::string name, std::string type_var);
  // A list whose tensors may each have any dtype (print, assert data).
  OpDef& variadic_input_any(std::string name);
  OpDef& output(std::string name, std::string type_var);
  OpDef& output(std::string name, DType fixed);
  OpDef& output_from_attr(std::string name, std::string dtype_attr);
  OpDef& type_var(std::string name, DTypeSet allowed);
  OpDef& attr(std::string name, AttrValue default_value = {});
  OpDef& traits(uint32_t t) {
    traits_ |= t;
    return *this;
  }
  OpDef& infer(InferFn f) {
    infer_ = std::move(f);
    return *this;
  }
  OpDef& kernel(KernelFn f) {
    kernel_ = std::move(f);
    return *this;
  }
  OpDef& gradient(GradFn f) {
    grad_ = std::move(f);
    return *this;
  }

  const std::string& name() const { return name_; }
  const char* c_name() const { return name_.c_str(); }
  const std::vector<ArgDef>& inputs() const { return inputs_; }
  const std::vector<ArgDef>& outputs() const { return outputs_; }
  const std::vector<AttrDef>& attrs() const { return attrs_; }
  const std::vector<TypeVarDef>& type_vars() const { return type_vars_; }
  uint32_t traits() const { return traits_; }
  bool has_trait(Trait t) const { return traits_ & t; }
  bool has_variadic_input() const { return variadic_index_ >= 0; }
  int variadic_index() const { return variadic_index_; }
  const InferFn& infer_fn() const { return infer_; }
  const KernelFn& kernel_fn() const { return kernel_; }
  const GradFn& grad_fn() const { return grad_; }
  const AttrDef* find_attr(std::string_view name) const;
  int type_var_index(std::string_view name) const;

  // The declaration arg (index into inputs()) that flat input `i` belongs to.
  int input_arg_for(int i, int num_inputs) const;

 private:
  std::string name_;
  std::vector<ArgDef> inputs_, outputs_;
  std::vector<AttrDef> attrs_;
  std::vector<TypeVarDef> type_vars_;
  uint32_t traits_ = 0;
  int variadic_index_ = -1;
  InferFn infer_;
  KernelFn kernel_;
  GradFn grad_;
};

}  // namespace loom
