#pragma once
// The SDK version: that of the plugin ABI (<socrates/abi.h>) it speaks. The host checks a plugin's
// ABI version only, before it calls any of its functions: the major must be the host's, the minor
// no newer than the host's (a host of 2.3 loads plugins built for 2.0 to 2.3). Compiler and
// standard library are free: only C types cross the boundary.

#include <socrates/abi.h>

#define SOCRATES_SDK_VERSION_MAJOR SOCRATES_ABI_VERSION_MAJOR
#define SOCRATES_SDK_VERSION_MINOR SOCRATES_ABI_VERSION_MINOR

#define SOCRATES_SDK_STRINGIFY_(x) #x
#define SOCRATES_SDK_STRINGIFY(x) SOCRATES_SDK_STRINGIFY_(x)

// What the plugin was built with, for people (plugin-check, GET /api/v1/admin/agents); never
// checked. <cstddef> defines the standard library's identification macros.
#include <cstddef>
#if defined(__clang__)
#define SOCRATES_SDK_COMPILER_ID "clang " SOCRATES_SDK_STRINGIFY(__clang_major__)
#elif defined(__GNUC__)
#define SOCRATES_SDK_COMPILER_ID "gcc " SOCRATES_SDK_STRINGIFY(__GNUC__)
#else
#define SOCRATES_SDK_COMPILER_ID "unknown compiler"
#endif
#if defined(_LIBCPP_VERSION)
#define SOCRATES_SDK_STDLIB_ID "libc++"
#elif defined(__GLIBCXX__)
#define SOCRATES_SDK_STDLIB_ID "libstdc++"
#else
#define SOCRATES_SDK_STDLIB_ID "unknown library"
#endif
#define SOCRATES_SDK_BUILT_WITH SOCRATES_SDK_COMPILER_ID ", " SOCRATES_SDK_STDLIB_ID

namespace socrates::sdk {
inline constexpr int kVersionMajor = SOCRATES_SDK_VERSION_MAJOR;
inline constexpr int kVersionMinor = SOCRATES_SDK_VERSION_MINOR;
}  // namespace socrates::sdk
