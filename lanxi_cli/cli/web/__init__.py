"""`lanxi serve`: the office's workbench in a browser, over the same store, core and write path
as the commands. Imported only by the `serve` command (Starlette, Jinja2 and uvicorn are heavy)."""
