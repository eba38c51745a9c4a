#include "storage/objectstore.h"

#include "storage/localstore.h"
#include "storage/s3store.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lp {

G_DEFINE_QUARK(lp - object - store - error - quark, object_store_error)

bool object_key_is_valid(const std::string &key) {
  if (key.empty() || key.front() == '/' || key.back() == '/' || key.size() > 1024)
    return false;
  size_t start = 0;
  while (start <= key.size()) {
    size_t slash = key.find('/', start);
    if (slash == std::string::npos)
      slash = key.size();
    const std::string part = key.substr(start, slash - start);
    if (part.empty() || part == "." || part == "..")
      return false;
    for (unsigned char c : part) {
      if (c < 0x20 || c == 0x7f || c == '\\')
        return false;
    }
    start = slash + 1;
  }
  return true;
}

std::unique_ptr<ObjectStore> open_object_store(const std::string &location, GError **error) {
  if (location.empty()) {
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorLocation, "no location set");
    return nullptr;
  }
  const char *scheme = g_uri_peek_scheme(location.c_str());
  if (!scheme)
    return LocalStore::open(location, error);
  if (g_strcmp0(scheme, "file") == 0) {
    GError *uri_error = nullptr;
    g_autofree gchar *hostname = nullptr;
    g_autofree gchar *path = g_filename_from_uri(location.c_str(), &hostname, &uri_error);
    // file://relative/dir parses as host "relative" and path /dir: refuse rather than write to
    // a directory the user did not name.
    if (path && hostname && *hostname && g_ascii_strcasecmp(hostname, "localhost") != 0) {
      g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorLocation,
                  "file URL '%s' names host '%s': use file:///absolute/dir or a plain path",
                  location.c_str(), hostname);
      return nullptr;
    }
    if (!path) {
      g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorLocation,
                  "invalid file URL '%s': %s", location.c_str(), uri_error->message);
      g_error_free(uri_error);
      return nullptr;
    }
    return LocalStore::open(path, error);
  }
  if (is_s3_location(location)) {
    S3Location s3;
    std::string why;
    if (!resolve_s3_location(location, {}, &s3, &why)) {
      g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorLocation, "%s", why.c_str());
      return nullptr;
    }
    return S3Store::open(s3, {}, nullptr, error);
  }
  g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorLocation,
              "unsupported location scheme '%s': use a directory path, file:///dir, "
              "s3://ACCESS:SECRET@REGION/BUCKET[/prefix] or "
              "s3+http(s)://ACCESS:SECRET@HOST[:PORT]/BUCKET[/prefix]",
              scheme);
  return nullptr;
}

std::unique_ptr<LocalStore> LocalStore::open(const std::string &dir, GError **error) {
  if (g_mkdir_with_parents(dir.c_str(), 0755) != 0) {
    const int err = errno;
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorLocation,
                "cannot create directory '%s': %s", dir.c_str(), g_strerror(err));
    return nullptr;
  }
  g_autofree gchar *canonical = g_canonicalize_filename(dir.c_str(), nullptr);
  return std::unique_ptr<LocalStore>(new LocalStore(canonical));
}

std::string LocalStore::local_path(const std::string &key) const {
  g_autofree gchar *path = g_build_filename(root_.c_str(), key.c_str(), nullptr);
  return path;
}

bool LocalStore::put(const std::string &key, GBytes *data, const ObjectAttrs &attrs,
                     GError **error) {
  (void)attrs;  // a directory has no content types; the file extension carries it
  if (!object_key_is_valid(key)) {
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorKey, "invalid object key '%s'",
                key.c_str());
    return false;
  }
  const std::string path = local_path(key);
  g_autofree gchar *parent = g_path_get_dirname(path.c_str());
  if (g_mkdir_with_parents(parent, 0755) != 0) {
    const int err = errno;
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorIo, "cannot create '%s': %s", parent,
                g_strerror(err));
    return false;
  }
  gsize size = 0;
  const auto *bytes = static_cast<const guint8 *>(g_bytes_get_data(data, &size));
  // A temporary file renamed over the target: readers see the old object or the new one.
  // No fsync: a live HLS tree is rewritten every few seconds, and syncing every segment and
  // playlist costs more than the muxing (durability across power loss is not promised).
  std::string tmp = path + ".tmp-XXXXXX";
  const int fd = g_mkstemp_full(tmp.data(), O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int err = errno;
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorIo, "cannot write '%s': %s",
                path.c_str(), g_strerror(err));
    return false;
  }
  gsize done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, bytes + done, size - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      ::close(fd);
      g_unlink(tmp.c_str());
      g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorIo, "cannot write '%s': %s",
                  path.c_str(), g_strerror(err));
      return false;
    }
    done += static_cast<gsize>(n);
  }
  if (::close(fd) != 0 || g_rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    g_unlink(tmp.c_str());
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorIo, "cannot write '%s': %s",
                path.c_str(), g_strerror(err));
    return false;
  }
  return true;
}

bool LocalStore::remove(const std::string &key, GError **error) {
  if (!object_key_is_valid(key)) {
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorKey, "invalid object key '%s'",
                key.c_str());
    return false;
  }
  const std::string path = local_path(key);
  if (g_unlink(path.c_str()) != 0 && errno != ENOENT) {
    const int err = errno;
    g_set_error(error, LP_OBJECT_STORE_ERROR, kObjectStoreErrorIo, "cannot delete '%s': %s",
                path.c_str(), g_strerror(err));
    return false;
  }
  return true;
}

std::string LocalStore::url(const std::string &key) const {
  g_autofree gchar *uri = g_filename_to_uri(local_path(key).c_str(), nullptr, nullptr);
  return uri ? uri : "";
}

}  // namespace lp
