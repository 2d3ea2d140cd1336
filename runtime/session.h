// A Session runs one Graph on one backend: the executor.
//
// Created once: kernels compiled for the backend (or taken from an earlier compilation),
// activations and kernel workspace planned into one arena (one backend allocation), weights
// in one region in first-use order (uploaded through staging memory unless the backend's
// memory is host memory or the caller placed them), and every node bound to fixed views.
// Then run many times: a run copies its inputs in, enqueues every node on the session's
// queue, copies the outputs out and waits once. It allocates nothing but its returned
// outputs. Backends that can record work (CUDA graphs) replay the whole run from the second
// run on. Not thread-safe: one run at a time per Session.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/activation_plan.h"
#include "engine/graph.h"
#include "engine/host_tensor.h"
#include "engine/status.h"
#include "runtime/backend.h"

namespace fusedinf {

struct SessionOptions {
  // The activation arena: at least arena_bytes() of backend memory, 64-byte aligned, owned by
  // the caller and outliving the session. nullptr: the session allocates its own.
  void* arena = nullptr;
  // The graph's constant buffers already hold backend addresses (the model pool placed them).
  bool weights_placed = false;
  // Kernels compiled earlier for this graph on this backend; nullptr: compile now.
  std::shared_ptr<CompiledGraph> compiled;
};

class Session {
 public:
  // On the process's CPU backend.
  static Result<Session> create(Graph graph);
  // `backend` must outlive the session.
  static Result<Session> create(Backend& backend, Graph graph, SessionOptions options = {});
  // The activation plan of `graph` with the workspace `compiled` asks for.
  static ActivationPlan plan(const Graph& graph, const CompiledGraph& compiled);
  static uint64_t arena_bytes(const ActivationPlan& plan);

  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  ~Session();

  const Graph& graph() const;
  const ActivationPlan& plan() const;
  uint64_t weight_bytes() const;              // bytes of the weights region this session uploaded (0: placed or host)
  std::string describe_node(size_t n) const;  // CompiledGraph::describe_node

  // Inputs are matched by name; each must have the graph input's dtype and shape. Returns the
  // graph outputs in graph order, each named.
  // `node_waits` (pipelined swap-in): empty, or one event per node plus one more; node n starts
  // only once node_waits[n] is reached (nullptr: no wait), the outputs are read only once the
  // last one is. Runs with waits are never recorded.
  Result<std::vector<HostTensor>> run(const std::map<std::string, HostTensor>& inputs,
                                      std::span<const Event* const> node_waits = {});

  // One run node by node with an event recorded before each node and after the last, for
  // `fusedinf run --profile`: milliseconds per node between its events (0 for a node that
  // needs no work: an alias), as the backend's events time them (CUDA events, or the host
  // clock on the CPU). Never recorded or replayed.
  Result<std::vector<double>> profile_run(const std::map<std::string, HostTensor>& inputs);

 private:
  struct State;
  explicit Session(std::unique_ptr<State> state);
  Status stage_inputs(const std::map<std::string, HostTensor>& inputs);
  Status enqueue_run(std::span<const Event* const> node_waits, std::span<Event* const> node_marks = {});

  std::unique_ptr<State> state_;
};

// Checks `tensor` against graph input `io` of `graph`: dtype and shape, with a message that
// names the input.
Status check_input(const Graph& graph, const GraphIo& io, const HostTensor& tensor);

}  // namespace fusedinf
