"""Path globs as users write them in --exclude and policy files.

A pattern without "/" matches any single path component (like .gitignore:
"node_modules" or "*.tmp"); with "/" it matches the whole path, where "**"
spans folders and "*" stays inside one. Matching is case-sensitive on
POSIX paths and uses "/" on every platform.
"""
from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern:
    out, i = [], 0
    while i < len(pattern):
        ch = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        out.append({"*": "[^/]*", "?": "[^/]"}.get(ch, re.escape(ch)))
        i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


class GlobSet:
    def __init__(self, patterns):
        self.patterns = tuple(p.rstrip("/") for p in patterns if p.strip())
        self._component = [_compile(p) for p in self.patterns if "/" not in p]
        self._whole = [_compile(p.lstrip("/") if p.startswith("**") else p) for p in self.patterns if "/" in p]

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def matches(self, path: str) -> bool:
        path = path.replace("\\", "/")
        if any(r.match(path) or r.match(path.lstrip("/")) for r in self._whole):
            return True
        if self._component:
            return any(r.match(part) for part in path.split("/") if part for r in self._component)
        return False
