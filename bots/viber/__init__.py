"""Viber: the outbox transport, the webhook (signature, events) and the flows adapter."""
