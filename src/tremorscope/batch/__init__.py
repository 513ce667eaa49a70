"""Many files: resumable batches on this machine's cores or on a Dask cluster."""

from tremorscope.batch.inputs import BatchInput, collect_inputs
from tremorscope.batch.runner import BatchResult, InputRecord, analyze_batch, default_jobs

__all__ = [
    "BatchInput",
    "BatchResult",
    "InputRecord",
    "analyze_batch",
    "collect_inputs",
    "default_jobs",
]
