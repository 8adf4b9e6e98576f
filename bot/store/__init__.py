"""What Role Bot remembers: the questions it was asked and how it answered, in SQLite by default or
PostgreSQL, written off the request path. Imports the core, never Slack's side."""
