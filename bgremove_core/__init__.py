"""bgremove_core: person segmentation, mask refinement and background compositing.

No OBS import anywhere in this package: the OBS filter, the CLI and the tests all drive it
through the same small API.
"""
