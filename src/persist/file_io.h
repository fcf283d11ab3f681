// Owns: the small file-system steps the persist module repeats (snapshots and the AOF): errno messages, fsync with EINTR retry,
// directory fsync, whole-file reads of small files, atomic replacement (temp, fsync, rename,
// directory fsync) and write-everything loops.
// Must not touch: logging, anything stateful. Thread: any.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "stashd/common/status.h"

namespace stashd::persist {

// "<path>: <step>: <strerror(err)>", the persist module's error shape.
Status errno_status(std::string_view path, std::string_view step, int err);

// fsync(fd), retried on EINTR; returns 0 or -1 with errno set.
int fsync_retry(int fd);

// Makes a directory's entries (a rename, a new file) durable.
Status fsync_dir(const std::string& dir);

// Reads a whole regular file of at most max_bytes. On failure *err holds the errno (0 when the
// file is too big).
Status read_small_file(const std::string& path, size_t max_bytes, std::string* out, int* err);

// Creates `temp`, lets `fill` write it, fsyncs it, renames it over `target` and fsyncs `dir`. Any
// failure removes the temp file and leaves `target` untouched. Safe in a forked child.
Status write_file_atomically(const std::string& temp, const std::string& target,
                             const std::string& dir, const std::function<Status(int fd)>& fill);

// write_file_atomically with `bytes` as the content.
Status replace_file(const std::string& temp, const std::string& target, std::string_view bytes,
                    const std::string& dir);

// write() until every byte is out, retrying EINTR. On failure returns -1 with errno set and
// *written holding the bytes that did reach the file.
int write_fully(int fd, const char* data, size_t len, size_t* written);

}  // namespace stashd::persist
