// Multi-model fusion: several graphs become one DAG. Each member's inputs and outputs keep
// their names under the member's name ("resnet18/input"); shared inputs bind several members'
// inputs to one tensor; then equal constants are stored once and identical nodes on identical
// inputs run once (dedup-constants, cse), so a backbone two fine-tunes share runs once when
// they see the same input. Nothing that differs is shared: equality is by bytes.
#pragma once

#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/status.h"

namespace fusedinf {

struct FuseMember {
  std::string name;  // unique within the group; no '/'
  Graph graph;
};

// One group input bound to several members' inputs, e.g. {"frame", {"a/input", "b/images"}}.
struct SharedInput {
  std::string name;
  std::vector<std::string> member_inputs;  // "member/input"
};

struct FuseOptions {
  // Bind inputs with the same name in several members to one tensor named like them.
  bool share_same_named_inputs = false;
  std::vector<SharedInput> shared_inputs;
};

struct FuseReport {
  int nodes_before = 0;  // sum over members
  int nodes_after = 0;
  uint64_t weight_bytes_before = 0;  // sum over members of their unique weight bytes
  uint64_t weight_bytes_after = 0;
  int shared_nodes = 0;      // nodes removed by CSE
  int shared_constants = 0;  // constants merged
};

Result<Graph> fuse_models(std::vector<FuseMember> members, const FuseOptions& options, FuseReport* report = nullptr);

// The part of a group that the named members need: their outputs, the nodes and inputs that
// feed them, nothing else. Empty `members` keeps every member.
Result<Graph> select_members(const Graph& group, const std::vector<std::string>& members);

// Bytes of the distinct buffers that constants use.
uint64_t unique_weight_bytes(const Graph& graph);

}  // namespace fusedinf
