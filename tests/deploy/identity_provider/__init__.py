"""The stand-in eduID identity provider served on its own in the HTTPS test, as a university's
identity provider is: only the stand-in's app, its own secret and keys, behind its own nginx
site with TLS. It knows the portal only by the portal's published SAML metadata."""
