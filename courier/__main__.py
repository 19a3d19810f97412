"""`python -m courier` runs the operator command line."""

from courier.cli import app

app(prog_name="courier")
