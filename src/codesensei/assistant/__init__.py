"""The assistant: hints, debugging help and code review for candidates, and AI grading, with or without a model."""
