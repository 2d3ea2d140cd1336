#include "engine/fuse_models.h"

#include <map>
#include <set>

#include "engine/graph_rewrite.h"
#include "engine/passes/pass.h"

namespace fusedinf {

uint64_t unique_weight_bytes(const Graph& graph) {
  std::set<int> seen;
  uint64_t bytes = 0;
  for (const Tensor& t : graph.tensors)
    if (t.is_constant() && seen.insert(t.buffer).second) bytes += graph.buffers[t.buffer].size;
  return bytes;
}

namespace {

std::string describe(const Tensor& t) { return std::string(dtype_name(t.dtype)) + " " + shape_to_string(t.shape); }

// Which group input each "member/input" binds to (by the group input's name).
Result<std::map<std::string, std::string>> shared_bindings(const std::vector<FuseMember>& members,
                                                           const FuseOptions& options) {
  std::map<std::string, std::string> binding;
  std::set<std::string> known;
  for (const FuseMember& m : members)
    for (const GraphIo& in : m.graph.inputs) known.insert(m.name + "/" + in.name);
  if (options.share_same_named_inputs) {
    std::map<std::string, int> count;
    for (const FuseMember& m : members)
      for (const GraphIo& in : m.graph.inputs) ++count[in.name];
    for (const FuseMember& m : members)
      for (const GraphIo& in : m.graph.inputs)
        if (count[in.name] > 1) binding[m.name + "/" + in.name] = in.name;
  }
  for (const SharedInput& shared : options.shared_inputs)
    for (const std::string& member_input : shared.member_inputs) {
      if (!known.count(member_input))
        return Status::error("shared input '" + shared.name + "': '" + member_input +
                             "' is not an input of any member");
      binding[member_input] = shared.name;
    }
  return binding;
}

}  // namespace

Result<Graph> fuse_models(std::vector<FuseMember> members, const FuseOptions& options, FuseReport* report) {
  if (members.empty()) return Status::error("nothing to fuse");
  std::set<std::string> names;
  for (const FuseMember& m : members) {
    if (m.name.empty() || m.name.find('/') != std::string::npos)
      return Status::error("member name '" + m.name + "' must be non-empty and have no '/'");
    if (!names.insert(m.name).second) return Status::error("two members are named '" + m.name + "'");
    if (!m.graph.signatures.empty()) return Status::error("'" + m.name + "' is already a fused group");
  }
  FI_ASSIGN_OR_RETURN(auto binding, shared_bindings(members, options));

  Graph group;
  FuseReport stats;
  std::map<std::string, int> group_input_tensor;  // shared input name -> tensor
  std::map<std::string, std::string> group_input_owner;
  for (FuseMember& m : members) {
    Graph& g = m.graph;
    stats.nodes_before += static_cast<int>(g.nodes.size());
    stats.weight_bytes_before += unique_weight_bytes(g);
    std::vector<int> tensor_map(g.tensors.size(), -1);
    const int buffer_base = static_cast<int>(group.buffers.size());
    for (Buffer& b : g.buffers) group.buffers.push_back(std::move(b));
    Signature signature{m.name, {}, {}};
    for (const GraphIo& in : g.inputs) {
      const Tensor& t = g.tensors[in.tensor];
      auto bound = binding.find(m.name + "/" + in.name);
      if (bound == binding.end()) {
        tensor_map[in.tensor] = group.add_tensor(m.name + "/" + in.name, t.dtype, t.shape);
        group.inputs.push_back({m.name + "/" + in.name, tensor_map[in.tensor]});
      } else {
        const std::string& shared = bound->second;
        auto existing = group_input_tensor.find(shared);
        if (existing == group_input_tensor.end()) {
          const int id = group.add_tensor(shared, t.dtype, t.shape);
          group_input_tensor[shared] = id;
          group_input_owner[shared] = m.name + "/" + in.name;
          group.inputs.push_back({shared, id});
          tensor_map[in.tensor] = id;
        } else {
          const Tensor& first = group.tensors[existing->second];
          if (first.dtype != t.dtype || first.shape != t.shape)
            return Status::error("cannot share input '" + shared + "': " + group_input_owner[shared] + " is " +
                                 describe(first) + " but " + m.name + "/" + in.name + " is " + describe(t));
          tensor_map[in.tensor] = existing->second;
        }
      }
      signature.inputs.push_back({in.name, tensor_map[in.tensor]});
    }
    for (size_t t = 0; t < g.tensors.size(); ++t) {
      if (tensor_map[t] >= 0) continue;
      Tensor tensor = g.tensors[t];
      tensor.name = m.name + "/" + tensor.name;
      if (tensor.is_constant()) tensor.buffer += buffer_base;
      group.tensors.push_back(std::move(tensor));
      tensor_map[t] = static_cast<int>(group.tensors.size()) - 1;
    }
    for (Node& node : g.nodes) {
      for (int& t : node.inputs)
        if (t >= 0) t = tensor_map[t];
      for (int& t : node.outputs) t = tensor_map[t];
      node.name = m.name + "/" + node.name;
      group.nodes.push_back(std::move(node));
    }
    for (const GraphIo& out : g.outputs) {
      group.outputs.push_back({m.name + "/" + out.name, tensor_map[out.tensor]});
      signature.outputs.push_back({out.name, tensor_map[out.tensor]});
    }
    group.signatures.push_back(std::move(signature));
  }
  group.name = "group";
  for (const Signature& s : group.signatures) group.history.push_back("fuse: member " + s.name);
  FI_RETURN_IF_ERROR(group.validate_structure().with_context("fused group"));

  PassContext context;
  FI_ASSIGN_OR_RETURN(std::vector<PassReport> reports, run_passes(group, "dedup-constants,cse,dead-code", context));
  stats.shared_constants = reports[0].changes;
  stats.shared_nodes = reports[1].changes;
  stats.nodes_after = static_cast<int>(group.nodes.size());
  stats.weight_bytes_after = unique_weight_bytes(group);
  if (report) *report = stats;
  return group;
}

Result<Graph> select_members(const Graph& group, const std::vector<std::string>& members) {
  if (members.empty()) return group;
  Graph selected = group;
  std::vector<Signature> signatures;
  std::set<std::string> wanted_outputs;
  for (const std::string& name : members) {
    const Signature* found = nullptr;
    for (const Signature& s : group.signatures)
      if (s.name == name) found = &s;
    if (!found) return Status::error("'" + name + "' is not a member of group '" + group.name + "'");
    signatures.push_back(*found);
    for (const GraphIo& out : found->outputs) wanted_outputs.insert(name + "/" + out.name);
  }
  std::vector<GraphIo> outputs;
  for (const GraphIo& out : selected.outputs)
    if (wanted_outputs.count(out.name)) outputs.push_back(out);
  selected.outputs = std::move(outputs);
  // Keep only the inputs the selected members take.
  std::set<int> needed_inputs;
  for (const Signature& s : signatures)
    for (const GraphIo& in : s.inputs) needed_inputs.insert(in.tensor);
  std::vector<GraphIo> inputs;
  for (const GraphIo& in : selected.inputs)
    if (needed_inputs.count(in.tensor)) inputs.push_back(in);
  selected.inputs = std::move(inputs);
  selected.signatures = std::move(signatures);
  remove_dead_code(selected);
  return selected;
}

}  // namespace fusedinf
