"""Reading and checking: the content folder's files in, a validated :class:`~sitegen.content.model.Site` out.

``load`` finds and reads the files (``parse`` gives YAML nodes that know their line and column);
``validate`` checks them against the content format (``format``, built on ``schema``) and makes the
model, collecting every problem as a located :class:`~sitegen.errors.ContentError`. Site plans are
checked and their evacuation routes found here too (``siteplan``, ``geometry``), and laid out, so
that a name finding no room on a plan is reported (``planlayout``, ``planitems``, ``placement``);
``markdown`` decides what the content's Markdown may become.
"""
