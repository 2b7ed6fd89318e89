"""The store: what a command read and what is kept between commands.

`snapshot` is the data folder read once, as of one day; `cache` keeps the
book and each record folder's records as the files say them; the
`obligation_index` keeps each obligation's progress as steps of the as-of
day, in its `index_file`. Never the source of truth: whatever fails to read
or to match, the files answer, the same answers, slower.

One key scheme, for every kept file: a file answers only for this lanxi and
exactly the files it was made from, as they were *before* they were read.

- Every file is first keyed by `cache.identity`: the lanxi version and a
  fingerprint of the code of its rules (core/, io/, store/), the Python
  (marshal's format), the domain classes' fields, the data folder's real
  path. Paths inside are kept relative to the folder, so the folder named
  another way (a symlink) shows its own.
- Then by stamps (size, mtime_ns, ctime_ns, inode, `cache.stamp`) of the
  files it was made from, taken before they were read; nothing changed in
  the last FRESH_NS is kept (an edit within the clock's tick keeps its mtime).

Each file of a data folder (cache_root()/<hash of its real path>/):

  book.marshal        the plan and tasks as validated, the liaison record
                      files left out. Key: the stamps of plan.yaml, tasks.yaml,
                      liaisons.yaml and every file under liaisons/
                      (cache.book_stamps), all taken before the book is read.
  <folder>.marshal    one per record folder (io.load.KINDS: reports.marshal,
                      reviews.marshal …): each file's record as written, or
                      its problems. Key: per file, its path and its stamp from
                      the walk the folder was read after; a file whose stamp
                      differs is read again, alone.
  index.marshal       the obligation index. Key: the book's key above (the
                      plan it was built with) and a digest of the reports
                      folder's walk, the one its reports were read after
                      (Cache.walk), never a later walk a changed file might
                      match; plus a journal of at most JOURNAL report files
                      added since, read and kept as `extra`.
  index-files.marshal the report files (paths, stamps) the index answers for,
                      under the same digest: read only when the walk differs,
                      to tell "only files added" (journal) from anything else
                      (built again).

Why the index is keyed by a digest and not per file like the records: a
warm query must cost one walk and one comparison, not one per report
(the per-file stamps are there, in index-files, for the rarer case).

What stays apart from the key: the index's `basis` (the ids corrected away,
every review) is not a key but what the index was *built with* besides the
reports; those records come through their own <folder>.marshal, keyed as
above, and are compared by content on every query. A difference does not
throw the index away: the (task, unit) pairs it touches are answered by the
engine itself from their reports, and the index is built anew once they are
many. Keying the index by the stamps of reviews/ and withdrawals/ instead
would rebuild it over every report at each review, for the same answers.
"""
