"""goldkit's command line: Typer commands that parse, call the library, and print."""
