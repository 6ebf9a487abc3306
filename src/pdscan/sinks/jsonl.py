"""JSON Lines per interface.md: one object per line, `summary` last, flushed as written."""
from __future__ import annotations

import json

from ..records import KINDS, summary_json, to_json


class JsonlSink:
    def __init__(self, stream):
        self.stream = stream

    def begin(self) -> None:
        pass

    def record(self, record) -> None:
        self.stream.write(json.dumps(to_json(record), ensure_ascii=False) + "\n")
        self.stream.flush()

    def end(self, summary) -> None:
        self.stream.write(json.dumps(summary_json(summary), ensure_ascii=False) + "\n")
        self.stream.flush()


class JsonSink:
    """One JSON document: {"items": [...], "errors": [...], "summary": {...}}."""

    def __init__(self, stream):
        self.stream = stream
        self.doc = {"items": [], "errors": [], "volumes": [], "messages": []}

    def begin(self) -> None:
        pass

    def record(self, record) -> None:
        self.doc[KINDS[type(record)][1]].append(to_json(record))

    def end(self, summary) -> None:
        self.doc["summary"] = summary_json(summary)
        json.dump({k: v for k, v in self.doc.items() if v or k in ("items", "errors", "summary")},
                  self.stream, ensure_ascii=False, indent=2)
        self.stream.write("\n")
        self.stream.flush()
