// The .fim container: a size-prefixed FlatBuffer (format/fusedinf.fbs) then a weights section
// at the next 64-byte boundary. No dependency on engine/.
//
// FimWriter collects buffers (equal ones stored once: XXH3 hash, then byte comparison) and
// writes the file around a finished FlatBuffer. FimFile maps a file read-only and checks,
// before anything is used: size prefix, file identifier, FlatBuffers verifier, schema version,
// the limits below, the alignment of every 8-byte vector (the verifier checks only 4),
// that every attribute with a value type has a value, every buffer's offset, size, alignment
// and hash.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/status.h"
#include "format/fusedinf_generated.h"

namespace fusedinf::fim_format {

inline constexpr uint16_t kVersionMajor = 1;
inline constexpr uint16_t kVersionMinor = 0;
inline constexpr uint64_t kAlignment = 64;

// What a .fim may declare; a file over a limit is refused by a message naming the limit.
// Far above any real model, low enough that nothing derived from them overflows or exhausts
// memory (a million tensors of at most 2^42 bytes each sum below 2^63).
struct FimLimits {
  static constexpr uint32_t kMaxTensors = 1u << 20;
  static constexpr uint32_t kMaxNodes = 1u << 20;
  static constexpr uint32_t kMaxBuffers = 1u << 20;
  static constexpr uint32_t kMaxNodeInputs = 4096;           // and outputs
  static constexpr uint32_t kMaxAttributes = 256;            // per node
  static constexpr uint32_t kMaxAttributeValues = 1u << 20;  // ints or floats of one attribute
  static constexpr uint32_t kMaxRank = 32;
  static constexpr uint32_t kMaxSignatures = 4096;
  static constexpr uint32_t kMaxIos = 4096;  // graph or signature inputs (and outputs)
  static constexpr uint32_t kMaxHistory = 4096;
  static constexpr size_t kMaxTables = 10'000'000;  // FlatBuffers verifier
  static constexpr size_t kMaxDepth = 64;
};

uint64_t content_hash(const void* data, size_t size);

class FimWriter {
 public:
  // Returns the index of a stored buffer equal to these bytes, storing them when new.
  uint32_t add_buffer(const void* data, size_t size);
  const std::vector<fim::BufferRef>& buffer_refs() const { return refs_; }
  uint64_t weights_size() const { return weights_size_; }
  uint64_t stored_bytes() const { return stored_bytes_; }
  // Writes prefix + flatbuffer + padding + weights to `path`, atomically: through a temporary
  // file in the same directory renamed over `path`, so `path` may be a file whose mapping
  // holds the buffers being written (fuse a.fim b.fim -o a.fim).
  Status write(const std::string& path, std::span<const uint8_t> flatbuffer) const;
  // The same file image in memory (tests, fuzzing).
  std::vector<uint8_t> serialize(std::span<const uint8_t> flatbuffer) const;

 private:
  Status write_to(const std::string& path, std::span<const uint8_t> flatbuffer) const;
  // Hands the file's bytes, in order, to put(const void*, size_t).
  template <class Put>
  void emit(std::span<const uint8_t> flatbuffer, Put&& put) const;
  struct Stored {
    const uint8_t* data;
    size_t size;
  };
  std::vector<Stored> stored_;  // per ref; data owned by the caller until write()
  std::vector<fim::BufferRef> refs_;
  uint64_t weights_size_ = 0, stored_bytes_ = 0;
};

// A verified, memory-mapped (or in-memory) .fim file. Thread-safe to read.
class FimFile {
 public:
  static Result<std::shared_ptr<FimFile>> open(const std::string& path);
  static Result<std::shared_ptr<FimFile>> from_memory(const void* data, size_t size);
  ~FimFile();

  const fim::Model& model() const { return *model_; }
  // Bytes of buffer i (checked at open).
  std::span<const uint8_t> buffer(uint32_t i) const;
  // Buffer reference i, copied out of the file (the struct may be misaligned in memory).
  fim::BufferRef buffer_ref(uint32_t i) const;
  uint64_t file_size() const { return size_; }

 private:
  FimFile() = default;
  Status verify(const std::string& what);
  Status check_limits_and_layout(const std::string& what) const;

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
  std::vector<uint8_t> owned_;
  const fim::Model* model_ = nullptr;
  const uint8_t* weights_ = nullptr;
};

}  // namespace fusedinf::fim_format
