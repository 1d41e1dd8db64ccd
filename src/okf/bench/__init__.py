"""Quality and speed benchmarks on keyphrase datasets, against open-source peers."""

from okf.bench.datasets import Dataset, DatasetError, Sample, load_dataset
from okf.bench.peers import PEERS, Peer, PeerUnavailableError, get_peer
from okf.bench.runner import run_benchmark
from okf.bench.scoring import Scorer, dedupe, normalize

__all__ = [
    "PEERS",
    "Dataset",
    "DatasetError",
    "Peer",
    "PeerUnavailableError",
    "Sample",
    "Scorer",
    "dedupe",
    "get_peer",
    "load_dataset",
    "normalize",
    "run_benchmark",
]
