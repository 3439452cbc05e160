"""Sign-in with eduID (SAML 2.0): the portal as a service provider, on djangosaml2 and pysaml2
(docs/decisions/0023-sign-in-with-eduid-over-saml.md)."""
