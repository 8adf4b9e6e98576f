"""Slack listeners, one module per kind; each has register(app, answerer)."""
