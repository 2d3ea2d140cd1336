#include "format/fim_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>

namespace fusedinf::fim_format {

namespace {
uint64_t align_up(uint64_t v) { return (v + kAlignment - 1) / kAlignment * kAlignment; }

// FlatBuffers' verifier checks a vector's length field for 4-byte alignment only; reading an
// 8-byte element through a misaligned pointer is undefined behaviour (and a fault on some
// ARM cores). A builder aligns every non-empty one (not empty ones: nothing is read there),
// so a misaligned one is a corrupt file.
template <class V>
bool aligned_8(const V* vec) {
  return !vec || vec->size() == 0 || reinterpret_cast<uintptr_t>(vec->Data()) % 8 == 0;
}

Status over_limit(const std::string& what, const std::string& thing, uint64_t count, uint64_t limit) {
  return Status::error(what + ": " + thing + " " + std::to_string(count) + " is over the limit of " +
                       std::to_string(limit));
}
}  // namespace

uint64_t content_hash(const void* data, size_t size) { return XXH3_64bits(data, size); }

uint32_t FimWriter::add_buffer(const void* data, size_t size) {
  const uint64_t hash = content_hash(data, size);
  for (size_t i = 0; i < refs_.size(); ++i)
    if (refs_[i].hash() == hash && refs_[i].size() == size && std::memcmp(stored_[i].data, data, size) == 0)
      return static_cast<uint32_t>(i);
  const uint64_t offset = align_up(weights_size_);
  refs_.emplace_back(offset, size, hash);
  stored_.push_back({static_cast<const uint8_t*>(data), size});
  weights_size_ = offset + size;
  stored_bytes_ += size;
  return static_cast<uint32_t>(refs_.size() - 1);
}

Status FimWriter::write(const std::string& path, std::span<const uint8_t> flatbuffer) const {
  // Written to a temporary name beside `path`, then renamed over it: a reader (or this
  // writer's own buffers, when they point into a mapping of `path`) never sees a half-written
  // file, and a failed write leaves the old file as it was.
  const std::string temp_path = path + ".tmp." + std::to_string(::getpid());
  Status status = write_to(temp_path, flatbuffer);
  if (status.is_ok() && std::rename(temp_path.c_str(), path.c_str()) != 0)
    status = Status::error("cannot rename '" + temp_path + "' to '" + path + "': " + std::strerror(errno));
  if (!status.is_ok()) std::remove(temp_path.c_str());
  return status;
}

template <class Put>
void FimWriter::emit(std::span<const uint8_t> flatbuffer, Put&& put) const {
  // flatbuffer is already size-prefixed.
  put(flatbuffer.data(), flatbuffer.size());
  const uint64_t weights_start = align_up(flatbuffer.size());
  static const uint8_t zeros[kAlignment] = {};
  put(zeros, weights_start - flatbuffer.size());
  uint64_t written = 0;
  for (size_t i = 0; i < refs_.size(); ++i) {
    put(zeros, refs_[i].offset() - written);
    put(stored_[i].data, stored_[i].size);
    written = refs_[i].offset() + stored_[i].size;
  }
}

Status FimWriter::write_to(const std::string& path, std::span<const uint8_t> flatbuffer) const {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::error("cannot write '" + path + "'");
  emit(flatbuffer,
       [&](const void* p, size_t n) { out.write(static_cast<const char*>(p), static_cast<std::streamsize>(n)); });
  out.close();
  if (!out) return Status::error("writing '" + path + "' failed");
  return Status::ok();
}

std::vector<uint8_t> FimWriter::serialize(std::span<const uint8_t> flatbuffer) const {
  std::vector<uint8_t> bytes;
  emit(flatbuffer, [&](const void* p, size_t n) {
    bytes.insert(bytes.end(), static_cast<const uint8_t*>(p), static_cast<const uint8_t*>(p) + n);
  });
  return bytes;
}

Result<std::shared_ptr<FimFile>> FimFile::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::error("cannot open '" + path + "': " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::error("'" + path + "' is not a regular file");
  }
  std::shared_ptr<FimFile> file(new FimFile());
  file->size_ = static_cast<size_t>(st.st_size);
  if (file->size_ > 0) {
    void* p = mmap(nullptr, file->size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      ::close(fd);
      return Status::error("cannot map '" + path + "': " + std::strerror(errno));
    }
    file->data_ = static_cast<const uint8_t*>(p);
    file->mapped_ = true;
  }
  ::close(fd);
  FI_RETURN_IF_ERROR(file->verify("'" + path + "'"));
  return file;
}

Result<std::shared_ptr<FimFile>> FimFile::from_memory(const void* data, size_t size) {
  std::shared_ptr<FimFile> file(new FimFile());
  file->owned_.assign(static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + size);
  file->data_ = file->owned_.data();
  file->size_ = size;
  FI_RETURN_IF_ERROR(file->verify("in-memory .fim"));
  return file;
}

FimFile::~FimFile() {
  if (mapped_) munmap(const_cast<uint8_t*>(data_), size_);
}

fim::BufferRef FimFile::buffer_ref(uint32_t i) const {
  fim::BufferRef ref;
  std::memcpy(&ref, model_->buffers()->Data() + static_cast<size_t>(i) * sizeof(fim::BufferRef), sizeof ref);
  return ref;
}

std::span<const uint8_t> FimFile::buffer(uint32_t i) const {
  const fim::BufferRef ref = buffer_ref(i);
  return {weights_ + ref.offset(), static_cast<size_t>(ref.size())};
}

Status FimFile::check_limits_and_layout(const std::string& what) const {
  using L = FimLimits;
  const fim::Model& m = *model_;
  auto count = [](const auto* vec) -> uint64_t { return vec ? vec->size() : 0; };
  if (count(m.tensors()) > L::kMaxTensors) return over_limit(what, "tensor count", count(m.tensors()), L::kMaxTensors);
  if (count(m.nodes()) > L::kMaxNodes) return over_limit(what, "node count", count(m.nodes()), L::kMaxNodes);
  if (count(m.buffers()) > L::kMaxBuffers) return over_limit(what, "buffer count", count(m.buffers()), L::kMaxBuffers);
  if (count(m.signatures()) > L::kMaxSignatures)
    return over_limit(what, "signature count", count(m.signatures()), L::kMaxSignatures);
  if (count(m.history()) > L::kMaxHistory)
    return over_limit(what, "history length", count(m.history()), L::kMaxHistory);
  if (count(m.inputs()) > L::kMaxIos || count(m.outputs()) > L::kMaxIos)
    return over_limit(what, "graph input/output count", std::max(count(m.inputs()), count(m.outputs())), L::kMaxIos);
  if (m.signatures())
    for (const fim::Signature* s : *m.signatures())
      if (count(s->inputs()) > L::kMaxIos || count(s->outputs()) > L::kMaxIos)
        return over_limit(what, "signature input/output count", std::max(count(s->inputs()), count(s->outputs())),
                          L::kMaxIos);
  if (!aligned_8(m.buffers())) return Status::error(what + ": the buffer table is misaligned (corrupt file)");
  if (m.tensors()) {
    for (uint32_t i = 0; i < m.tensors()->size(); ++i) {
      const fim::Tensor* t = m.tensors()->Get(i);
      const std::string where = what + ": tensor " + std::to_string(i);
      if (count(t->shape()) > L::kMaxRank) return over_limit(where, "rank", count(t->shape()), L::kMaxRank);
      if (!aligned_8(t->shape())) return Status::error(where + ": the shape is misaligned (corrupt file)");
    }
  }
  if (m.nodes()) {
    for (uint32_t i = 0; i < m.nodes()->size(); ++i) {
      const fim::Node* n = m.nodes()->Get(i);
      const std::string where = what + ": node " + std::to_string(i);
      if (count(n->inputs()) > L::kMaxNodeInputs || count(n->outputs()) > L::kMaxNodeInputs)
        return over_limit(where, "input/output count", std::max(count(n->inputs()), count(n->outputs())),
                          L::kMaxNodeInputs);
      if (count(n->attrs()) > L::kMaxAttributes)
        return over_limit(where, "attribute count", count(n->attrs()), L::kMaxAttributes);
      if (!n->attrs()) continue;
      for (uint32_t a = 0; a < n->attrs()->size(); ++a) {
        const fim::Attribute* attr = n->attrs()->Get(a);
        const std::string at = where + ": attribute " + std::to_string(a);
        // The verifier accepts a union type without its table; decoding would dereference null.
        if (attr->value_type() != fim::AttrValue::NONE && !attr->value())
          return Status::error(at + " has a value type but no value (corrupt file)");
        uint64_t values = 0;
        if (const fim::IntsValue* v = attr->value_as_IntsValue()) {
          if (!aligned_8(v->values())) return Status::error(at + ": the values are misaligned (corrupt file)");
          values = count(v->values());
        } else if (const fim::FloatsValue* f = attr->value_as_FloatsValue()) {
          values = count(f->values());
        }
        if (values > L::kMaxAttributeValues) return over_limit(at, "value count", values, L::kMaxAttributeValues);
      }
    }
  }
  return Status::ok();
}

Status FimFile::verify(const std::string& what) {
  if (size_ < 8) return Status::error(what + " is too short to be a .fim file (" + std::to_string(size_) + " bytes)");
  uint32_t prefix = 0;
  std::memcpy(&prefix, data_, 4);
  if (static_cast<uint64_t>(prefix) + 4 > size_)
    return Status::error(what + ": the FlatBuffer size " + std::to_string(prefix) + " runs past the end of the file (" +
                         std::to_string(size_) + " bytes): truncated?");
  const uint8_t* fb = data_ + 4;
  if (prefix < 8 || !flatbuffers::BufferHasIdentifier(fb, fim::ModelIdentifier()))
    return Status::error(what + " is not a .fim file (file identifier is not '" + std::string(fim::ModelIdentifier()) +
                         "')");
  flatbuffers::Verifier verifier(data_, static_cast<size_t>(prefix) + 4, FimLimits::kMaxDepth, FimLimits::kMaxTables);
  if (!fim::VerifySizePrefixedModelBuffer(verifier))
    return Status::error(what + ": the FlatBuffer failed verification (corrupt file)");
  model_ = fim::GetSizePrefixedModel(data_);
  if (model_->version_major() > kVersionMajor)
    return Status::error(what + ": file format " + std::to_string(model_->version_major()) + "." +
                         std::to_string(model_->version_minor()) + " is newer than this reader (" +
                         std::to_string(kVersionMajor) + "." + std::to_string(kVersionMinor) + "); upgrade fusedinf");
  if (model_->version_major() < kVersionMajor)
    return Status::error(what + ": file format " + std::to_string(model_->version_major()) + " is not supported");
  FI_RETURN_IF_ERROR(check_limits_and_layout(what));
  const uint64_t weights_start = align_up(static_cast<uint64_t>(prefix) + 4);
  const uint64_t weights_size = model_->weights_size();
  if (weights_start > size_ || weights_size > size_ - weights_start)
    return Status::error(what + ": the weights section (" + std::to_string(weights_size) + " bytes at " +
                         std::to_string(weights_start) + ") runs past the end of the file (" + std::to_string(size_) +
                         " bytes): truncated?");
  weights_ = data_ + weights_start;
  if (model_->buffers()) {
    for (uint32_t i = 0; i < model_->buffers()->size(); ++i) {
      const fim::BufferRef ref = buffer_ref(i);
      const std::string b = what + ": buffer " + std::to_string(i);
      if (ref.offset() % kAlignment != 0)
        return Status::error(b + " is not " + std::to_string(kAlignment) + "-byte aligned");
      if (ref.offset() > weights_size || ref.size() > weights_size - ref.offset())
        return Status::error(b + " (offset " + std::to_string(ref.offset()) + ", size " + std::to_string(ref.size()) +
                             ") lies outside the weights section (" + std::to_string(weights_size) + " bytes)");
      if (content_hash(weights_ + ref.offset(), ref.size()) != ref.hash())
        return Status::error(b + " does not match its content hash (corrupt weights)");
    }
  }
  return Status::ok();
}

}  // namespace fusedinf::fim_format
