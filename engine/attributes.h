// Node attributes of the IR: a small typed map. The importer writes every attribute an op
// reads in its normalised (latest-opset) form, so kernels never see opset differences.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace fusedinf {

using AttrValue = std::variant<int64_t, float, std::string, std::vector<int64_t>, std::vector<float>>;

class Attributes {
 public:
  void set(const std::string& name, AttrValue value) { values_[name] = std::move(value); }
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  void erase(const std::string& name) { values_.erase(name); }
  const std::map<std::string, AttrValue>& all() const { return values_; }

  // Typed getters: the default when absent or of another type.
  int64_t get_int(const std::string& name, int64_t fallback) const { return get<int64_t>(name, fallback); }
  float get_float(const std::string& name, float fallback) const { return get<float>(name, fallback); }
  std::string get_string(const std::string& name, const std::string& fallback) const {
    return get<std::string>(name, fallback);
  }
  std::vector<int64_t> get_ints(const std::string& name, std::vector<int64_t> fallback = {}) const {
    return get<std::vector<int64_t>>(name, std::move(fallback));
  }
  std::vector<float> get_floats(const std::string& name, std::vector<float> fallback = {}) const {
    return get<std::vector<float>>(name, std::move(fallback));
  }

  bool operator==(const Attributes& other) const { return values_ == other.values_; }

 private:
  template <class T>
  T get(const std::string& name, T fallback) const {
    auto it = values_.find(name);
    if (it == values_.end()) return fallback;
    if (const T* v = std::get_if<T>(&it->second)) return *v;
    return fallback;
  }
  std::map<std::string, AttrValue> values_;
};

}  // namespace fusedinf
