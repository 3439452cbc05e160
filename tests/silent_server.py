"""A TCP server that accepts connections and never answers: a host whose web server hangs. It
counts the connections it accepted, so a test can tell how many fetches were attempted."""

import socket
import threading
from dataclasses import dataclass, field


@dataclass
class SilentServer:
    sockets: list = field(default_factory=list)
    accepted: int = 0
    url: str = ""

    def start(self, path: str = "/.well-known/jwks.json") -> str:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        self.sockets.append(listener)

        def accept() -> None:
            try:
                while True:
                    connection, _address = listener.accept()
                    self.accepted += 1
                    self.sockets.append(connection)
            except OSError:
                return

        threading.Thread(target=accept, daemon=True).start()
        self.url = f"http://127.0.0.1:{listener.getsockname()[1]}{path}"
        return self.url

    def stop(self) -> None:
        for sock in self.sockets:
            sock.close()
