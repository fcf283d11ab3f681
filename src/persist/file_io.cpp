// Owns: the file helpers declared in file_io.h. Thread: any.
#include "persist/file_io.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace stashd::persist {

Status errno_status(std::string_view path, std::string_view step, int err) {
  return Status::error(fmt::format("{}: {}: {}", path, step, std::strerror(err)));
}

int fsync_retry(int fd) {
  int rc;
  do {
    rc = ::fsync(fd);
  } while (rc != 0 && errno == EINTR);
  return rc;
}

Status fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_status(dir, "open", errno);
  const int rc = fsync_retry(fd);
  const int err = errno;
  ::close(fd);
  return rc == 0 ? Status::ok() : errno_status(dir, "fsync", err);
}

Status read_small_file(const std::string& path, size_t max_bytes, std::string* out, int* err) {
  *err = 0;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *err = errno;
    return errno_status(path, "open", *err);
  }
  out->clear();
  char chunk[4096];
  Status s = Status::ok();
  while (true) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *err = errno;
      s = errno_status(path, "read", *err);
      break;
    }
    if (n == 0) break;
    if (out->size() + static_cast<size_t>(n) > max_bytes) {
      s = Status::error(fmt::format("{}: larger than {} bytes", path, max_bytes));
      break;
    }
    out->append(chunk, static_cast<size_t>(n));
  }
  ::close(fd);
  return s;
}

Status write_file_atomically(const std::string& temp, const std::string& target,
                             const std::string& dir, const std::function<Status(int fd)>& fill) {
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return errno_status(temp, "open", errno);
  Status s = fill(fd);
  if (s && fsync_retry(fd) != 0) s = errno_status(temp, "fsync", errno);
  if (::close(fd) != 0 && s) s = errno_status(temp, "close", errno);
  if (s && ::rename(temp.c_str(), target.c_str()) != 0) {
    s = errno_status(fmt::format("{} -> {}", temp, target), "rename", errno);
  }
  if (!s) {
    ::unlink(temp.c_str());
    return s;
  }
  // The rename is durable only once the directory entry is on disk.
  return fsync_dir(dir);
}

Status replace_file(const std::string& temp, const std::string& target, std::string_view bytes,
                    const std::string& dir) {
  return write_file_atomically(temp, target, dir, [&](int fd) {
    size_t written = 0;
    if (write_fully(fd, bytes.data(), bytes.size(), &written) != 0) {
      return errno_status(temp, "write", errno);
    }
    return Status::ok();
  });
}

int write_fully(int fd, const char* data, size_t len, size_t* written) {
  *written = 0;
  while (*written < len) {
    ssize_t n = ::write(fd, data + *written, len - *written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) {
      errno = EIO;  // a regular file that accepts nothing: treat as an I/O error, never spin
      return -1;
    }
    *written += static_cast<size_t>(n);
  }
  return 0;
}

}  // namespace stashd::persist
