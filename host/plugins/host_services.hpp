#pragma once
// The host's services as a plugin sees them: the C table of <socrates/abi.h> (socrates_host_api)
// over an sdk::Services of the host's (the ServiceContainer, or a test's fake). A HostCall lives on
// the stack of one call into a plugin and hands it a socrates_host that reaches `services`.

#include <socrates/abi.h>
#include <socrates/sdk/services.hpp>

namespace socrates::host {

// The table every HostCall points to: one, static, for the life of the process.
const socrates_host_api& host_api() noexcept;

class HostCall {
 public:
  explicit HostCall(sdk::Services& services) noexcept : host_{&host_api()}, services_(&services) {}
  HostCall(const HostCall&) = delete;
  HostCall& operator=(const HostCall&) = delete;

  const socrates_host* get() const noexcept { return &host_; }
  // The services behind a socrates_host that a HostCall handed out.
  static sdk::Services& services_of(const socrates_host* host) noexcept;

 private:
  socrates_host host_;  // first: a plugin's socrates_host* is this object's address
  sdk::Services* services_;
};

}  // namespace socrates::host
