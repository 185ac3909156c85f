// Graph-to-graph passes, run in one visible pipeline before a graph is planned. Each
// can be switched off for debugging (loom.config.optimizer / LOOM_PASSES).
#pragma once

#include "loom/graph/graph.h"

namespace loom {

struct PassOptions {
  bool cse = true;    // merge identical pure nodes
  bool fold = true;   // evaluate pure nodes whose inputs are all constants
  bool prune = true;  // drop nodes that neither reach an output nor have effects
};

PassOptions& global_pass_options();

// Returns an optimized copy of `g` (same inputs, outputs and effects).
Ref<Graph> optimize_graph(const Graph& g, const PassOptions& options = global_pass_options());

// The individual passes, exposed for tests.
Ref<Graph> eliminate_common_subexpressions(const Graph& g);
Ref<Graph> fold_constants(const Graph& g);
Ref<Graph> prune_unused(const Graph& g);

}  // namespace loom
