"""A minimal server-sent events client over a plain socket, for the tests: read the head, then
events one by one, each wait bounded by a deadline."""
import json
import socket
import time


class SSEClient:
    def __init__(self, port, path="/v1/events", headers=None, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Accept: text/event-stream"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode().split("\r\n")
        self.status = int(status_line.split()[1])
        self.headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines)}

    def next_event(self, timeout=10):
        """The next event as {"id", "event", "data"} (data parsed as JSON); comments skipped."""
        deadline = time.monotonic() + timeout
        while True:
            while b"\n\n" in self.buffer:
                block, _, self.buffer = self.buffer.partition(b"\n\n")
                event = {}
                for line in block.decode().split("\n"):
                    if line.startswith(":") or not line:
                        continue
                    key, _, value = line.partition(": ")
                    event[key] = value
                if "data" in event:
                    event["data"] = json.loads(event["data"])
                    return event
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("no event before the deadline")
            self.sock.settimeout(remaining)
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AssertionError("the event stream closed")
            self.buffer += chunk

    def events_until(self, predicate, timeout=10):
        """Events up to and including the first that satisfies predicate."""
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            event = self.next_event(max(0.01, deadline - time.monotonic()))
            seen.append(event)
            if predicate(event):
                return seen

    def close(self):
        self.sock.close()
