"""What a lint check yields: a place in the rubric file (a key path) and a Chinese message.

Its own module so that the context a check reads (``lint.context``) and the check's registration
(``lint.base``) both use it without importing each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a check found: where in the file (a key path) and what is wrong."""

    loc: Sequence[str | int]
    message: str
    key: bool = False
