"""How a tablet becomes a member of a beneficiary's circle: pairing and its identity on disk."""
