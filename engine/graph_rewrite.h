// Small tools the passes share for rewriting a Graph in place.
#pragma once

#include <vector>

#include "engine/graph.h"

namespace fusedinf {

// Every use of tensor `from` (node inputs, graph and signature outputs) becomes `to`.
void replace_uses(Graph& graph, int from, int to);

// Removes the nodes marked in `drop` (one flag per node), keeping the others' order.
void erase_nodes(Graph& graph, const std::vector<bool>& drop);

// Drops nodes whose outputs no graph output needs, then tensors and buffers nothing refers
// to; renumbers what stays (signatures too), keeping order. Graph inputs are kept even when
// unused. Signatures must only refer to graph inputs and outputs.
void remove_dead_code(Graph& graph);

// How many times each tensor is read: node inputs plus graph outputs (signature outputs are
// graph outputs). After replace_uses(g, from, to) the counts of `from` move to `to`: a pass
// that keeps counts across rewrites must move them too (uses[to] += uses[from]).
std::vector<int> use_counts(const Graph& graph);

// Index of the node producing each tensor, -1 for inputs and constants.
std::vector<int> producers(const Graph& graph);

// True when two constant tensors hold the same dtype, shape and bytes.
bool same_constant(const Graph& graph, int a, int b);

}  // namespace fusedinf
