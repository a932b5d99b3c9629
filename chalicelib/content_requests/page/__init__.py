"""The page a content request's link opens: its HTML, CSS and script, served by the API function."""
