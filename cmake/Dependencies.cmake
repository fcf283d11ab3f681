# Finds every third-party dependency from Debian's packages. Nothing is downloaded or vendored.
find_package(Threads REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(CLI11 REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(XXHASH REQUIRED IMPORTED_TARGET libxxhash)
# LZ4 compresses big strings in snapshots and DUMP payloads (Redis's rdbcompression).
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
# sd_notify (READY=1, STATUS=, STOPPING=1, WATCHDOG=1) for Type=notify systemd units.
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
# cpp-httplib (Debian builds it as a shared library) serves the HTTP listener (src/http).
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
# jemalloc replaces malloc for the whole process (Debian's build has no je_ prefix); used memory is
# read from its per-thread counters. Sanitizer builds turn it off (they bring their own allocator).
if(STASHD_JEMALLOC)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
endif()

# Asio (standalone, libasio-dev) is header-only and ships no CMake config.
find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)
add_library(Asio::Asio INTERFACE IMPORTED)
target_include_directories(Asio::Asio INTERFACE ${ASIO_INCLUDE_DIR})
target_compile_definitions(Asio::Asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED)
target_link_libraries(Asio::Asio INTERFACE Threads::Threads)

if(STASHD_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(STASHD_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
