"""The bad-input corpus of issue 9: hostile and degenerate objects, generated, never committed."""
