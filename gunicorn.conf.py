"""gunicorn settings read by the web process (gunicorn loads ./gunicorn.conf.py by itself).

A client that sends its request slowly, or stops half way, would otherwise hold one of the
worker's threads for as long as it likes; a few such clients would stop every other request.
Slack sends its few kilobytes at once, so a request gets a few seconds in all.
"""

HEADER_SECONDS = 5  # from connecting to the end of the request headers
BODY_SECONDS = 5  # from the end of the headers to the end of the body


def post_worker_init(worker):  # noqa: ARG001 - gunicorn's hook signature
    """Bound the time a new connection may take to send its headers (gthread worker), and close
    connections with a deadline at once: gunicorn otherwise lingers up to 2 seconds on each one
    it closes, on the thread that serves every other connection, waiting for a stalled client."""
    from gunicorn.workers import gthread

    connection = getattr(gthread, "TConn", None)
    if connection is None or getattr(connection, "deadlines", False):
        return
    start, stop = connection.init, connection.close

    def init_with_deadline(self):
        start(self)
        self.sock.settimeout(HEADER_SECONDS)

    def close_without_lingering(self, graceful=False):
        deadline = self.sock.gettimeout()
        stop(self, graceful=graceful and not deadline)

    connection.init, connection.close = init_with_deadline, close_without_lingering
    connection.deadlines = True


def pre_request(worker, req):  # noqa: ARG001 - gunicorn's hook signature
    """Give the request this long to deliver its body."""
    sock = getattr(getattr(req, "unreader", None), "sock", None)
    if sock is not None:
        sock.settimeout(BODY_SECONDS)
