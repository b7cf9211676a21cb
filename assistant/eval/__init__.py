"""Evaluation: case files, metrics, the runner and its report (`python -m assistant.eval`)."""
