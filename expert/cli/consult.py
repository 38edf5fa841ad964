"""``imbalance consult`` (being written)."""
