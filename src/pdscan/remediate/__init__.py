"""Remediation: act on files that hold personal data (encrypt in place, overwrite and delete)."""
