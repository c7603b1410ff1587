"""Web plumbing every blueprint shares: error pages and JSON errors, API bodies, the OpenAPI document."""
