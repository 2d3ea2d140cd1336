// Graph <-> .fim: saving a Graph as a .fim file (equal constant buffers written once) and
// loading one back. Loading maps the file; constants point into the mapping (no copy).
// A loaded graph is checked: structure (Graph::validate_structure), every op known, and
// every node's stored output shapes equal to what shape inference derives.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/graph.h"
#include "engine/status.h"

namespace fusedinf {

struct FimWriteStats {
  uint64_t weight_bytes = 0;         // sum over constant tensors
  uint64_t unique_weight_bytes = 0;  // bytes actually stored
  uint64_t file_bytes = 0;
};

Result<FimWriteStats> save_fim(const Graph& graph, const std::string& path);
// The same file image in memory (tests, fuzzing).
Result<std::vector<uint8_t>> save_fim_to_memory(const Graph& graph);
Result<Graph> load_fim(const std::string& path);
// Same checks on an in-memory file image (tests, fuzzing); the graph keeps a copy alive.
Result<Graph> load_fim_from_memory(const void* data, size_t size);

}  // namespace fusedinf
