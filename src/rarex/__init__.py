"""rarex: China's critical-mineral export controls as dated, cited data, and tools that read them."""

__version__ = "0.1.0"
