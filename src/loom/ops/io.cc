// Ops whose effect is outside the tensor world: printing, assertions, numeric checks.
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>

#include "loom/api/op_ref.h"
#include "loom/kernels/cpu/format.h"
#include "loom/ops/elementwise_defs.h"

namespace loom {

namespace {

// One write(2) per message, so concurrent prints do not interleave mid-line.
void write_all(int fd, const std::string& text) {
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      raise(ErrorCode::kUnavailable, "[PrintV2] failed to write output");
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

void emit(const std::string& stream, const std::string& text) {
  if (stream == "stderr") return write_all(2, text);
  if (stream == "stdout") return write_all(1, text);
  if (stream.rfind("file://", 0) == 0) {
    std::string path = stream.substr(7);
    FILE* f = std::fopen(path.c_str(), "a");
    if (!f) raise(ErrorCode::kNotFound, "[PrintV2] cannot open '", path, "' for appending");
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
    return;
  }
  raise(ErrorCode::kInvalidArgument, "[PrintV2] unknown output_stream '", stream,
        "'; expected stderr, stdout or file://<path>");
}

}  // namespace

void register_io_ops(OpRegistry& r) {
  r.add("PrintV2")
      .variadic_input_any("inputs")
      .attr("template", std::string("{}"))
      .attr("summarize", int64_t{3})
      .attr("output_stream", std::string("stderr"))
      .attr("end", std::string("\n"))
      .traits(kStateful | kNotDifferentiable)
      .kernel([](KernelContext& ctx) {
        std::string text = cpu::format_template(ctx.attr_string("template"), ctx.inputs(),
                                                ctx.attr_int("summarize"), ctx.name());
        emit(ctx.attr_string("output_stream"), text + ctx.attr_string("end"));
      });

  // Raises InvalidArgument with the formatted data when `condition` is false.
  r.add("Assert")
      .input("condition", DType::kBool)
      .variadic_input_any("data")
      .attr("template", std::string(""))
      .attr("summarize", int64_t{3})
      .traits(kStateful | kNotDifferentiable)
      .infer([](InferContext& ctx) {
        const Shape& s = ctx.input_shape(0);
        LOOM_CHECK_ARG(!s.has_rank() || s.num_elements() == 1 || !s.is_fully_defined(),
                       "[Assert] condition must be a single boolean, got shape ", s.to_string());
      })
      .kernel([](KernelContext& ctx) {
        if (ctx.input(0).data<bool>()[0]) return;
        auto data = ctx.inputs().subspan(1);
        std::string msg = cpu::format_template(ctx.attr_string("template"), data,
                                               ctx.attr_int("summarize"), ctx.name());
        raise(ErrorCode::kInvalidArgument, "assertion failed: ", msg);
      });

  r.add("CheckNumerics")
      .input("tensor", "T")
      .output("output", "T")
      .type_var("T", dtypes::kFloat)
      .attr("message", std::string(""))
      .traits(kStateful)
      .infer(infer_same_shape)
      .kernel([](KernelContext& ctx) {
        const Tensor& x = ctx.input(0);
        visit_dtype<dtypes::kFloat.bits()>(x.dtype(), ctx.name(), [&]<class T>() {
          const T* p = x.data<T>();
          bool nan = false, inf = false;
          for (int64_t i = 0; i < x.num_elements(); ++i) {
            double v = static_cast<double>(static_cast<float>(p[i]));
            if constexpr (std::is_floating_point_v<T>) v = static_cast<double>(p[i]);
            nan |= std::isnan(v);
            inf |= std::isinf(v);
          }
          if (nan || inf)
            raise(ErrorCode::kInvalidArgument, ctx.attr_string("message"), " : Tensor had ",
                  nan && inf ? "Inf and NaN"
                  : nan      ? "NaN"
                             : "Inf",
                  " values");
        });
        ctx.set_output(0, x);
      })
      // Identity for the values; as in TF the gradient is checked as well.
      .gradient([](GradContext& ctx) {
        static const OpRef check("CheckNumerics");
        Attrs attrs;
        attrs.set("message", std::string("Not a number (NaN) or infinity (Inf) values detected "
                                         "in gradient. ") +
                                 ctx.attr_string("message"));
        return std::vector<Tensor>{check({ctx.grad(0)}, attrs)};
      });
}

}  // namespace loom
