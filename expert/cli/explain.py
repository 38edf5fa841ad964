"""``imbalance explain`` (being written)."""
