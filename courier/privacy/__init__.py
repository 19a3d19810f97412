"""Personal data under Vietnam's Law 91/2025: who read it, the citizen's copy, its erasure."""
