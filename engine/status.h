// Status and Result<T>: the library's error values. Nothing in the library aborts or
// throws across its API; every failure is a Status whose message names what and where.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace fusedinf {

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status ok() { return Status(); }
  static Status error(std::string message) { return Status(std::move(message), true); }

  bool is_ok() const { return !failed_; }
  const std::string& message() const { return message_; }
  // Returns a copy whose message is "context: message" (no-op when ok).
  Status with_context(const std::string& context) const { return failed_ ? error(context + ": " + message_) : *this; }

 private:
  Status(std::string message, bool failed) : message_(std::move(message)), failed_(failed) {}
  std::string message_;
  bool failed_ = false;
};

// Either a value or a failed Status.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : value_(std::move(status)) {}  // NOLINT: must be an error

  bool is_ok() const { return std::holds_alternative<T>(value_); }
  Status status() const { return is_ok() ? Status::ok() : std::get<Status>(value_); }
  T& value() & { return std::get<T>(value_); }
  const T& value() const& { return std::get<T>(value_); }
  T&& value() && { return std::get<T>(std::move(value_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> value_;
};

}  // namespace fusedinf

#define FI_CONCAT_INNER(a, b) a##b
#define FI_CONCAT(a, b) FI_CONCAT_INNER(a, b)

#define FI_RETURN_IF_ERROR(expr)                \
  do {                                          \
    ::fusedinf::Status fi_status_ = (expr);     \
    if (!fi_status_.is_ok()) return fi_status_; \
  } while (0)

#define FI_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.is_ok()) return tmp.status();         \
  lhs = std::move(tmp).value()

// FI_ASSIGN_OR_RETURN(auto x, make_x()); returns the error from the enclosing function.
#define FI_ASSIGN_OR_RETURN(lhs, expr) FI_ASSIGN_OR_RETURN_IMPL(FI_CONCAT(fi_result_, __LINE__), lhs, expr)

// Returns Status::error(msg) when cond is false. msg is any expression convertible to string.
#define FI_CHECK_ARG(cond, msg)                                      \
  do {                                                               \
    if (!(cond)) return ::fusedinf::Status::error(std::string(msg)); \
  } while (0)
