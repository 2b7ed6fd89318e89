"""The store: what a command read and what is cached (snapshot, records cache, obligation index)."""
