"""Explanations of one case: why a muscle was flagged (the derivation tree down to the answers,
with rules, rationale, sources and the anatomy behind it), why not, what if, and the smallest
change of answers that would clear or raise a flag; as data, text and pictures."""
