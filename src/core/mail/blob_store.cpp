#include "core/mail/blob_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "base/crypto.h"
#include "base/ids.h"

namespace mailjuke::core {
namespace {

Error ioError(const std::string& what, const std::string& path) {
  return Error::internal(what + " " + path + ": " + std::strerror(errno));
}

bool validId(std::string_view id) {
  if (id.size() != 64) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

Status fsyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return ioError("open", path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return ioError("fsync", path);
  return {};
}

// Creates `dir` (one level under an existing root) and makes the new entry durable.
Status ensureDir(const std::string& root, const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) return {};
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) return ioError("mkdir", dir);
  return fsyncPath(root, O_RDONLY | O_DIRECTORY);
}

}  // namespace

BlobStore::BlobStore(std::string root) : root_(std::move(root)) {}

std::string BlobStore::path(std::string_view id) const {
  return root_ + "/" + std::string(id.substr(0, 2)) + "/" + std::string(id);
}

Result<BlobRef> BlobStore::put(std::string_view content) {
  BlobRef ref{crypto::sha256Hex(content), static_cast<int64_t>(content.size())};
  std::string final_path = path(ref.id);
  struct stat st;
  // Idempotent: the name is the digest, so an existing file already holds these bytes (it was
  // renamed into place only after its fsync).
  if (::stat(final_path.c_str(), &st) == 0 && st.st_size == ref.size) {
    // Refresh the mtime so garbage collection's grace period covers this new reference too.
    ::utimensat(AT_FDCWD, final_path.c_str(), nullptr, 0);
    return ref;
  }
  std::string dir = root_ + "/" + ref.id.substr(0, 2);
  MJ_TRY(ensureDir(root_, dir));
  std::string tmp = dir + "/.tmp-" + newId("b");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
  if (fd < 0) return ioError("create", tmp);
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto e = ioError("write", tmp);
      ::close(fd);
      ::unlink(tmp.c_str());
      return e;
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    auto e = ioError("fsync", tmp);
    ::close(fd);
    ::unlink(tmp.c_str());
    return e;
  }
  ::close(fd);
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    auto e = ioError("rename", final_path);
    ::unlink(tmp.c_str());
    return e;
  }
  MJ_TRY(fsyncPath(dir, O_RDONLY | O_DIRECTORY));
  return ref;
}

Result<std::string> BlobStore::get(std::string_view id) const {
  if (!validId(id)) return Error::notFound("blob");
  std::string p = path(id);
  int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Error::notFound("blob");
    return ioError("open", p);
  }
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto e = ioError("read", p);
      ::close(fd);
      return e;
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Status BlobStore::remove(std::string_view id) {
  if (!validId(id)) return Error::notFound("blob");
  std::string p = path(id);
  if (::unlink(p.c_str()) != 0 && errno != ENOENT) return ioError("unlink", p);
  return {};
}

Result<std::vector<std::string>> BlobStore::list() const {
  std::vector<std::string> out;
  std::error_code ec;
  if (!std::filesystem::exists(root_, ec)) return out;
  for (auto& sub : std::filesystem::directory_iterator(root_, ec)) {
    if (!sub.is_directory()) continue;
    std::error_code ec2;
    for (auto& f : std::filesystem::directory_iterator(sub.path(), ec2)) {
      std::string name = f.path().filename().string();
      if (validId(name)) out.push_back(name);
    }
  }
  if (ec) return Error::internal("list " + root_ + ": " + ec.message());
  return out;
}

}  // namespace mailjuke::core
