#pragma once
// The SDK version and the build identity a plugin is checked against before the host calls any of
// its functions (its static initialisers have run by then: dlopen runs them; see plugin.hpp).
//
// A plugin and the host must agree on:
//  - the SDK major version (minor versions only add; a host with SDK 1.3 loads plugins built for 1.0..1.3),
//  - the compiler family and major version, and the C++ standard library with its string ABI,
//    because C++ objects (std::string, nlohmann::json, virtual tables) cross the boundary.

// <cstddef> defines the standard library's identification macros tested below.
#include <cstddef>

#define SOCRATES_SDK_VERSION_MAJOR 1
#define SOCRATES_SDK_VERSION_MINOR 4

#define SOCRATES_SDK_STRINGIFY_(x) #x
#define SOCRATES_SDK_STRINGIFY(x) SOCRATES_SDK_STRINGIFY_(x)

#if defined(__clang__)
#define SOCRATES_SDK_COMPILER_ID "clang " SOCRATES_SDK_STRINGIFY(__clang_major__)
#elif defined(__GNUC__)
#define SOCRATES_SDK_COMPILER_ID "gcc " SOCRATES_SDK_STRINGIFY(__GNUC__)
#else
#define SOCRATES_SDK_COMPILER_ID "unknown"
#endif

// Only what decides binary compatibility goes in here: the library family and its string ABI.
// (__GLIBCXX__ is a release date that changes with every Debian point release of the same ABI.)
#if defined(_GLIBCXX_USE_CXX11_ABI) && _GLIBCXX_USE_CXX11_ABI
#define SOCRATES_SDK_STDLIB_ID "libstdc++ cxx11-abi"
#elif defined(__GLIBCXX__)
#define SOCRATES_SDK_STDLIB_ID "libstdc++ old-abi"
#elif defined(_LIBCPP_VERSION)
#define SOCRATES_SDK_STDLIB_ID "libc++ " SOCRATES_SDK_STRINGIFY(_LIBCPP_ABI_VERSION)
#else
#define SOCRATES_SDK_STDLIB_ID "unknown"
#endif

namespace socrates::sdk {
inline constexpr int kVersionMajor = SOCRATES_SDK_VERSION_MAJOR;
inline constexpr int kVersionMinor = SOCRATES_SDK_VERSION_MINOR;
}  // namespace socrates::sdk
