"""JSON Lines per interface.md: one object per line, `summary` last, flushed as written."""
from __future__ import annotations

import json

from . import public


class JsonlSink:
    def __init__(self, stream):
        self.stream = stream

    def begin(self) -> None:
        pass

    def record(self, record: dict) -> None:
        self.stream.write(json.dumps(public(record), ensure_ascii=False) + "\n")
        self.stream.flush()

    def end(self, summary) -> None:
        self.stream.write(json.dumps(summary.to_dict(), ensure_ascii=False) + "\n")
        self.stream.flush()


class JsonSink:
    """One JSON document: {"items": [...], "errors": [...], "summary": {...}}."""

    def __init__(self, stream):
        self.stream = stream
        self.doc = {"items": [], "errors": [], "volumes": [], "messages": []}

    def begin(self) -> None:
        pass

    def record(self, record: dict) -> None:
        kind = {"item": "items", "error": "errors", "volume": "volumes", "message": "messages"}[record["type"]]
        self.doc[kind].append(public(record))

    def end(self, summary) -> None:
        self.doc["summary"] = summary.to_dict()
        json.dump({k: v for k, v in self.doc.items() if v or k in ("items", "errors", "summary")},
                  self.stream, ensure_ascii=False, indent=2)
        self.stream.write("\n")
        self.stream.flush()
