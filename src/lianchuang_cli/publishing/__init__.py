"""Publication packs (公示包): results tied to the evidence and rubrics that produced them.

``publish`` grades a folder and writes a pack (results, the rubrics as read, a manifest of every
input's and output's SHA-256); ``verify`` re-grades from the evidence with the pack's own rubrics
and names every difference. Nothing here prints or knows about click.
"""
