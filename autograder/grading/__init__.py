"""Grading submissions: the sandbox driver, batches, reports and Gradescope."""
