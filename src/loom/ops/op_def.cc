#include "loom/ops/op_def.h"

namespace loom {

OpDef& OpDef::input(std::string name, std::string type_var) {
  inputs_.push_back({std::move(name), std::move(type_var), DType::kInvalid, "", false});
  return *this;
}
OpDef& OpDef::input(std::string name, DType fixed) {
  inputs_.push_back({std::move(name), "", fixed, "", false});
  return *this;
}
OpDef& OpDef::variadic_input(std::string name, std::string type_var) {
  variadic_index_ = static_cast<int>(inputs_.size());
  inputs_.push_back({std::move(name), std::move(type_var), DType::kInvalid, "", true});
  return *this;
}
OpDef& OpDef::variadic_input_any(std::string name) {
  variadic_index_ = static_cast<int>(inputs_.size());
  inputs_.push_back({std::move(name), "", DType::kInvalid, "", true});
  return *this;
}
OpDef& OpDef::output(std::string name, std::string type_var) {
  outputs_.push_back({std::move(name), std::move(type_var), DType::kInvalid, "", false});
  return *this;
}
OpDef& OpDef::output(std::string name, DType fixed) {
  outputs_.push_back({std::move(name), "", fixed, "", false});
  return *this;
}
OpDef& OpDef::output_from_attr(std::string name, std::string dtype_attr) {
  outputs_.push_back({std::move(name), "", DType::kInvalid, std::move(dtype_attr), false});
  return *this;
}
OpDef& OpDef::type_var(std::string name, DTypeSet allowed) {
  type_vars_.push_back({std::move(name), allowed});
  return *this;
}
OpDef& OpDef::attr(std::string name, AttrValue default_value) {
  attrs_.push_back({std::move(name), std::move(default_value)});
  return *this;
}

const AttrDef* OpDef::find_attr(std::string_view name) const {
  for (const auto& a : attrs_)
    if (a.name == name) return &a;
  return nullptr;
}

int OpDef::type_var_index(std::string_view name) const {
  for (size_t i = 0; i < type_vars_.size(); ++i)
    if (type_vars_[i].name == name) return static_cast<int>(i);
  return -1;
}

int OpDef::input_arg_for(int i, int num_inputs) const {
  if (variadic_index_ < 0 || i < variadic_index_) return i;
  int n_fixed = static_cast<int>(inputs_.size()) - 1;
  int n_var = num_inputs - n_fixed;
  return i < variadic_index_ + n_var ? variadic_index_ : i - n_var + 1;
}

// --- attribute lookup shared by both contexts -------------------------------------

namespace {
const AttrValue& lookup_attr(const OpDef& op, const Attrs& attrs, std::string_view n) {
  if (const AttrValue* v = attrs.find(n)) return *v;
  const AttrDef* d = op.find_attr(n);
  if (!d || std::holds_alternative<std::monostate>(d->default_value))
    raise(ErrorCode::kInvalidArgument, "[", op.name(), "] missing attribute '", n, "'");
  return d->default_value;
}

template <class T>
const T& typed_attr(const OpDef& op, const Attrs& attrs, std::string_view n, const char* kind) {
  const AttrValue& v = lookup_attr(op, attrs, n);
  if (const T* p = std::get_if<T>(&v)) return *p;
  raise(ErrorCode::kInvalidArgument, "[", op.name(), "] attribute '", n, "' must be ", kind,
        ", got ", attr_to_string(v));
}

int64_t int_attr(const OpDef& op, const Attrs& a, std::string_view n) {
  const AttrValue& v = lookup_attr(op, a, n);
  if (const bool* b = std::get_if<bool>(&v)) return *b;
  return typed_attr<int64_t>(op, a, n, "an int");
}
double float_attr(const OpDef& op, const Attrs& a, std::string_view n) {
  const AttrValue& v = lookup_attr(op, a, n);
  if (const int64_t* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  return typed_attr<double>(op, a, n, "a float");
}
}  // namespace

#define LOOM_CONTEXT_ATTRS(Ctx)                                                \
  int64_t Ctx::attr_int(std::string_view n) const {                            \
    return int_attr(op_, attrs_, n);                                           \
  }                                                                            \
  double Ctx::attr_float(std::string_view n) const {                           \
    return float_attr(op_, attrs_, n);                                         \
  }                                                                            \
  bool Ctx::attr_bool(std::string_view n) const {                              \
    return typed_attr<bool>(op_, attrs_, n, "a bool");                         \
  }                                                                            \
  DType Ctx::attr_dtype(std::string_view n) const {                            \
    return typed_attr<DType>(op_, attrs_, n, "a dtype");                       \
  }                                                                            \
  const std::string& Ctx::attr_string(std::string_view n) const {              \
    return typed_attr<std::string>(op_, attrs_, n, "a string");                \
  }                                                                            \
  const std::vector<int64_t>& Ctx::attr_ints(std::string_view n) const {       \
    return typed_attr<std::vector<int64_t>>(op_, attrs_, n, "a list of ints"); \
  }                                                                            \
  const AttrValue& Ctx::attr(std::string_view n) const {                       \
    return lookup_attr(op_, attrs_, n);                                        \
  }                                                                            \
  const char* Ctx::name() const {                                              \
    return op_.c_name();                                                       \
  }

LOOM_CONTEXT_ATTRS(InferContext)
LOOM_CONTEXT_ATTRS(KernelContext)
LOOM_CONTEXT_ATTRS(GradContext)
#undef LOOM_CONTEXT_ATTRS

// --- inference ----------------------------------------------------------------------

DType InferContext::type_var(std::string_view name) const {
  int i = op_.type_var_index(name);
  return i < 0 ? DType::kInvalid : type_vars_[i];
}

DType InferContext::declared_output_dtype(int i) const {
  const auto& outs = op_.outputs();
  if (outs.empty()) return DType::kInvalid;
  const ArgDef& arg = outs[std::min<size_t>(i, outs.size() - 1)];
  if (!arg.type_var.empty()) return type_var(arg.type_var);
  if (!arg.dtype_attr.empty()) return attr_dtype(arg.dtype_attr);
  return arg.fixed;
}

void InferContext::set_output(int i, Shape shape, DType dtype) {
  if (static_cast<int>(outputs_.size()) <= i) outputs_.resize(i + 1);
  outputs_[i].shape = std::move(shape);
  outputs_[i].dtype = dtype == DType::kInvalid ? declared_output_dtype(i) : dtype;
}

// --- kernels -----------------------------------------------------------------------

bool KernelContext::reuse_input_for(int i) {
  const TensorType& want = types_[i];
  for (int k = 0; reusable_ >> k; ++k) {
    if (!((reusable_ >> k) & 1)) continue;
    const Tensor& in = inputs_[k];
    // Only the executor's slot may hold it: nobody else can observe the overwrite.
    if (in.impl()->use_count() != 1 || in.buffer()->use_count() != 1) continue;
    if (in.dtype() != want.dtype || in.shape() != want.shape) continue;
    outputs_[i] = in;
    reusable_ &= ~(uint64_t{1} << k);
    return true;
  }
  return false;
}

Tensor& KernelContext::output(int i) {
  if (!outputs_[i].defined() && !(reusable_ && reuse_input_for(i)))
    outputs_[i] = Tensor::empty(types_[i].dtype, types_[i].shape, op_.c_name());
  return outputs_[i];
}

Tensor& KernelContext::allocate_output(int i, Shape shape) {
  outputs_[i] = Tensor::empty(types_[i].dtype, std::move(shape), op_.c_name());
  return outputs_[i];
}

}  // namespace loom
