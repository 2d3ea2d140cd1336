#include "tools/tensor_args.h"

#include <charconv>
#include <filesystem>

namespace fusedinf::tools {

namespace {

// Splits "a,b,c" at commas; "" gives no items.
std::vector<std::string> split_commas(const std::string& list) {
  std::vector<std::string> items;
  if (list.empty()) return items;
  size_t start = 0;
  for (size_t comma; (comma = list.find(',', start)) != std::string::npos; start = comma + 1)
    items.push_back(list.substr(start, comma - start));
  items.push_back(list.substr(start));
  return items;
}

Result<std::pair<std::string, std::string>> split_last_eq(const std::string& flag, const std::string& arg,
                                                          const std::string& form) {
  const size_t eq = arg.rfind('=');
  if (eq == std::string::npos || eq == 0) return Status::error(flag + " '" + arg + "': expected " + form);
  return std::pair{arg.substr(0, eq), arg.substr(eq + 1)};
}

bool kept(unsigned char c, bool first) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         (c == '.' && !first);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

Result<std::pair<std::string, Shape>> parse_shape_arg(const std::string& arg) {
  const std::string form = "NAME=D0,D1,... (dims >= 0; nothing after '=' for a scalar)";
  FI_ASSIGN_OR_RETURN(auto split, split_last_eq("--shape", arg, form));
  Shape shape;
  for (const std::string& item : split_commas(split.second)) {
    int64_t d = -1;
    const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), d);
    if (item.empty() || ec != std::errc() || ptr != item.data() + item.size() || d < 0)
      return Status::error("--shape '" + arg + "': dim '" + item + "' is not an integer >= 0; expected " + form);
    shape.push_back(d);
  }
  return std::pair{split.first, shape};
}

Result<std::pair<std::string, std::vector<std::string>>> parse_constant_arg(const std::string& arg) {
  const std::string form = "NAME=VALUE or NAME=V0,V1,...";
  FI_ASSIGN_OR_RETURN(auto split, split_last_eq("--constant-input", arg, form));
  std::vector<std::string> values = split_commas(split.second);
  if (values.empty()) return Status::error("--constant-input '" + arg + "': no value; expected " + form);
  for (const std::string& v : values)
    if (v.empty()) return Status::error("--constant-input '" + arg + "': an empty value; expected " + form);
  return std::pair{split.first, values};
}

Result<std::pair<std::string, std::string>> split_tensor_arg(const std::string& arg,
                                                             const std::vector<std::string>& names,
                                                             const std::string& what) {
  const size_t first_eq = arg.find('=');
  if (first_eq == std::string::npos) return std::pair{std::string(), arg};
  for (size_t eq = arg.rfind('='); eq != std::string::npos; eq = eq == 0 ? std::string::npos : arg.rfind('=', eq - 1))
    for (const std::string& name : names)
      if (name.size() == eq && arg.compare(0, eq, name) == 0) return std::pair{name, arg.substr(eq + 1)};
  std::error_code ec;
  if (std::filesystem::is_regular_file(arg, ec)) return std::pair{std::string(), arg};
  return Status::error(what + " '" + arg.substr(0, first_eq) + "' is not a name of the model");
}

std::string escape_tensor_name(const std::string& name) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (kept(c, i == 0)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out.empty() ? "%" : out;  // "" -> "%": no other name escapes to a lone '%'
}

Result<std::string> unescape_tensor_name(const std::string& stem) {
  if (stem == "%") return std::string();
  std::string out;
  for (size_t i = 0; i < stem.size(); ++i) {
    if (stem[i] != '%') {
      out += stem[i];
      continue;
    }
    const int hi = i + 1 < stem.size() ? hex_value(stem[i + 1]) : -1;
    const int lo = i + 2 < stem.size() ? hex_value(stem[i + 2]) : -1;
    if (hi < 0 || lo < 0)
      return Status::error("'" + stem + "': '%' at " + std::to_string(i) + " is not followed by two hex digits");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

}  // namespace fusedinf::tools
