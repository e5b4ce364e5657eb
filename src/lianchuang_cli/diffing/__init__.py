"""Comparing two versions of a rubric: what changed in it (``structure``), and what that does to a
corpus of evidence files graded under both (``corpus``)."""
