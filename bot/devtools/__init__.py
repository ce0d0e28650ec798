"""Development tools: a local fake of WeChat's API for tests, demos and benchmarks."""
