#!/usr/bin/python3
"""A regional endpoint stand-in: answers GET /health with 200, or 503 while --down-file exists.

Used by the `make run` demo and by the integration tests. Prints "listening HOST PORT" once
bound (port 0 picks a free one) so callers never guess when it is up.
"""
import argparse
import http.server
import os
import socketserver
import ssl
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "r53sim-demo-endpoint"

    def do_GET(self):
        down = self.server.down_file and os.path.exists(self.server.down_file)
        code = 503 if down else 200
        body = (f"{self.server.name} {'down' if down else 'ok'}\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        if self.server.verbose:
            sys.stderr.write(f"{self.server.name}: {fmt % args}\n")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Health checkers may hang up once they have the status line; that is not an error.
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--name", default="endpoint")
    p.add_argument("--addr", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--down-file")
    p.add_argument("--verbose", action="store_true")
    a = p.parse_args()
    srv = Server((a.addr, a.port), Handler)
    srv.name, srv.down_file, srv.verbose = a.name, a.down_file, a.verbose
    if a.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.cert, a.key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print(f"listening {a.addr} {srv.server_address[1]}", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
