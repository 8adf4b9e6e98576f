"""Slack's side: the Bolt app, the HTTP and Socket Mode transports, request signing, redelivery
memory, the listener pool, the Web API client and sending with Slack's faults handled.
"""
