"""Guessing slowed down: failed sign-ins and wrong phone digits lock their key for a while."""
