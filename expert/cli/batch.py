"""``imbalance batch`` (being written)."""
