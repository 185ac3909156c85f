#include "loom/ops/broadcast.h"

#include <algorithm>

#include "loom/core/error.h"

namespace loom {

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  if (!a.has_rank() || !b.has_rank()) return Shape::unknown_rank();
  const int ra = a.rank(), rb = b.rank(), r = std::max(ra, rb);
  std::vector<int64_t> out(r);
  for (int i = 0; i < r; ++i) {
    int64_t da = i < r - ra ? 1 : a[i - (r - ra)];
    int64_t db = i < r - rb ? 1 : b[i - (r - rb)];
    if (da == db) {
      out[i] = da;
    } else if (da == 1) {
      out[i] = db;
    } else if (db == 1) {
      out[i] = da;
    } else if (da < 0 || db < 0) {
      out[i] = std::max(da, db) > 1 ? std::max(da, db) : kUnknownDim;
    } else {
      raise(ErrorCode::kInvalidArgument, "[", op, "] Incompatible shapes: ", a.to_string(), " vs. ",
            b.to_string());
    }
  }
  return Shape(std::move(out));
}

int64_t BroadcastPlan::outer_count() const {
  int64_t n = 1;
  for (size_t i = 0; i + 1 < dims.size(); ++i) n *= dims[i];
  return n;
}

BroadcastPlan plan_broadcast(const std::vector<const Shape*>& operands, const Shape& out) {
  const int r = out.rank();
  const size_t k = operands.size();
  BroadcastPlan plan;
  plan.strides.resize(k);
  // Per operand, stride of each output dim before merging (0 where broadcast).
  std::vector<std::vector<int64_t>> full(k, std::vector<int64_t>(r, 0));
  for (size_t j = 0; j < k; ++j) {
    const Shape& s = *operands[j];
    const int off = r - s.rank();
    int64_t stride = 1;
    for (int i = r - 1; i >= off; --i) {
      full[j][i] = s[i - off] == 1 ? 0 : stride;
      stride *= s[i - off];
    }
  }
  // Merge dim i into the previous one when every operand is contiguous across them.
  for (int i = 0; i < r; ++i) {
    if (out[i] == 1) continue;
    if (!plan.dims.empty()) {
      bool mergeable = true;
      for (size_t j = 0; j < k && mergeable; ++j)
        mergeable = plan.strides[j].back() == full[j][i] * out[i];
      if (mergeable) {
        plan.dims.back() *= out[i];
        for (size_t j = 0; j < k; ++j) plan.strides[j].back() = full[j][i];
        continue;
      }
    }
    plan.dims.push_back(out[i]);
    for (size_t j = 0; j < k; ++j) plan.strides[j].push_back(full[j][i]);
  }
  if (plan.dims.empty()) {
    plan.dims.push_back(1);
    for (size_t j = 0; j < k; ++j) plan.strides[j].push_back(0);
  }
  return plan;
}

BroadcastWalker::BroadcastWalker(const BroadcastPlan& plan)
    : plan_(plan), index_(plan.dims.size(), 0), offsets_(plan.strides.size(), 0) {}

void BroadcastWalker::next() {
  // Odometer over all dims but the last (the inner run).
  for (int d = static_cast<int>(plan_.dims.size()) - 2; d >= 0; --d) {
    for (size_t j = 0; j < offsets_.size(); ++j) offsets_[j] += plan_.strides[j][d];
    if (++index_[d] < plan_.dims[d]) return;
    for (size_t j = 0; j < offsets_.size(); ++j) offsets_[j] -= plan_.strides[j][d] * plan_.dims[d];
    index_[d] = 0;
  }
}

}  // namespace loom
