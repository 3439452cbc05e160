"""The LTI 1.3 platform core: claim names, message building, authorization-request validation
and the JWKS. Plain Python on dicts and dataclasses: no Django models, no request objects."""
