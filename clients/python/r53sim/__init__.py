"""r53sim as a test fixture: the real r53sim binary on free loopback ports, with the admin API's
operations as methods (see README.md). Standard library only."""
from ._dns import Answer, Record
from ._sim import (ApiEndpoint, ApiError, BinaryNotFoundError, Clock, NotStartedError, R53Sim,
                   R53SimError, StartError, WaitResult, WaitTimeout, Zone, find_binary)

__all__ = ["Answer", "ApiEndpoint", "ApiError", "BinaryNotFoundError", "Clock", "NotStartedError",
           "R53Sim", "R53SimError", "Record", "StartError", "WaitResult", "WaitTimeout", "Zone",
           "find_binary"]
__version__ = "0.1.0"
