"""What a plaintext item that claimed encryption must look like once scanned."""
from __future__ import annotations


def assert_read_with_ni(result, record: dict, summary: dict) -> None:
    """Exit 1, not encrypted, an NI number found, and the unencrypted-data violation."""
    assert result.code == 1, result
    assert record["encrypted"] is False and record["encryption"] is None
    assert "uk.nino" in {f["detector"] for f in record["findings"]}
    assert [v["rule"] for v in record["violations"]] == ["unencrypted-personal-data"]
    assert summary["encrypted_items"] == 0
