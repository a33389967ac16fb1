FROZEN_VERSION = "0.1.0"  # kept in step with pyproject by the build
