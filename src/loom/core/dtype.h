// Element types. Half types are Eigen's, which already convert through float.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "loom/core/error.h"

namespace loom {

enum class DType : uint8_t {
  kBool,
  kInt8,
  kInt16,
  kInt32,
  kInt64,
  kUInt8,
  kUInt16,
  kUInt32,
  kUInt64,
  kFloat16,
  kBFloat16,
  kFloat32,
  kFloat64,
  kResource,  // a handle to engine state (a variable); never an op's numeric input
  kInvalid,
};
inline constexpr int kNumDTypes = static_cast<int>(DType::kInvalid);

using half = Eigen::half;
using bfloat16 = Eigen::bfloat16;

// A set of dtypes as a bitmask; ops declare which dtypes each type variable accepts.
class DTypeSet {
 public:
  constexpr DTypeSet() = default;
  constexpr explicit DTypeSet(uint32_t bits) : bits_(bits) {}
  constexpr DTypeSet(std::initializer_list<DType> types) {
    for (DType t : types) bits_ |= 1u << static_cast<int>(t);
  }
  constexpr bool contains(DType t) const { return bits_ & (1u << static_cast<int>(t)); }
  constexpr DTypeSet operator|(DTypeSet o) const { return DTypeSet(bits_ | o.bits_); }
  constexpr DTypeSet operator-(DTypeSet o) const { return DTypeSet(bits_ & ~o.bits_); }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr uint32_t bits() const { return bits_; }

 private:
  uint32_t bits_ = 0;
};

namespace dtypes {
inline constexpr DTypeSet kFloat{DType::kFloat16, DType::kBFloat16, DType::kFloat32,
                                 DType::kFloat64};
inline constexpr DTypeSet kSignedInt{DType::kInt8, DType::kInt16, DType::kInt32, DType::kInt64};
inline constexpr DTypeSet kUnsignedInt{DType::kUInt8, DType::kUInt16, DType::kUInt32,
                                       DType::kUInt64};
inline constexpr DTypeSet kInt = kSignedInt | kUnsignedInt;
inline constexpr DTypeSet kNumeric = kInt | kFloat;
inline constexpr DTypeSet kSigned = kSignedInt | kFloat;
inline constexpr DTypeSet kBool{DType::kBool};
inline constexpr DTypeSet kAll = kNumeric | kBool;
inline constexpr DTypeSet kIndex{DType::kInt32, DType::kInt64};
inline constexpr DTypeSet kResource{DType::kResource};
}  // namespace dtypes

std::string_view dtype_name(DType t);          // "float32"
DType dtype_from_name(std::string_view name);  // throws InvalidArgument on unknown names
size_t dtype_size(DType t);
inline bool is_floating(DType t) {
  return dtypes::kFloat.contains(t);
}
inline bool is_integer(DType t) {
  return dtypes::kInt.contains(t);
}
inline bool is_unsigned(DType t) {
  return dtypes::kUnsignedInt.contains(t);
}
std::string dtype_set_names(DTypeSet s);  // "float16, float32, ..."

template <class T>
struct dtype_of;
#define LOOM_DTYPE_OF(T, D)           \
  template <>                         \
  struct dtype_of<T> {                \
    static constexpr DType value = D; \
  };
LOOM_DTYPE_OF(bool, DType::kBool)
LOOM_DTYPE_OF(int8_t, DType::kInt8)
LOOM_DTYPE_OF(int16_t, DType::kInt16)
LOOM_DTYPE_OF(int32_t, DType::kInt32)
LOOM_DTYPE_OF(int64_t, DType::kInt64)
LOOM_DTYPE_OF(uint8_t, DType::kUInt8)
LOOM_DTYPE_OF(uint16_t, DType::kUInt16)
LOOM_DTYPE_OF(uint32_t, DType::kUInt32)
LOOM_DTYPE_OF(uint64_t, DType::kUInt64)
LOOM_DTYPE_OF(half, DType::kFloat16)
LOOM_DTYPE_OF(bfloat16, DType::kBFloat16)
LOOM_DTYPE_OF(float, DType::kFloat32)
LOOM_DTYPE_OF(double, DType::kFloat64)
#undef LOOM_DTYPE_OF
template <class T>
inline constexpr DType dtype_v = dtype_of<T>::value;

// Calls f.template operator()<T>() with the C++ type of `t`. Only the dtypes in
// `Allowed` are instantiated, which keeps compile time and binary size down; any
// other dtype raises InvalidArgument naming `op`.
template <uint32_t Allowed = dtypes::kAll.bits(), class F>
decltype(auto) visit_dtype(DType t, const char* op, F&& f) {
  constexpr DTypeSet allowed(Allowed);
#define LOOM_VISIT_CASE(D, T)                                             \
  case D:                                                                 \
    if constexpr (allowed.contains(D)) return f.template operator()<T>(); \
    break;
  switch (t) {
    LOOM_VISIT_CASE(DType::kBool, bool)
    LOOM_VISIT_CASE(DType::kInt8, int8_t)
    LOOM_VISIT_CASE(DType::kInt16, int16_t)
    LOOM_VISIT_CASE(DType::kInt32, int32_t)
    LOOM_VISIT_CASE(DType::kInt64, int64_t)
    LOOM_VISIT_CASE(DType::kUInt8, uint8_t)
    LOOM_VISIT_CASE(DType::kUInt16, uint16_t)
    LOOM_VISIT_CASE(DType::kUInt32, uint32_t)
    LOOM_VISIT_CASE(DType::kUInt64, uint64_t)
    LOOM_VISIT_CASE(DType::kFloat16, half)
    LOOM_VISIT_CASE(DType::kBFloat16, bfloat16)
    LOOM_VISIT_CASE(DType::kFloat32, float)
    LOOM_VISIT_CASE(DType::kFloat64, double)
    default:
      break;
  }
#undef LOOM_VISIT_CASE
  raise(ErrorCode::kInvalidArgument, "[", op, "] unsupported dtype ", dtype_name(t),
        "; expected one of: ", dtype_set_names(allowed));
}

}  // namespace loom
