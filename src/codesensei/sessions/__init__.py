"""Assessments and attempts: definitions, timing, resume, scoring and remediation."""
