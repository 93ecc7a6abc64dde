"""Rendering: a planned output in, its bytes out, through the theme's Jinja templates in the output's language."""
