"""lanxi: a command-line tracker for town task lists (任务清单)."""

__version__ = "0.1.0"
