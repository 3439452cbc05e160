"""The portal as a client of Panopto's own APIs (SPEC §7): the SOAP PublicAPI 4.6, called as a
user of the identity provider whose application key the registration holds. Every HTTP call goes
through `core.outbound` (timeouts, retries with backoff, a circuit breaker). Without the API
settings nothing here is called and the portal only launches."""
