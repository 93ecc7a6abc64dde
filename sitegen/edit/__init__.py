"""The editor (``sitegen edit``): a worker's form or raw text in, a checked file and one git commit out.

``folder`` reads and writes the content folder and nowhere else; ``yamltext`` (with ``textmerge``)
changes a YAML file's values without disturbing its comments, order, quoting or blank lines;
``fields`` turns the content format into form inputs and ``reader`` posted forms back into data,
which ``sections``, ``notices`` and ``pages`` make into a :class:`~sitegen.edit.drafts.Draft`;
``workspace`` checks a draft as `sitegen check` does and previews it with `sitegen serve`'s
renderer; ``editor`` saves it and ``repository`` commits, pushes and finds the save to undo;
``flow`` takes every change from form to review to save, ``views`` are the pages, and ``server``
guards them with ``access`` (a password, a session cookie, CSRF tokens).
"""
