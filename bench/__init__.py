"""The benchmark (`make bench`): a large institute in PostgreSQL, gunicorn with two workers, wrk,
and every endpoint measured as a ratio to a bare baseline view on the same server. Not part of
the test suite and never installed: production has no use for it."""
