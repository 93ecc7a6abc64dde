"""sitegen: community public information as a website and a print kit."""

__version__ = "0.1.0"
