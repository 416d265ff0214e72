"""Tactful: calm, non-apologetic replies to hostile email."""

__version__ = "0.1.0"
