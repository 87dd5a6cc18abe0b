"""Keeping an untrusted program in bounds: limits, users, namespaces, containers."""
