"""Entry layer: Flask blueprints."""
