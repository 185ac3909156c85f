#include "loom/core/attrs.h"

#include <sstream>

namespace loom {

void Attrs::set(std::string_view name, AttrValue value) {
  for (auto& [k, v] : items_) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  items_.emplace_back(std::string(name), std::move(value));
}

const AttrValue* Attrs::find(std::string_view name) const {
  for (const auto& [k, v] : items_)
    if (k == name) return &v;
  return nullptr;
}

template <class T>
const T& Attrs::get(std::string_view name, const char* op, const char* kind) const {
  const AttrValue* v = find(name);
  if (!v) raise(ErrorCode::kInvalidArgument, "[", op, "] missing attribute '", name, "'");
  const T* p = std::get_if<T>(v);
  if (!p)
    raise(ErrorCode::kInvalidArgument, "[", op, "] attribute '", name, "' must be ", kind, ", got ",
          attr_to_string(*v));
  return *p;
}

int64_t Attrs::get_int(std::string_view name, const char* op) const {
  const AttrValue* v = find(name);
  if (v && std::holds_alternative<bool>(*v)) return std::get<bool>(*v);
  return get<int64_t>(name, op, "an int");
}
double Attrs::get_float(std::string_view name, const char* op) const {
  const AttrValue* v = find(name);
  if (v && std::holds_alternative<int64_t>(*v)) return static_cast<double>(std::get<int64_t>(*v));
  return get<double>(name, op, "a float");
}
bool Attrs::get_bool(std::string_view name, const char* op) const {
  return get<bool>(name, op, "a bool");
}
DType Attrs::get_dtype(std::string_view name, const char* op) const {
  return get<DType>(name, op, "a dtype");
}
const std::string& Attrs::get_string(std::string_view name, const char* op) const {
  return get<std::string>(name, op, "a string");
}
const std::vector<int64_t>& Attrs::get_ints(std::string_view name, const char* op) const {
  return get<std::vector<int64_t>>(name, op, "a list of ints");
}
const Shape& Attrs::get_shape(std::string_view name, const char* op) const {
  return get<Shape>(name, op, "a shape");
}
const Tensor& Attrs::get_tensor(std::string_view name, const char* op) const {
  return get<Tensor>(name, op, "a tensor");
}

std::string attr_to_string(const AttrValue& value) {
  std::ostringstream os;
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::monostate>) {
          os << "None";
        } else if constexpr (std::is_same_v<V, bool>) {
          os << (v ? "True" : "False");
        } else if constexpr (std::is_same_v<V, std::string>) {
          os << '"' << v << '"';
        } else if constexpr (std::is_same_v<V, DType>) {
          os << dtype_name(v);
        } else if constexpr (std::is_same_v<V, Shape>) {
          os << v.to_string();
        } else if constexpr (std::is_same_v<V, Tensor>) {
          os << "<tensor " << v.debug_string() << ">";
        } else if constexpr (std::is_same_v<V, std::vector<int64_t>> ||
                             std::is_same_v<V, std::vector<double>>) {
          os << "[";
          for (size_t i = 0; i < v.size(); ++i) os << (i ? ", " : "") << v[i];
          os << "]";
        } else {
          os << v;
        }
      },
      value);
  return os.str();
}

}  // namespace loom
