// C++ API: nn ops as plain functions over loom::Tensor.
#pragma once

#include "loom/core/tensor.h"

namespace loom {}  // namespace loom
