"""The Panopto stand-in: a real LTI 1.3 tool (pylti1p3) for the demo and the end-to-end tests.
Installed by the dev and test settings only; production never serves it."""
