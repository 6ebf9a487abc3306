"""Fixtures the write-hardening tests share with tests/test_unattended.py."""
from tests.test_unattended import folder  # noqa: F401  (a folder holding one NI number in plain text)
