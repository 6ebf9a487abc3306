"""pdscan: a personal-data hygiene scanner."""

__version__ = "0.1.0"
