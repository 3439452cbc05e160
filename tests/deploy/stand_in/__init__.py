"""The Panopto stand-in as a party of its own for the HTTPS test: its own settings, URLs,
database and server (docs/decisions/0003). Production settings never install it."""
