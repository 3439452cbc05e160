"""Durable jobs that change a person's access in Panopto (issue 24, docs/decisions/0020)."""
