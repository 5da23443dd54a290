"""Landing zone readers and loaders, and the sample-data generator."""
