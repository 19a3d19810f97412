"""The fault suite: workers killed mid-task and brokers cut mid-burst, on real services."""
