"""The Foyer tablet application."""
