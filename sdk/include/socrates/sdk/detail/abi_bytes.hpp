#pragma once
// Implementation detail of the SDK (it may change in any version): bytes across the plugin ABI
// (<socrates/abi.h>) as the C++ side of either end handles them. Compiled into each plugin by
// sdk/detail/abi_plugin.hpp, and into the host, which shares these few helpers with it.

#include <socrates/abi.h>
#include <socrates/sdk/error.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace socrates::sdk::detail::abi {

inline socrates_str view(std::string_view text) noexcept { return socrates_str{text.data(), text.size()}; }
inline std::string_view view(const socrates_str& text) noexcept {
  return text.data ? std::string_view(text.data, text.size) : std::string_view();
}
inline std::string_view view(const socrates_buffer& buffer) noexcept {
  return buffer.data ? std::string_view(buffer.data, buffer.size) : std::string_view();
}

// Hands `text` over as a buffer without copying it: the buffer owns the string until released.
inline void fill(socrates_buffer* out, std::string&& text) {
  auto* owned = new std::string(std::move(text));
  out->data = owned->c_str();
  out->size = owned->size();
  out->private_data = owned;
  out->release = [](socrates_buffer* self) { delete static_cast<std::string*>(self->private_data); };
}
// A buffer of a static string: nothing to release. For when nothing can be allocated.
inline void fill_static(socrates_buffer* out, const char* text, std::size_t size) noexcept {
  out->data = text;
  out->size = size;
  out->private_data = nullptr;
  out->release = nullptr;
}

// A buffer released on scope exit.
class OwnedBuffer {
 public:
  OwnedBuffer() noexcept : buffer_{nullptr, 0, nullptr, nullptr} {}
  ~OwnedBuffer() { socrates_buffer_release(&buffer_); }
  OwnedBuffer(const OwnedBuffer&) = delete;
  OwnedBuffer& operator=(const OwnedBuffer&) = delete;
  socrates_buffer* get() noexcept { return &buffer_; }
  std::string_view text() const noexcept { return view(buffer_); }

 private:
  socrates_buffer buffer_;
};

inline std::string dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

inline nlohmann::json error_json(const Error& error) {
  return {{"code", error.code}, {"message", error.message}, {"details", error.details}};
}

// An error object read back; anything malformed is INTERNAL_ERROR (the other side is broken).
inline Error error_from(std::string_view text) {
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("code") || !parsed["code"].is_string())
    return Error{errc::kInternal, "a malformed error crossed the plugin boundary", nlohmann::json::object()};
  Error error{parsed["code"].get<std::string>(), parsed.value("message", std::string()),
              nlohmann::json::object()};
  auto details = parsed.find("details");
  if (details != parsed.end() && details->is_object()) error.details = std::move(*details);
  return error;
}

}  // namespace socrates::sdk::detail::abi
