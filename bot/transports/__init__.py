"""Transports: each turns its framework's updates into the core's events and speaks `BotApi`."""
