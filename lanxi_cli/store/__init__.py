"""The store: what a command read and what is kept between commands.

`snapshot` is the data folder read once, as of one day; `cache` keeps the
book and each record folder's records as the files say them; the
`obligation_index` keeps each obligation's progress as steps of the as-of
day, in its `index_file`. Never the source of truth: whatever fails to read
or to match, the files answer, the same answers, slower.

When a kept file may answer (one story for every file):
- It answers only for this lanxi and the code of its rules (cache.identity:
  the version, a fingerprint of core/, io/ and store/, the Python, the domain
  classes' fields, the data folder's real path). Paths are kept relative to
  the folder, so the folder named another way (a symlink) shows its own.
- It answers only for exactly what was read, keyed by stamps (size, mtime,
  ctime, inode) taken *before* the read: the book by the plan files' stamps
  taken before it was read (Cache.plan_stamps); each record by its file's
  stamp from the walk before it was read; the index by the digest of the
  walk its reports were read after (Cache.walk returns that walk once the
  folder is read), never by a later walk that a changed file might match.
  Nothing changed in the last FRESH_NS is kept (an edit within the clock's
  tick keeps its mtime).
- What the index was built with beside the reports (the ids corrected
  away, every review: its `basis`) is compared with what is read now; a
  pair they touch, and a report file added since, is answered by the engine
  itself, and the index is built anew once they are many (JOURNAL).
"""
