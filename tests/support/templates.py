"""Compiled templates shared by every app a test process creates.

Each test has an app of its own (a fresh database, fresh settings), and each app a Jinja
environment of its own; compiling GOV.UK Frontend's macros and the pages again for every test was
most of the suite's CPU time. Templates are still compiled from their source (once per process,
and again whenever a source changes: the cache checks each source's checksum), and rendered by
each app's own environment.
"""

from __future__ import annotations

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class SharedBytecode(BytecodeCache):
    """An in-memory Jinja bytecode cache, keyed by template and by the environment's syntax
    settings (the compiled code depends on them)."""

    def __init__(self) -> None:
        self._code: dict[tuple, bytes] = {}

    @staticmethod
    def _key(bucket: Bucket) -> tuple:
        env = bucket.environment
        syntax = (env.trim_blocks, env.lstrip_blocks, env.keep_trailing_newline, env.optimized)
        return (bucket.key, syntax, tuple(sorted(env.extensions)))

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(self._key(bucket))
        if code is not None:
            bucket.bytecode_from_string(code)  # ignored if the source's checksum differs

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[self._key(bucket)] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._code.clear()
