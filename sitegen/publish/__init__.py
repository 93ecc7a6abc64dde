"""Writing and publishing: rendered files in, an output folder swapped into place out.

``write`` stages a whole build and swaps it in (or applies an incremental one); ``state`` remembers
what the last build read and wrote; ``parallel`` renders on every core; ``search`` indexes the
pages for the search page; ``pdf`` prints the sheets with headless Chromium.
"""
