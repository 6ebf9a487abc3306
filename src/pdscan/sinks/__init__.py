"""Streaming outputs: each sink receives one record at a time.

Protocol: begin(); record(r) for every typed record (model.py: ItemResult,
ErrorRecord, VolumeResult, MessageResult) in order; end(Summary). The public
form of a record (interface.md) is records.py `to_json`; the attributes
beyond it (locations, keyed hashes, the file's stat) are for text output and
the store only.
"""
