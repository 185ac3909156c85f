#include "loom/core/dtype.h"

#include <array>
#include <string>

namespace loom {
namespace {
struct DTypeInfo {
  std::string_view name;
  size_t size;
};
constexpr std::array<DTypeInfo, kNumDTypes> kInfo = {{
    {"bool", 1},
    {"int8", 1},
    {"int16", 2},
    {"int32", 4},
    {"int64", 8},
    {"uint8", 1},
    {"uint16", 2},
    {"uint32", 4},
    {"uint64", 8},
    {"float16", 2},
    {"bfloat16", 2},
    {"float32", 4},
    {"float64", 8},
    {"resource", sizeof(void*)},
}};
}  // namespace

std::string_view dtype_name(DType t) {
  int i = static_cast<int>(t);
  return i < kNumDTypes ? kInfo[i].name : std::string_view("invalid");
}

size_t dtype_size(DType t) {
  int i = static_cast<int>(t);
  return i < kNumDTypes ? kInfo[i].size : 0;
}

DType dtype_from_name(std::string_view name) {
  for (int i = 0; i < kNumDTypes; ++i)
    if (kInfo[i].name == name) return static_cast<DType>(i);
  if (name == "half") return DType::kFloat16;
  if (name == "float") return DType::kFloat32;
  if (name == "double") return DType::kFloat64;
  raise(ErrorCode::kInvalidArgument, "unknown dtype '", name, "'");
}

std::string dtype_set_names(DTypeSet s) {
  std::string out;
  for (int i = 0; i < kNumDTypes; ++i) {
    if (!s.contains(static_cast<DType>(i))) continue;
    if (!out.empty()) out += ", ";
    out += kInfo[i].name;
  }
  return out;
}

}  // namespace loom
