"""Jinja2 templates for every report format (shipped as package data)."""
