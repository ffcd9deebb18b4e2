"""The consent text patients agree to, versioned so each request records which one it was."""

# Change the text → change the version, so stored requests still say what the person saw.
CONSENT_VERSION = "2025-06-01"
CONSENT_TEXT = (
    "I agree that Hart Rehab may store these details and use them to contact me about care."
)
