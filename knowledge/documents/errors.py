"""The one error of the document base: a file and what is wrong with it."""

from __future__ import annotations

from pathlib import Path


class DocumentError(Exception):
    """A document that cannot be read or imported; the message names the file."""

    def __init__(self, source: str | Path, problem: str) -> None:
        self.source = str(source)
        self.problem = problem
        super().__init__(f"{self.source}: {problem}")
