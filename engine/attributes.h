// Node attributes of the IR: a small typed map. The importer writes every attribute an op
// reads in its normalised (latest-opset) form, so kernels never see opset differences.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
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

  // Lookups for kernels while they run: no copy and no allocation (the name is compared in
  // place, never turned into a std::string). The fallback when absent or of another type;
  // the spans and views stay valid until the attribute is set or erased.
  int64_t int_or(std::string_view name, int64_t fallback) const { return value_or<int64_t>(name, fallback); }
  float float_or(std::string_view name, float fallback) const { return value_or<float>(name, fallback); }
  std::string_view string_or(std::string_view name, std::string_view fallback) const {
    const std::string* v = find<std::string>(name);
    return v ? std::string_view(*v) : fallback;
  }
  std::span<const int64_t> ints(std::string_view name) const {  // empty when absent
    const std::vector<int64_t>* v = find<std::vector<int64_t>>(name);
    return v ? std::span<const int64_t>(*v) : std::span<const int64_t>();
  }
  std::span<const float> floats(std::string_view name) const {  // empty when absent
    const std::vector<float>* v = find<std::vector<float>>(name);
    return v ? std::span<const float>(*v) : std::span<const float>();
  }

  bool operator==(const Attributes& other) const { return values_ == other.values_; }

 private:
  // A linear scan: a node has a handful of attributes, and std::map::find would need a
  // std::string key.
  template <class T>
  const T* find(std::string_view name) const {
    for (const auto& [key, value] : values_)
      if (key == name) return std::get_if<T>(&value);
    return nullptr;
  }
  template <class T>
  T value_or(std::string_view name, T fallback) const {
    const T* v = find<T>(name);
    return v ? *v : fallback;
  }
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
