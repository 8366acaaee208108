"""Batch evaluation: the question-set and results contract of shared/EVAL_FORMAT.md."""
