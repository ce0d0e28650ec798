"""Settings, logging and data tables. Imports nothing from bot."""
