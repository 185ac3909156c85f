// Parallel execution of a plan: steps whose inputs are ready run on the thread pool.
// Used only for graphs with independent heavy steps; small graphs run sequentially,
// where the per-step cost is a few tens of nanoseconds.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>

#include "loom/runtime/plan.h"
#include "loom/runtime/thread_pool.h"

namespace loom {

namespace {
thread_local bool tls_pool_worker = false;
// Below this many output elements a step is too cheap to be worth a thread handoff.
constexpr int64_t kHeavyElements = int64_t{1} << 15;
}  // namespace

bool in_pool_worker() {
  return tls_pool_worker;
}

void Plan::plan_parallelism(const std::vector<int32_t>& step_of_node) {
  const size_t n = steps_.size();
  successors_.assign(n, {});
  num_predecessors_.assign(n, 0);
  readers_.assign(num_slots_, 0);
  std::vector<int32_t> level(n, 0);
  std::vector<bool> heavy(n, false);
  for (size_t s = 0; s < n; ++s) {
    const Node& node = *steps_[s].node;
    std::vector<int32_t> preds;
    for (const ValueRef& v : node.inputs)
      if (step_of_node[v.node] >= 0) preds.push_back(step_of_node[v.node]);
    for (int32_t c : node.control_inputs)
      if (step_of_node[c] >= 0) preds.push_back(step_of_node[c]);
    std::sort(preds.begin(), preds.end());
    preds.erase(std::unique(preds.begin(), preds.end()), preds.end());
    for (int32_t p : preds) {
      successors_[p].push_back(static_cast<int32_t>(s));
      level[s] = std::max(level[s], level[p] + 1);
    }
    num_predecessors_[s] = static_cast<int32_t>(preds.size());
    for (int32_t k = 0; k < steps_[s].in_count; ++k) ++readers_[in_slots_[steps_[s].in_begin + k]];
    for (const TensorType& t : node.outputs) {
      int64_t elems = t.shape.num_elements();
      heavy[s] = heavy[s] || elems < 0 || elems >= kHeavyElements;
    }
  }
  // Parallel pays off when some dependency level holds two heavy, independent steps.
  std::vector<int32_t> heavy_per_level(n + 1, 0);
  for (size_t s = 0; s < n; ++s)
    if (heavy[s] && ++heavy_per_level[level[s]] >= 2) parallel_ = true;
}

std::vector<Tensor> Plan::run_parallel(std::span<const Tensor> inputs) const {
  struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::deque<int32_t> ready;
    std::vector<int32_t> pending;
    std::vector<int32_t> readers;
    std::vector<Tensor> slots;
    size_t done = 0;
    int in_flight = 0;
    std::exception_ptr error;
  };
  auto st = std::make_shared<State>();
  st->slots.resize(num_slots_);
  bind_inputs(inputs, st->slots);
  st->pending = num_predecessors_;
  st->readers = readers_;
  const size_t n = steps_.size();
  for (size_t s = 0; s < n; ++s)
    if (st->pending[s] == 0) st->ready.push_back(static_cast<int32_t>(s));

  // Pulls ready steps until the graph is done or failed. Helpers that start late
  // find nothing to do: they only touch the shared state, never this frame.
  auto drain = [this, st, n] {
    std::unique_lock<std::mutex> lock(st->mu);
    for (;;) {
      st->cv.wait(lock, [&] { return !st->ready.empty() || st->done == n || st->error; });
      if (st->done == n || st->error) return;
      int32_t s = st->ready.front();
      st->ready.pop_front();
      ++st->in_flight;
      lock.unlock();
      std::exception_ptr error;
      try {
        run_step(steps_[s], st->slots, /*sequential=*/false);
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      --st->in_flight;
      if (error) {
        if (!st->error) st->error = error;
        st->cv.notify_all();
        return;
      }
      const Step& step = steps_[s];
      for (int32_t k = 0; k < step.in_count; ++k) {
        int32_t sl = in_slots_[step.in_begin + k];
        if (--st->readers[sl] == 0 && !pinned_[sl]) st->slots[sl] = Tensor();
      }
      ++st->done;
      for (int32_t next : successors_[s])
        if (--st->pending[next] == 0) st->ready.push_back(next);
      st->cv.notify_all();
    }
  };
  ThreadPool& pool = ThreadPool::global();
  for (int i = 0; i < pool.num_threads(); ++i)
    pool.schedule([drain] {
      tls_pool_worker = true;
      drain();
      tls_pool_worker = false;
    });
  drain();
  std::unique_lock<std::mutex> lock(st->mu);
  // On failure, wait for steps still running: they use this plan's steps.
  st->cv.wait(lock, [&] { return st->in_flight == 0; });
  if (st->error) std::rethrow_exception(st->error);
  return collect_outputs(st->slots);
}

}  // namespace loom
