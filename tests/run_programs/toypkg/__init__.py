"""A small PyTorch program split over modules, each importing torch its own way."""
