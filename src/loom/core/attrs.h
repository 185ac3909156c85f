// Op attributes: compile-time-like parameters of an op (axis lists, flags, dtypes).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "loom/core/dtype.h"
#include "loom/core/shape.h"
#include "loom/core/tensor.h"

namespace loom {

using AttrValue = std::variant<std::monostate, bool, int64_t, double, std::string, DType,
                               std::vector<int64_t>, std::vector<double>, Shape, Tensor>;

std::string attr_to_string(const AttrValue& v);

class Attrs {
 public:
  Attrs() = default;
  Attrs(std::initializer_list<std::pair<std::string, AttrValue>> items) : items_(items) {}

  void set(std::string_view name, AttrValue value);
  const AttrValue* find(std::string_view name) const;
  bool has(std::string_view name) const { return find(name) != nullptr; }
  bool empty() const { return items_.empty(); }
  const std::vector<std::pair<std::string, AttrValue>>& items() const { return items_; }

  // Typed getters; `op` names the op in the error raised for a missing or mistyped attr.
  int64_t get_int(std::string_view name, const char* op) const;
  double get_float(std::string_view name, const char* op) const;
  bool get_bool(std::string_view name, const char* op) const;
  DType get_dtype(std::string_view name, const char* op) const;
  const std::string& get_string(std::string_view name, const char* op) const;
  const std::vector<int64_t>& get_ints(std::string_view name, const char* op) const;
  const Shape& get_shape(std::string_view name, const char* op) const;
  const Tensor& get_tensor(std::string_view name, const char* op) const;

 private:
  template <class T>
  const T& get(std::string_view name, const char* op, const char* kind) const;
  std::vector<std::pair<std::string, AttrValue>> items_;
};

}  // namespace loom
