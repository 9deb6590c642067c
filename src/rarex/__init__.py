"""rarex: China's critical-mineral export controls as dated, cited data, and tools on it."""

__version__ = "0.1.0"
