"""Text primitives shared by every layer: sentences, language, names, untrusted text."""
