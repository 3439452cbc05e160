"""The layer beneath every app: the shared cache, error pages, rate limits, logging and request
ids. It imports no app of the portal (an import contract holds this)."""
