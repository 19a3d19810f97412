"""A center's report for a period: the statistics' figures, their charts, and a printable PDF."""
