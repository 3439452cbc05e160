"""HTTP/1.1 spoken over a plain socket, to see exactly what a real server sends: the headers
and every byte of the body until the server closes the connection. Client libraries read the
body only as far as `Content-Length` says, and Django's test client ignores the header, so
neither would notice a page whose body and `Content-Length` disagree — a browser does (it
shows an empty "HTTP ERROR 405" page when the header says 0)."""

import socket
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass
class WireResponse:
    status: int
    headers: dict[str, str]  # lower-case names; the last of repeated headers
    set_cookies: list[str]
    body: bytes

    def content_length_matches(self) -> bool:
        declared = self.headers.get("content-length")
        return declared is not None and int(declared) == len(self.body)


def wire_request(
    base_url: str,
    method: str,
    target: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    timeout: float = 30,
) -> WireResponse:
    """Send one request with `Connection: close` and read the answer to the end. `target` is
    sent as it is: percent-encoding, control characters and all."""
    parts = urlsplit(base_url)
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body or method in {"POST", "PUT", "PATCH"}:
        lines.append(f"Content-Length: {len(body)}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as connection:
        connection.sendall(request)
        received = bytearray()
        while chunk := connection.recv(65536):
            received += chunk
    head, _separator, rest = bytes(received).partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    found: dict[str, str] = {}
    cookies: list[str] = []
    for line in header_lines:
        name, _colon, value = line.partition(":")
        found[name.strip().lower()] = value.strip()
        if name.strip().lower() == "set-cookie":
            cookies.append(value.strip())
    return WireResponse(
        status=int(status_line.split()[1]), headers=found, set_cookies=cookies, body=rest
    )
