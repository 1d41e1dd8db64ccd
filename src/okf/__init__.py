"""Omni Keywords Finder: keyword extraction for Portuguese and English, served over HTTP."""

__version__ = "0.1.0"
