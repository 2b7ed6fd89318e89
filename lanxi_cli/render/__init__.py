"""Rows → what people read: terminal tables, JSON/CSV, Word, Excel, HTML. Never computes a state."""
