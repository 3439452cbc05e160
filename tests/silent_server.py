"""A TCP server that accepts connections and never answers: a host whose web server hangs. It
counts the connections it accepted, so a test can tell how many fetches were attempted."""

import contextlib
import socket
import threading
from dataclasses import dataclass, field


@dataclass
class SilentServer:
    sockets: list = field(default_factory=list)  # the connections it accepted
    accepted: int = 0
    url: str = ""
    listeners: list = field(default_factory=list)
    threads: list = field(default_factory=list)

    def start(self, path: str = "/.well-known/jwks.json") -> str:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        self.listeners.append(listener)

        def accept() -> None:
            try:
                while True:
                    connection, _address = listener.accept()
                    self.accepted += 1
                    self.sockets.append(connection)
            except OSError:
                return

        thread = threading.Thread(target=accept, daemon=True)
        thread.start()
        self.threads.append(thread)
        self.url = f"http://127.0.0.1:{listener.getsockname()[1]}{path}"
        return self.url

    def stop(self) -> None:
        """Stop accepting first (shutdown wakes the blocked accept), wait for the thread, then
        close every connection: one accepted while stopping is closed too, never left to the
        garbage collector (a ResourceWarning in whichever test runs next)."""
        for listener in self.listeners:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for thread in self.threads:
            thread.join(timeout=5)
        for sock in self.sockets:
            sock.close()
