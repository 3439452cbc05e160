"""The stand-in eduID identity provider for the demo and the tests: pysaml2's IdP side, served
by the demo server under /idp-sim/ as the Panopto stand-in is under /panopto-sim/. A separate
party: it knows the portal only by its published SAML metadata, signs with keys of its own,
and keeps its own small directory of the demo's people."""
