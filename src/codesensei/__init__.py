"""Code Sensei: programming assessments and technical interviews, self-hosted."""

__version__ = "0.1.0"
