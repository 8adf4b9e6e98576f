"""What the tests and the benchmarks share: a fake Slack on 127.0.0.1 (Web API, response URLs,
Socket Mode), requests shaped and signed as Slack sends them, and Role Bot started in process or as
the Procfile's processes."""
