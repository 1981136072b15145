"""Turn intergovernmental documents into analyst-ready tables."""

__version__ = "0.1.0"
