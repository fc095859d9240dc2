"""Django settings, URLs and the ASGI entry point of the panel."""
