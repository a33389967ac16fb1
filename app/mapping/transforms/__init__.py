"""Serialisable transforms and their registry; importing this package registers them all."""

from app.mapping.transforms import dates, lookup, numbers, text
from app.mapping.transforms.registry import (
    REGISTRY,
    ParamSpec,
    TransformContext,
    TransformError,
    TransformSpec,
    chain_output_type,
    param_problems,
    run_chain,
    run_step,
)

__all__ = [
    "REGISTRY",
    "ParamSpec",
    "TransformContext",
    "TransformError",
    "TransformSpec",
    "chain_output_type",
    "dates",
    "lookup",
    "numbers",
    "param_problems",
    "run_chain",
    "run_step",
    "text",
]
