"""Files and git: find the data folder, read (through the cache), validate, write, commit."""
