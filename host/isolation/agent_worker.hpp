#pragma once
// The child's side of an isolated agent (docs/plugins.md, "Isolation"):
// `socrates-host agent-worker LIBRARY COPY_DIR [INSIDE]`, started by the host with its end of a
// Unix socket at descriptor 3. It loads the library as the host would (file rules, private copy in
// COPY_DIR, descriptor check; a library named at run time must lie inside INSIDE), says hello with
// what it loaded, then runs each call the host sends (start, handle) on a thread of its own, so
// that calls run side by side as they would in the host. The agent reaches the host's services
// (database, LLM, log, settings) through messages of its call on the same socket.

#include <filesystem>
#include <optional>

namespace socrates::host::isolation {

// The exit status of a child that ran out of memory (its address-space limit).
inline constexpr int kOutOfMemoryExit = 75;

// Runs until the host closes the socket; the process's exit status.
int run_agent_worker(int fd, const std::filesystem::path& library, const std::filesystem::path& copy_dir,
                     const std::optional<std::filesystem::path>& inside);

}  // namespace socrates::host::isolation
