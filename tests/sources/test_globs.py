"""GlobSet matches every pattern at once exactly as each pattern matches alone."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pdscan.globs import GlobSet, _compile

PATTERNS = ["node_modules", "*.tmp", "**/cache/**", "/srv/x/*", "a?c", "**", "*", "build/**/*.o", "~$*", ".git",
            "**/.cache", "*/.venv/*", "**/HR/**", "exams"]
PARTS = ["a", "abc", "a-c", "node_modules", "x.tmp", ".git", "cache", "build", "q.o", "~$doc.docx", ".venv", "HR",
         "exams", "srv", "x", ""]


def one_by_one(patterns, path: str) -> bool:
    """Each pattern alone: "/" in it, the whole path; else any non-empty component."""
    for p in (p.rstrip("/") for p in patterns if p.strip()):
        if "/" in p:
            regex = _compile(p.lstrip("/") if p.startswith("**") else p)
            if regex.match(path) or regex.match(path.lstrip("/")):
                return True
        elif any(_compile(p).match(part) for part in path.split("/") if part):
            return True
    return False


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PATTERNS), min_size=1, max_size=6),
       st.lists(st.sampled_from(PARTS), min_size=1, max_size=6), st.booleans())
def test_the_set_matches_as_its_patterns_do(patterns, parts, absolute):
    path = ("/" if absolute else "") + "/".join(parts)
    assert GlobSet(patterns).matches(path) == one_by_one(patterns, path)
