// The public C++ API of Loom: tensors, the op registry, eager execution and op functions.
#pragma once

#include "loom/api/array.h"
#include "loom/api/linalg.h"
#include "loom/api/math.h"
#include "loom/api/nn.h"
#include "loom/api/random.h"
#include "loom/api/reduce.h"
#include "loom/core/attrs.h"
#include "loom/core/dtype.h"
#include "loom/core/error.h"
#include "loom/core/shape.h"
#include "loom/core/tensor.h"
#include "loom/eager/execute.h"
#include "loom/ops/broadcast.h"
#include "loom/ops/registry.h"
