"""The bundled dashboard: server-rendered pages over the library, htmx for live updates."""
