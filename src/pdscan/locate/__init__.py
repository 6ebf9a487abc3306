"""`pdscan locate`: where a person's data is, from the keyed hashes in the store (request, matching)."""
