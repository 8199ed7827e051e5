"""Low-level vocabularies and contracts shared by every layer; imports nothing of the project."""

__version__ = "0.1.0"
