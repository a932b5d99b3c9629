"""The nearby-requests API: map requests (circles) and direct requests, geohash "nearest", responses."""
