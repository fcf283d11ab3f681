# stashd_module(name DEPS ...): a static library stashd_<name> built from src/<name>/*.cpp, with the
# public headers under include/ and the module's private headers under src/.
function(stashd_module name)
  cmake_parse_arguments(M "" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  if(NOT sources)
    message(FATAL_ERROR "module ${name} has no sources under src/${name}")
  endif()
  add_library(stashd_${name} STATIC ${sources})
  target_include_directories(stashd_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include
                                            PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(stashd_${name} PUBLIC ${M_DEPS})
  target_compile_definitions(stashd_${name} PRIVATE STASHD_VERSION="${PROJECT_VERSION}")
endfunction()
