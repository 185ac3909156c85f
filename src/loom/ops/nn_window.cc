#include "loom/ops/nn_window.h"

#include "loom/core/error.h"

namespace loom {

void check_nhwc_format(const std::string& data_format, const char* op) {
  if (data_format == "NHWC") return;
  if (data_format == "NCHW")
    raise(ErrorCode::kUnimplemented, "[", op,
          "] only the NHWC data format is supported on CPU; got data_format NCHW");
  raise(ErrorCode::kInvalidArgument, "[", op, "] invalid data_format '", data_format,
        "'; expected NHWC");
}

std::array<int64_t, 2> spatial_window_attr(const std::vector<int64_t>& values, const char* attr,
                                           const char* op) {
  if (values.size() != 4)
    raise(ErrorCode::kInvalidArgument, "[", op, "] sliding window ", attr,
          " field must specify 4 dimensions, got ", values.size());
  for (int64_t v : values)
    if (v <= 0)
      raise(ErrorCode::kInvalidArgument, "[", op, "] ", attr, " must be positive, got [", values[0],
            ",", values[1], ",", values[2], ",", values[3], "]");
  if (values[0] != 1 || values[3] != 1)
    raise(ErrorCode::kInvalidArgument, "[", op, "] ", attr,
          " in the batch and depth dimensions must be 1, got [", values[0], ",", values[1], ",",
          values[2], ",", values[3], "]");
  return {values[1], values[2]};
}

void check_rank4(const Shape& shape, const char* what, const char* op) {
  if (shape.has_rank() && shape.rank() != 4)
    raise(ErrorCode::kInvalidArgument, "[", op, "] ", what, " must be 4-dimensional, got shape ",
          shape.to_string());
}

}  // namespace loom
