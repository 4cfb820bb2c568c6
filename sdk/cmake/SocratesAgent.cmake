# socrates_add_agent(<target> <source>...)
#
# Declares an agent plugin: a MODULE library linked to Socrates::sdk, built so that the host can
# load it, check it and unload it again:
#  - hidden visibility and a version script (socrates_plugin.exports), so that the descriptor
#    (socrates_plugin) is the only symbol exported: no other library binds to the plugin's own
#    symbols (template instantiations, type information) and keeps it loaded after an unload;
#  - -fno-gnu-unique, because a library with STB_GNU_UNIQUE symbols (inline and template statics
#    from libstdc++, Boost, nlohmann/json) can never be unloaded, and a reloaded copy would share
#    the first copy's statics;
#  - --no-undefined, so a missing symbol fails the build instead of the load.
set(SOCRATES_PLUGIN_EXPORTS "${CMAKE_CURRENT_LIST_DIR}/socrates_plugin.exports")

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
  target_link_options(${target} PRIVATE -Wl,--no-undefined "-Wl,--version-script=${SOCRATES_PLUGIN_EXPORTS}")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${SOCRATES_PLUGIN_EXPORTS}")
endfunction()
