"""Role Bot's tests: unit tests by layer, in-process Slack tests, and a few end-to-end ones."""
