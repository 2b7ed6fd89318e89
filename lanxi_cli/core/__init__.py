"""The rules: plan index, calendar, engine, one module per topic. Pure; no files, no typer."""
