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
    return re.compile(_translate(pattern) + r"\Z", re.DOTALL)


def _translate(pattern: str) -> str:
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
    return "".join(out)


class GlobSet:
    """Every pattern in two regular expressions, so a path costs two searches, not one per pattern
    and component (the walk asks for each of its entries)."""

    def __init__(self, patterns):
        self.patterns = tuple(p.rstrip("/") for p in patterns if p.strip())
        # A component is one non-empty part between slashes: "**" inside one cannot cross a slash.
        component = [_translate(p.replace("**", "*")) for p in self.patterns if "/" not in p]
        whole = [_translate(p.lstrip("/") if p.startswith("**") else p) for p in self.patterns if "/" in p]
        self._component = re.compile(f"(?:^|/)(?=[^/])(?:{'|'.join(component)})(?=/|\\Z)", re.DOTALL) if component else None
        self._whole = re.compile(f"(?:{'|'.join(whole)})\\Z", re.DOTALL) if whole else None

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def matches(self, path: str) -> bool:
        path = path.replace("\\", "/")
        if self._whole and (self._whole.match(path) or self._whole.match(path.lstrip("/"))):
            return True
        return bool(self._component and self._component.search(path))
