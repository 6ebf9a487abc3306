"""Chunks → Matches: detectors compiled from detectors/*.toml."""
