"""Inference: experta rules compiled from the knowledge base, run once per case."""
