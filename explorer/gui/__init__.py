"""The desktop application (PySide6). The only package that imports Qt; it calls the core
(query, indexer, export) exactly as the CLI does."""
