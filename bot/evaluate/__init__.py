"""Batch evaluation: the question-set and results contract of evals/EVAL_FORMAT.md (a copy of shared/EVAL_FORMAT.md)."""
