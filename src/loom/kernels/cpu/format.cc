#include "loom/kernels/cpu/format.h"

#include <charconv>

namespace loom::cpu {

namespace {

// Shortest text that reads back to the same value, as TF prints floats ("1.1", "22").
template <class T>
void append_value(std::string& out, T v) {
  char buf[64];
  if constexpr (std::is_same_v<T, bool>) {
    out += v ? "True" : "False";
    return;
  } else if constexpr (std::is_same_v<T, half> || std::is_same_v<T, bfloat16>) {
    append_value(out, static_cast<float>(v));
    return;
  } else {
    auto res = std::to_chars(buf, buf + sizeof(buf), v);
    out.append(buf, res.ptr);
  }
}

template <class T>
struct Printer {
  const T* data;
  const std::vector<int64_t>& dims;
  std::vector<int64_t> strides;
  int64_t summarize;
  std::string out;

  void block(int axis, int64_t offset) {
    const int rank = static_cast<int>(dims.size());
    const int64_t n = dims[axis];
    const bool elide = summarize >= 0 && n > 2 * summarize;
    out += '[';
    for (int64_t i = 0; i < n; ++i) {
      if (elide && i == summarize) {
        out += "...";
        if (summarize == 0) break;  // no trailing entries: jumping to n would read past the end
        i = n - summarize;          // jump to the trailing entries
        separator(axis);
      }
      if (axis == rank - 1)
        append_value(out, data[offset + i]);
      else
        block(axis + 1, offset + i * strides[axis]);
      if (i + 1 < n) separator(axis);
    }
    out += ']';
  }

  // Between entries of `axis`: a space on the last axis, else newlines and indentation.
  void separator(int axis) {
    const int rank = static_cast<int>(dims.size());
    if (axis == rank - 1) {
      out += ' ';
      return;
    }
    out.append(static_cast<size_t>(rank - 1 - axis), '\n');
    out.append(static_cast<size_t>(axis + 1), ' ');
  }
};

}  // namespace

std::string format_tensor(const Tensor& t, int64_t summarize) {
  if (t.dtype() == DType::kResource) return "<resource>";
  return visit_dtype(t.dtype(), "format", [&]<class T>() {
    const auto& dims = t.shape().dims();
    if (dims.empty()) {
      std::string s;
      append_value(s, t.data<T>()[0]);
      return s;
    }
    Printer<T> p{t.data<T>(), dims, row_major_strides(dims), summarize, {}};
    p.block(0, 0);
    return p.out;
  });
}

std::string format_template(const std::string& tmpl, std::span<const Tensor> tensors,
                            int64_t summarize, const char* op) {
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    char c = tmpl[i];
    if ((c == '{' || c == '}') && i + 1 < tmpl.size() && tmpl[i + 1] == c) {
      out += c;
      ++i;
    } else if (c == '{' && i + 1 < tmpl.size() && tmpl[i + 1] == '}') {
      if (next >= tensors.size())
        raise(ErrorCode::kInvalidArgument, "[", op,
              "] the template has more placeholders than the ", tensors.size(), " tensors given");
      out += format_tensor(tensors[next++], summarize);
      ++i;
    } else {
      out += c;
    }
  }
  if (next != tensors.size())
    raise(ErrorCode::kInvalidArgument, "[", op, "] the template has ", next, " placeholders for ",
          tensors.size(), " tensors");
  return out;
}

}  // namespace loom::cpu
