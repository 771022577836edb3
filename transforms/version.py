"""The cleaning code's version, kept apart from the cleaning code so that reading it is cheap."""

# Bump when the output of `clean_article` changes for some input.
CLEANING_VERSION = "1.4.0"
