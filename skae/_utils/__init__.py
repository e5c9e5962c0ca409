"""Shared utilities: parameter specifications, data validation, losses, seeding."""
