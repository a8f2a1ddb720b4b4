"""meddiary: an offline command-line medication diary."""

__version__ = "0.1.0"
