"""Slack listeners, one module per kind. Each listener is a module-level function taking Bolt's
arguments (ack, body, client, context, ...); each module's register(app) lists its listeners."""
