"""Where the binaries under test live. vigil's come from $VIGIL_BUILD_DIR (default
<repo>/build); the Redis reference binaries from PATH (Debian's packages)."""
import os
import shutil

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def build_dir():
    # Absolute: processes run in their own working directories, so a relative
    # VIGIL_BUILD_DIR (e.g. "build-daemon", given from the repo root) is resolved here.
    path = os.environ.get("VIGIL_BUILD_DIR") or os.path.join(REPO_ROOT, "build")
    if not os.path.isabs(path):
        here = os.path.abspath(path)
        path = here if os.path.isdir(here) else os.path.join(REPO_ROOT, path)
    return path


def vigil_binary(name):
    """Path of a vigil binary (vigil-node, vigil-sentinel, vigil-cli) or None when it is
    not built."""
    # Executables live at the build root; older build trees had them in their subfolder.
    for sub in ("", "node", "sentinel", "cli"):
        path = os.path.join(build_dir(), sub, name)
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    return None


def redis_binary(name):
    """Path of a Redis reference binary (redis-server, redis-sentinel, redis-cli,
    redis-benchmark) or None."""
    return shutil.which(name)


def require_binary(path_or_none, name):
    """pytest.skip with a clear reason when a binary genuinely isn't there."""
    if path_or_none is None:
        import pytest
        where = build_dir() if name.startswith("vigil") else "PATH"
        pytest.skip("%s is not built/installed (looked in %s)" % (name, where))
    return path_or_none
