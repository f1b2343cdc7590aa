"""Fuzz harnesses that throw generated hostile input at the project and count what breaks."""
