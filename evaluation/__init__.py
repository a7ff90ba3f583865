"""Evaluation and improvement (chapter 10)."""
