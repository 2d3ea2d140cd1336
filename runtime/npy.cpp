#include "runtime/npy.h"

#include <cstring>
#include <fstream>

namespace fusedinf {

namespace {

const char kMagic[] = "\x93NUMPY";
constexpr size_t kMaxHeaderBytes = 65536;

// The value of 'key' in the header dict, as text up to the next top-level ',' or '}'.
std::string dict_value(const std::string& header, const std::string& key) {
  const size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) return "";
  size_t p = header.find(':', k);
  if (p == std::string::npos) return "";
  ++p;
  int depth = 0;
  size_t end = p;
  for (; end < header.size(); ++end) {
    const char c = header[end];
    if (c == '(' || c == '[')
      ++depth;
    else if (c == ')' || c == ']')
      --depth;
    else if ((c == ',' || c == '}') && depth == 0)
      break;
  }
  std::string v = header.substr(p, end - p);
  v.erase(0, v.find_first_not_of(" \t"));
  v.erase(v.find_last_not_of(" \t") + 1);
  return v;
}

// "3, 4" or "3," or "": comma-separated decimal dimensions, nothing else.
Result<Shape> parse_shape(const std::string& dims, const std::string& what) {
  Shape shape;
  size_t p = 0;
  auto skip_space = [&] {
    while (p < dims.size() && (dims[p] == ' ' || dims[p] == '\t')) ++p;
  };
  skip_space();
  while (p < dims.size()) {
    int64_t d = 0;
    const size_t start = p;
    for (; p < dims.size() && dims[p] >= '0' && dims[p] <= '9'; ++p) {
      if (p - start >= 12) return Status::error(what + ": dimension too large in shape (" + dims + ")");
      d = d * 10 + (dims[p] - '0');
    }
    if (p == start) return Status::error(what + ": bad shape (" + dims + ")");
    if (shape.size() >= kMaxRank)
      return Status::error(what + ": shape has more than " + std::to_string(kMaxRank) + " dimensions");
    shape.push_back(d);
    skip_space();
    if (p == dims.size()) break;
    if (dims[p] != ',') return Status::error(what + ": bad shape (" + dims + ")");
    ++p;
    skip_space();
  }
  return shape;
}

}  // namespace

Result<HostTensor> parse_npy(const void* data, size_t size, const std::string& what) {
  const uint8_t* bytes = static_cast<const uint8_t*>(data);
  if (size < 10 || std::memcmp(bytes, kMagic, 6) != 0) return Status::error(what + " is not a .npy file");
  const int major = bytes[6];
  size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = bytes[8] | (bytes[9] << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (size < 12) return Status::error(what + " is truncated");
    header_len = bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (static_cast<size_t>(bytes[11]) << 24);
    header_start = 12;
  } else {
    return Status::error(what + ": .npy format version " + std::to_string(major) + " is not supported");
  }
  // numpy writes headers of a few hundred bytes (and reads none over 10000 by default).
  if (header_len > kMaxHeaderBytes)
    return Status::error(what + ": the header (" + std::to_string(header_len) + " bytes) is over the limit of " +
                         std::to_string(kMaxHeaderBytes) + " bytes");
  if (header_len > size - header_start) return Status::error(what + " is truncated (header)");
  const std::string header(reinterpret_cast<const char*>(bytes + header_start), header_len);
  const std::string descr = dict_value(header, "descr");
  const std::string fortran = dict_value(header, "fortran_order");
  const std::string shape_text = dict_value(header, "shape");
  HostTensor t;
  if (descr == "'<f4'")
    t.dtype = DType::kFloat32;
  else if (descr == "'<i8'")
    t.dtype = DType::kInt64;
  else if (descr == "'<i4'")
    t.dtype = DType::kInt32;
  else if (descr == "'|b1'")
    t.dtype = DType::kBool;
  else
    return Status::error(what + ": dtype " + (descr.empty() ? "(missing)" : descr) +
                         " is not supported (float32, int64, int32, bool)");
  if (fortran != "False") return Status::error(what + ": only C-order arrays are supported");
  if (shape_text.size() < 2 || shape_text.front() != '(' || shape_text.back() != ')')
    return Status::error(what + ": bad shape " + shape_text);
  FI_ASSIGN_OR_RETURN(t.shape, parse_shape(shape_text.substr(1, shape_text.size() - 2), what));
  if (!shape_within_limits(t.shape)) return Status::error(what + ": shape " + shape_over_limits_message(t.shape));
  const size_t data_start = header_start + header_len;
  const size_t expected = static_cast<size_t>(num_elements(t.shape)) * dtype_size(t.dtype);
  if (size - data_start != expected)
    return Status::error(what + ": holds " + std::to_string(size - data_start) + " data bytes, shape " +
                         shape_to_string(t.shape) + " needs " + std::to_string(expected));
  t.bytes.assign(bytes + data_start, bytes + size);
  if (t.dtype == DType::kBool)
    for (uint8_t& b : t.bytes) b = b != 0;
  return t;
}

Result<HostTensor> read_npy(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::error("cannot open '" + path + "'");
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  return parse_npy(bytes.data(), bytes.size(), "'" + path + "'");
}

Status write_npy(const std::string& path, const HostTensor& t) {
  const char* descr = t.dtype == DType::kFloat32 ? "<f4"
                      : t.dtype == DType::kInt64 ? "<i8"
                      : t.dtype == DType::kInt32 ? "<i4"
                                                 : "|b1";
  std::string shape = "(";
  for (size_t i = 0; i < t.shape.size(); ++i)
    shape += std::to_string(t.shape[i]) + (t.shape.size() == 1 ? "," : i + 1 < t.shape.size() ? ", " : "");
  shape += ")";
  std::string header = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::error("cannot write '" + path + "'");
  out.write(kMagic, 6);
  const char version[2] = {1, 0};
  out.write(version, 2);
  const uint16_t len = static_cast<uint16_t>(header.size());
  const char len_bytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  out.write(len_bytes, 2);
  out << header;
  out.write(reinterpret_cast<const char*>(t.bytes.data()), static_cast<std::streamsize>(t.bytes.size()));
  if (!out) return Status::error("writing '" + path + "' failed");
  return Status::ok();
}

}  // namespace fusedinf
