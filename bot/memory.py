"""Process-wide memory settings for the long-running commands (run, serve)."""

from __future__ import annotations

import gc


def freeze_loaded_objects() -> None:
    """Hide what is loaded by now (the knowledge base: indexes, documents, some 100,000
    objects) from the garbage collector.

    Every full collection would otherwise walk all of it, pausing every chat and web request
    for about 85 ms each time; objects created later are collected as usual. Calling it again
    after more is loaded is harmless.
    """
    gc.collect()
    gc.freeze()
