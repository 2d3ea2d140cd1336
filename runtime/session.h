// A Session runs one Graph on the CPU backend. Created once (checks that every node has a
// kernel, plans the activations and allocates their one arena), then run many times; run()
// allocates nothing but its returned outputs. Not thread-safe: one run at a time per Session.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/activation_plan.h"
#include "engine/graph.h"
#include "engine/host_tensor.h"
#include "engine/status.h"
#include "kernels/cpu/cpu_kernels.h"

namespace fusedinf {

class Session {
 public:
  static Result<Session> create(Graph graph);
  // Same, with the activation arena provided by the caller (at least arena_bytes(graph) bytes,
  // 64-byte aligned, owned by the caller and outliving the session).
  static Result<Session> create(Graph graph, uint8_t* external_arena);
  // Bytes of the arena a session of `graph` plans (activations and kernel workspace).
  static uint64_t arena_bytes(const Graph& graph);

  const Graph& graph() const { return graph_; }
  const ActivationPlan& plan() const { return plan_; }

  // Inputs are matched by name; each must have the graph input's dtype and shape.
  // Returns the graph outputs in graph order, each named.
  Result<std::vector<HostTensor>> run(const std::map<std::string, HostTensor>& inputs);

 private:
  explicit Session(Graph graph) : graph_(std::move(graph)) {}
  ConstTensorView view(int tensor) const;

  // A node bound to its kernel and to fixed views of its tensors and workspace, built once
  // so that run() allocates nothing but its returned outputs.
  struct BoundNode {
    size_t node;
    cpu::KernelFn run;
    std::vector<ConstTensorView> inputs;
    std::vector<TensorView> outputs;
    std::span<uint8_t> workspace;
  };

  Graph graph_;
  ActivationPlan plan_;
  std::unique_ptr<uint8_t[], void (*)(void*)> arena_{nullptr, nullptr};
  std::vector<uint8_t*> tensor_data_;  // arena address of every planned tensor
  std::vector<BoundNode> bound_;       // nodes to run, in order (aliases already satisfied are left out)
};

// Checks `tensor` against graph input `io` of `graph`: dtype and shape, with a message that
// names the input.
Status check_input(const Graph& graph, const GraphIo& io, const HostTensor& tensor);

}  // namespace fusedinf
