#include "loom/ops/einsum_contract.h"

#include <algorithm>

#include "loom/kernels/cpu/gemm.h"
#include "loom/ops/linalg_strided.h"

namespace loom::einsum {

namespace {

using Labels = std::vector<int>;

bool contains(const Labels& v, int label) {
  return std::find(v.begin(), v.end(), label) != v.end();
}

Labels concat(std::initializer_list<const Labels*> parts) {
  Labels out;
  for (const Labels* p : parts) out.insert(out.end(), p->begin(), p->end());
  return out;
}

template <class C>
int64_t dim_of(const Operand<C>& op, int label) {
  auto it = std::find(op.labels.begin(), op.labels.end(), label);
  return op.dims[it - op.labels.begin()];
}

// dst[keep...] = sum over `sum` labels of src. A label repeated in src advances by the
// sum of its strides, which walks the diagonal; with no sum labels this is a transpose.
template <class C>
void gather_sum(const Operand<C>& src, const Labels& keep, const Labels& sum, C* dst) {
  const std::vector<int64_t> strides = row_major_strides(src.dims);
  auto dims_and_strides = [&](const Labels& labels, std::vector<int64_t>& dims,
                              std::vector<int64_t>& label_strides) {
    for (int label : labels) {
      int64_t stride = 0;
      for (size_t d = 0; d < src.labels.size(); ++d)
        if (src.labels[d] == label) stride += strides[d];
      dims.push_back(dim_of(src, label));
      label_strides.push_back(stride);
    }
  };
  std::vector<int64_t> keep_dims, keep_strides, sum_dims, sum_strides;
  dims_and_strides(keep, keep_dims, keep_strides);
  dims_and_strides(sum, sum_dims, sum_strides);
  const std::vector<int64_t> outer = linalg::strided_offsets(keep_dims, keep_strides);
  const std::vector<int64_t> inner = linalg::strided_offsets(sum_dims, sum_strides);
  const C* data = src.data;
  for (size_t i = 0; i < outer.size(); ++i) {
    const C* base = data + outer[i];
    C acc = C(0);
    for (int64_t offset : inner) acc += base[offset];
    dst[i] = acc;
  }
}

// Replaces `op` by its reduction to `keep` (dense, in that order).
template <class C>
void regather(Operand<C>& op, const Labels& keep, const Labels& sum) {
  std::vector<int64_t> dims;
  for (int label : keep) dims.push_back(dim_of(op, label));
  std::vector<C> storage(checked_num_elements(dims, "Einsum"));
  gather_sum(op, keep, sum, storage.data());
  op.labels = keep;
  op.dims = std::move(dims);
  op.storage = std::move(storage);
  op.data = op.storage.data();
}

// Takes diagonals of repeated labels and sums labels no one else needs.
template <class C>
void simplify(Operand<C>& op, const Labels& needed) {
  Labels unique, keep, sum;
  for (int label : op.labels)
    if (!contains(unique, label)) unique.push_back(label);
  for (int label : unique) (contains(needed, label) ? keep : sum).push_back(label);
  if (unique.size() == op.labels.size() && sum.empty()) return;
  regather(op, keep, sum);
}

// Lays `op` out as [batch, rows, cols] or, read transposed, [batch, cols, rows]; copies
// only when neither order is already there. Returns whether it is transposed.
template <class C>
bool arrange(Operand<C>& op, const Labels& batch, const Labels& rows, const Labels& cols) {
  if (op.labels == concat({&batch, &rows, &cols})) return false;
  if (op.labels == concat({&batch, &cols, &rows})) return true;
  regather(op, concat({&batch, &rows, &cols}), {});
  return false;
}

int64_t product(const std::vector<int64_t>& dims) {
  int64_t p = 1;
  for (int64_t d : dims) p *= d;
  return p;
}

// Offsets of each batch item of an operand laid out [batch, matrix] against the
// broadcast batch dims `out_batch` (size-1 dims repeat).
std::vector<int64_t> batch_offsets(const std::vector<int64_t>& own_batch,
                                   const std::vector<int64_t>& out_batch, int64_t matrix_size) {
  return linalg::strided_offsets(
      out_batch, linalg::broadcast_batch_strides(out_batch, own_batch, matrix_size));
}

// a x b over their shared labels: shared labels still `needed` become batch dims, the
// others are contracted. Writes straight into `final_out` when the result is already
// in `output` order.
template <class C>
Operand<C> contract(Operand<C>& a, Operand<C>& b, const Labels& needed, const Labels& output,
                    C* final_out) {
  Labels batch, summed, free_a, free_b;
  for (int label : a.labels) {
    if (!contains(b.labels, label))
      free_a.push_back(label);
    else
      (contains(needed, label) ? batch : summed).push_back(label);
  }
  for (int label : b.labels)
    if (!contains(a.labels, label)) free_b.push_back(label);

  cpu::GemmDims d;
  d.trans_a = arrange(a, batch, free_a, summed);
  d.trans_b = arrange(b, batch, summed, free_b);
  std::vector<int64_t> a_batch, b_batch, out_batch, m_dims, n_dims, k_dims;
  for (int label : batch) {
    a_batch.push_back(dim_of(a, label));
    b_batch.push_back(dim_of(b, label));
    out_batch.push_back(a_batch.back() == 1 ? b_batch.back() : a_batch.back());
  }
  for (int label : free_a) m_dims.push_back(dim_of(a, label));
  for (int label : free_b) n_dims.push_back(dim_of(b, label));
  for (int label : summed) k_dims.push_back(dim_of(a, label));
  d.m = product(m_dims);
  d.n = product(n_dims);
  d.k = product(k_dims);

  Operand<C> result;
  result.labels = concat({&batch, &free_a, &free_b});
  result.dims = out_batch;
  result.dims.insert(result.dims.end(), m_dims.begin(), m_dims.end());
  result.dims.insert(result.dims.end(), n_dims.begin(), n_dims.end());
  C* dst = final_out;
  if (!final_out || result.labels != output) {
    // Intermediates can outgrow every input and the output ("ab,cd,ac,bd->").
    result.storage.resize(checked_num_elements(result.dims, "Einsum"));
    dst = result.storage.data();
  }
  result.data = dst;
  std::vector<int64_t> a_offsets = batch_offsets(a_batch, out_batch, d.m * d.k);
  std::vector<int64_t> b_offsets = batch_offsets(b_batch, out_batch, d.k * d.n);
  cpu::gemm_batch<C>(d, a.data, a_offsets, b.data, b_offsets, dst, "Einsum");
  return result;
}

}  // namespace

template <class C>
void evaluate(const Binding& bd, std::vector<Operand<C>> ops, C* out) {
  const size_t n = ops.size();
  if (n == 1) {
    Labels sum;
    for (int label : ops[0].labels)
      if (!contains(bd.output, label) && !contains(sum, label)) sum.push_back(label);
    gather_sum(ops[0], bd.output, sum, out);
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    Labels needed = bd.output;
    for (size_t j = 0; j < n; ++j)
      if (j != i) needed.insert(needed.end(), ops[j].labels.begin(), ops[j].labels.end());
    simplify(ops[i], needed);
  }
  Operand<C> acc = std::move(ops[0]);
  for (size_t i = 1; i < n; ++i) {
    Labels needed = bd.output;
    for (size_t j = i + 1; j < n; ++j)
      needed.insert(needed.end(), ops[j].labels.begin(), ops[j].labels.end());
    acc = contract(acc, ops[i], needed, bd.output, i + 1 == n ? out : nullptr);
  }
  if (acc.data != out) gather_sum(acc, bd.output, {}, out);
}

template void evaluate<float>(const Binding&, std::vector<Operand<float>>, float*);
template void evaluate<double>(const Binding&, std::vector<Operand<double>>, double*);
template void evaluate<int32_t>(const Binding&, std::vector<Operand<int32_t>>, int32_t*);
template void evaluate<int64_t>(const Binding&, std::vector<Operand<int64_t>>, int64_t*);

}  // namespace loom::einsum
