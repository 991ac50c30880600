import time


class GiveUp(Exception):
    """Raised by a predicate to stop waiting at once (e.g. the process has exited)."""


def wait_until(predicate, timeout=10.0, interval=0.02, message=None):
    """Poll predicate() until it returns a truthy value (returned) or timeout seconds pass
    (AssertionError). Exceptions from predicate count as "not yet", except GiveUp, which
    is re-raised at once."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except GiveUp:
            raise
        except Exception as e:  # a server that is still starting refuses connections
            last_error = e
        if time.monotonic() >= deadline:
            detail = message or getattr(predicate, "__name__", "condition")
            if last_error is not None:
                detail += " (last error: %r)" % (last_error,)
            raise AssertionError("timed out after %.1fs waiting for %s" % (timeout, detail))
        time.sleep(interval)
