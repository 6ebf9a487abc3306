"""JSON Lines per interface.md: one object per line, `summary` last, flushed as written."""
from __future__ import annotations

import json
from json.encoder import c_make_encoder, encode_basestring

from ..records import KINDS, summary_json, to_json


def _line_encoder():
    """json.dumps(obj, ensure_ascii=False) with the C encoder made once instead of per call: a
    rescan writes a line for each of 100,000 reused files, and making the encoder was a third of it."""
    if c_make_encoder is None:  # a Python without the _json accelerator
        return lambda obj: json.dumps(obj, ensure_ascii=False)
    encode = c_make_encoder(None, json.JSONEncoder().default, encode_basestring, None, ": ", ", ", False, False, True)
    return lambda obj: "".join(encode(obj, 0))


class JsonlSink:
    def __init__(self, stream, run=None):
        self.stream, self.run = stream, run
        self.encode = _line_encoder()

    def begin(self) -> None:
        pass

    def record(self, record) -> None:
        self.stream.write(self.encode(to_json(record, self.run)) + "\n")
        self.stream.flush()

    def end(self, summary) -> None:
        self.stream.write(json.dumps(summary_json(summary, self.run), ensure_ascii=False) + "\n")
        self.stream.flush()


class JsonSink:
    """One JSON document: {"items": [...], "errors": [...], "summary": {...}}."""

    def __init__(self, stream, run=None):
        self.stream, self.run = stream, run
        self.doc = {"items": [], "errors": [], "volumes": [], "messages": []}

    def begin(self) -> None:
        pass

    def record(self, record) -> None:
        self.doc[KINDS[type(record)][1]].append(to_json(record, self.run))

    def end(self, summary) -> None:
        self.doc["summary"] = summary_json(summary, self.run)
        json.dump({k: v for k, v in self.doc.items() if v or k in ("items", "errors", "summary")},
                  self.stream, ensure_ascii=False, indent=2)
        self.stream.write("\n")
        self.stream.flush()
