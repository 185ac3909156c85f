// Text form of tensor values as tf.print shows them: `[[22 22]\n [23 13]]`, with at most
// `summarize` leading and trailing entries per dimension ("..." between; -1 = all).
#pragma once

#include <string>

#include "loom/core/tensor.h"

namespace loom::cpu {

std::string format_tensor(const Tensor& t, int64_t summarize);

// Replaces each "{}" in `tmpl` with the next formatted tensor; "{{" and "}}" are braces.
std::string format_template(const std::string& tmpl, std::span<const Tensor> tensors,
                            int64_t summarize, const char* op);

}  // namespace loom::cpu
