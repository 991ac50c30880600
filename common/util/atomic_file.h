// Durable, atomic file replacement: the content goes to a temp file in the
// same directory, is fsynced, renamed over the target, and the directory is
// fsynced, so a crash leaves either the old or the new file, never a torn one.
// Used for CONFIG REWRITE, the sentinel state file, and persistence.
#pragma once

#include <string>
#include <string_view>

namespace vigil::util {

// Replaces path with content. A symlink at path is followed (the link stays,
// its target is replaced) so ConfigMap-style symlinked files keep working.
// The file mode of an existing target is kept; new files get 0644 & ~umask.
// Returns false and sets *err ("<what>: <strerror>") on failure; the target is
// untouched then and the temp file removed.
bool write_file_atomic(const std::string& path, std::string_view content, std::string* err = nullptr);

// fsync of the directory holding path (after a rename or unlink in it).
bool fsync_parent_dir(const std::string& path, std::string* err = nullptr);

// Reads a whole file. Returns false with *err set on failure; errno is kept so
// callers can tell ENOENT apart.
bool read_file(const std::string& path, std::string* content, std::string* err = nullptr);

}  // namespace vigil::util
