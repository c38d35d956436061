"""Composition root, configuration, command line and transports."""
