# socrates_add_agent(<target> <source>...)
#
# Declares an agent plugin: a MODULE library linked to Socrates::sdk, built so that the host can
# load it, check it and unload it again:
#  - hidden visibility, so only the SDK's two Boost.DLL aliases are exported;
#  - -fno-gnu-unique, because a library with STB_GNU_UNIQUE symbols (inline and template statics
#    from libstdc++, Boost, nlohmann/json) can never be unloaded, and a reloaded copy would share
#    the first copy's statics;
#  - --no-undefined, so a missing symbol fails the build instead of the load.
function(socrates_add_agent target)
  add_library(${target} MODULE ${ARGN})
  target_link_libraries(${target} PRIVATE Socrates::sdk)
  set_target_properties(${target} PROPERTIES
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -fno-gnu-unique)
  endif()
  target_link_options(${target} PRIVATE -Wl,--no-undefined)
endfunction()
