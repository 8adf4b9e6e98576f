"""Slack's side: the Bolt app, the HTTP and Socket Mode transports, request signing, redelivery
memory and the Web API client.
"""
