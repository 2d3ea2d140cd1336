#include "tools/tensor_io.h"

#include <cmath>
#include <cstring>
#include <random>
#include <sstream>

#include "importer/onnx_importer.h"
#include "runtime/npy.h"
#include "tools/tensor_args.h"

namespace fusedinf::tools {

namespace {
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Element i as double, whatever the dtype.
double element(const HostTensor& t, int64_t i) {
  return dispatch_dtype(t.dtype, [&]<class T>() { return static_cast<double>(t.as<T>()[i]); });
}
}  // namespace

Result<HostTensor> read_tensor_file(const std::string& path) {
  if (ends_with(path, ".npy")) return read_npy(path);
  if (ends_with(path, ".pb")) return importer::read_tensor_pb_file(path);
  return Status::error("'" + path + "': unknown tensor file type (expected .npy or .pb)");
}

Result<std::map<std::string, HostTensor>> bind_tensor_args(const std::vector<std::string>& args,
                                                           const std::vector<GraphIo>& ios, const char* what) {
  std::map<std::string, HostTensor> bound;
  size_t position = 0;
  std::vector<std::string> names;
  for (const GraphIo& io : ios) names.push_back(io.name);
  for (const std::string& arg : args) {
    FI_ASSIGN_OR_RETURN(auto split, split_tensor_arg(arg, names, what));
    auto [name, path] = split;
    if (name.empty()) {
      if (position >= ios.size())
        return Status::error("more " + std::string(what) + " files than the model has (" + std::to_string(ios.size()) +
                             ")");
      name = ios[position++].name;
    }
    FI_ASSIGN_OR_RETURN(HostTensor t, read_tensor_file(path));
    t.name = name;
    if (bound.count(name)) return Status::error(std::string(what) + " '" + name + "' is given twice");
    bound.emplace(name, std::move(t));
  }
  return bound;
}

std::string tensor_file_path(const std::string& dir, const std::string& name) {
  return dir + "/" + escape_tensor_name(name) + ".npy";
}

HostTensor random_tensor(DType dtype, const Shape& shape, uint64_t seed) {
  HostTensor t = HostTensor::zeros(dtype, shape);
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal(0.f, 1.f);
  std::uniform_int_distribution<int> small(0, 9);
  for (int64_t i = 0; i < t.numel(); ++i) {
    switch (dtype) {
      case DType::kFloat32:
        t.as<float>()[i] = normal(rng);
        break;
      case DType::kInt64:
        t.as<int64_t>()[i] = small(rng);
        break;
      case DType::kInt32:
        t.as<int32_t>()[i] = small(rng);
        break;
      case DType::kBool:
        t.as<bool>()[i] = small(rng) % 2;
        break;
    }
  }
  return t;
}

std::string describe_tensor(const HostTensor& t) {
  std::ostringstream out;
  out << dtype_name(t.dtype) << " " << shape_to_string(t.shape);
  const int64_t n = t.numel();
  if (n == 0) return out.str();
  double lo = element(t, 0), hi = lo, sum = 0, sum_sq = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double v = element(t, i);
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    sum += v;
    sum_sq += v * v;
  }
  const double mean = sum / n;
  out << " min " << lo << " max " << hi << " mean " << mean << " std "
      << std::sqrt(std::max(0.0, sum_sq / n - mean * mean));
  return out.str();
}

static Status check_same_type(const HostTensor& got, const HostTensor& want) {
  if (got.dtype != want.dtype || got.shape != want.shape)
    return Status::error("'" + want.name + "': got " + std::string(dtype_name(got.dtype)) + " " +
                         shape_to_string(got.shape) + ", expected " + std::string(dtype_name(want.dtype)) + " " +
                         shape_to_string(want.shape));
  return Status::ok();
}

Result<double> relative_l2_error(const HostTensor& got, const HostTensor& want) {
  FI_RETURN_IF_ERROR(check_same_type(got, want));
  if (got.dtype != DType::kFloat32) return got.bytes == want.bytes ? 0.0 : 1.0;
  double diff = 0, norm = 0;
  for (int64_t i = 0; i < got.numel(); ++i) {
    const double g = got.as<float>()[i], w = want.as<float>()[i];
    if (std::isnan(g) != std::isnan(w)) return std::numeric_limits<double>::infinity();
    if (std::isnan(w)) continue;
    diff += (g - w) * (g - w);
    norm += w * w;
  }
  if (norm == 0) return diff == 0 ? 0.0 : std::sqrt(diff);
  return std::sqrt(diff / norm);
}

Status check_all_close(const HostTensor& got, const HostTensor& want, double rtol, double atol) {
  FI_RETURN_IF_ERROR(check_same_type(got, want));
  for (int64_t i = 0; i < got.numel(); ++i) {
    const double g = element(got, i), w = element(want, i);
    bool close;
    if (got.dtype != DType::kFloat32)
      close = g == w;
    else if (std::isnan(w) || std::isnan(g))
      close = std::isnan(w) && std::isnan(g);
    else if (std::isinf(w) || std::isinf(g))
      close = g == w;
    else
      close = std::fabs(g - w) <= atol + rtol * std::fabs(w);
    if (!close) {
      std::ostringstream msg;
      msg << "'" << want.name << "' element " << i << ": got " << g << ", expected " << w;
      return Status::error(msg.str());
    }
  }
  return Status::ok();
}

}  // namespace fusedinf::tools
