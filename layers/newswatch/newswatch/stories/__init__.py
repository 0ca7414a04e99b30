"""Stories: copies of one article (re-uploads, syndicated copies) grouped so that they alert once.

:mod:`.fingerprint` decides from the extracted body alone whether two articles are one story.
"""

from newswatch.stories.fingerprint import Fingerprint, fingerprint, same_story

__all__ = ["Fingerprint", "fingerprint", "same_story"]
