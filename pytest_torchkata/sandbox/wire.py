"""Plain data across the boundary between learner code and the grader.

Values are turned into a JSON-able tree plus a list of raw byte buffers (one per
tensor or array).  The same round trip runs in-process and between processes, so
both modes hand checks identical copies.  Decoding only ever builds tensors,
arrays, numbers, strings, lists, tuples and dicts from bytes and a whitelist of
dtypes: nothing the learner's process wrote is unpickled or ``torch.load``-ed.
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any, BinaryIO

import numpy as np
import torch

MAX_DEPTH = 32

_TORCH_DTYPES = {
    str(d).replace("torch.", ""): d
    for d in (
        torch.float64, torch.float32, torch.float16, torch.bfloat16,
        torch.complex64, torch.complex128,
        torch.int64, torch.int32, torch.int16, torch.int8, torch.uint8, torch.bool,
    )
}


class Opaque:
    """Stands for a value that is not plain data (a module, a generator, ...)."""

    def __init__(self, type_name: str, text: str = "") -> None:
        self.type_name = type_name
        self.text = text

    def __repr__(self) -> str:
        return f"<{self.type_name}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Opaque) and other.type_name == self.type_name

    __hash__ = None  # type: ignore[assignment]


def _type_name(obj: Any) -> str:
    t = type(obj)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def encode(obj: Any) -> tuple[Any, list[bytes]]:
    buffers: list[bytes] = []
    return _enc(obj, buffers, 0), buffers


def _enc(obj: Any, buffers: list[bytes], depth: int) -> Any:
    if depth > MAX_DEPTH:
        return {"__opaque__": "deeply nested data"}
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else {"__float__": repr(obj)}
    if isinstance(obj, torch.Tensor):
        return _enc_tensor(obj, buffers)
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in "biufc":
            return {"__opaque__": f"numpy array of {obj.dtype}"}
        arr = np.ascontiguousarray(obj)
        buffers.append(arr.tobytes())
        return {"__ndarray__": len(buffers) - 1, "dtype": arr.dtype.str, "shape": list(arr.shape)}
    if isinstance(obj, np.generic):
        return _enc(obj.item(), buffers, depth + 1)
    if isinstance(obj, torch.Size):
        return {"__tuple__": [int(s) for s in obj]}
    if isinstance(obj, tuple):
        return {"__tuple__": [_enc(v, buffers, depth + 1) for v in obj]}
    if isinstance(obj, list):
        return [_enc(v, buffers, depth + 1) for v in obj]
    if isinstance(obj, dict):
        return {"__dict__": [[_enc(k, buffers, depth + 1), _enc(v, buffers, depth + 1)]
                             for k, v in obj.items()]}
    if isinstance(obj, torch.dtype):
        return {"__dtype__": str(obj).replace("torch.", "")}
    if isinstance(obj, torch.device):
        return {"__device__": str(obj)}
    return {"__opaque__": _type_name(obj)}


def _enc_tensor(t: torch.Tensor, buffers: list[bytes]) -> Any:
    dtype = str(t.dtype).replace("torch.", "")
    if dtype not in _TORCH_DTYPES:
        return {"__opaque__": f"tensor of {t.dtype}"}
    meta = {"dtype": dtype, "shape": list(t.shape), "device": str(t.device),
            "requires_grad": bool(t.requires_grad)}
    if t.device.type == "meta":
        return {"__tensor__": None, **meta}
    data = torch.Tensor(t).detach() if type(t) is not torch.Tensor else t.detach()
    if data.layout != torch.strided:
        data = data.to_dense()
    data = data.cpu().contiguous().reshape(-1)
    if data.numel() and data.stride(0) != 1:  # one element keeps any stride (e.g. `argsort(1)[:, 0]` of one row)
        data = torch.empty(data.shape, dtype=data.dtype).copy_(data)
    if data.is_conj():
        data = data.resolve_conj()
    buffers.append(data.view(torch.uint8).numpy().tobytes() if data.numel() else b"")
    return {"__tensor__": len(buffers) - 1, **meta}


def decode(tree: Any, buffers: list[bytes]) -> Any:
    if tree is None or isinstance(tree, (bool, int, float, str)):
        return tree
    if isinstance(tree, list):
        return [decode(v, buffers) for v in tree]
    if not isinstance(tree, dict):
        raise ValueError("malformed data")
    if "__tensor__" in tree:
        return _dec_tensor(tree, buffers)
    if "__ndarray__" in tree:
        dt = np.dtype(tree["dtype"])
        if dt.kind not in "biufc":
            raise ValueError("malformed array")
        shape = tuple(int(s) for s in tree["shape"])
        return np.frombuffer(buffers[tree["__ndarray__"]], dtype=dt).reshape(shape).copy()
    if "__tuple__" in tree:
        return tuple(decode(v, buffers) for v in tree["__tuple__"])
    if "__dict__" in tree:
        out = {}
        for k, v in tree["__dict__"]:
            key = decode(k, buffers)
            out[key if _hashable(key) else repr(key)] = decode(v, buffers)
        return out
    if "__float__" in tree:
        return float(tree["__float__"])
    if "__dtype__" in tree:
        return _TORCH_DTYPES[tree["__dtype__"]]
    if "__device__" in tree:
        return torch.device(str(tree["__device__"]))
    if "__opaque__" in tree:
        return Opaque(str(tree["__opaque__"]))
    raise ValueError("malformed data")


def _hashable(x: Any) -> bool:
    try:
        hash(x)
    except TypeError:
        return False
    return True


def _dec_tensor(tree: dict, buffers: list[bytes]) -> torch.Tensor:
    dtype = _TORCH_DTYPES[tree["dtype"]]
    shape = [int(s) for s in tree["shape"]]
    device = torch.device(str(tree["device"]))
    if tree["__tensor__"] is None:
        t = torch.empty(shape, dtype=dtype, device="meta")
    else:
        raw = buffers[tree["__tensor__"]]
        numel = math.prod(shape)
        itemsize = torch.empty((), dtype=dtype).element_size()
        if len(raw) != numel * itemsize:
            raise ValueError("tensor data does not match its shape")
        if numel == 0:
            t = torch.empty(shape, dtype=dtype)
        else:
            t = torch.frombuffer(bytearray(raw), dtype=torch.uint8).view(dtype).reshape(shape)
        if device.type == "cuda" and torch.cuda.is_available():
            t = t.to(device)
    if tree.get("requires_grad") and (dtype.is_floating_point or dtype.is_complex):
        t.requires_grad_(True)
    return t


def roundtrip(obj: Any) -> Any:
    """An independent copy of ``obj`` made of plain data only."""
    tree, buffers = encode(obj)
    return decode(tree, buffers)


# -- framing over a byte stream ------------------------------------------------

_LEN = struct.Struct("<Q")


def send(stream: BinaryIO, message: Any) -> None:
    tree, buffers = encode(message)
    head = json.dumps({"body": tree, "buffers": len(buffers)}).encode()
    parts = [_LEN.pack(len(head)), head]
    for b in buffers:
        parts += [_LEN.pack(len(b)), b]
    stream.write(b"".join(parts))
    stream.flush()


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError("the other side closed the connection")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def recv(stream: BinaryIO, max_bytes: int = 1 << 32) -> Any:
    (n,) = _LEN.unpack(_read_exact(stream, _LEN.size))
    if n > max_bytes:
        raise ValueError("message too large")
    head = json.loads(_read_exact(stream, n))
    buffers = []
    for _ in range(int(head["buffers"])):
        (m,) = _LEN.unpack(_read_exact(stream, _LEN.size))
        if m > max_bytes:
            raise ValueError("message too large")
        buffers.append(_read_exact(stream, m))
    return decode(head["body"], buffers)


class FrameReader:
    """Reads whole messages, undecoded, from a file descriptor with a deadline: the
    zygote relays learner answers to the grader without looking inside them."""

    def __init__(self, fd: int, max_bytes: int = 1 << 32) -> None:
        self.fd, self.max_bytes, self.data = fd, max_bytes, bytearray()

    def _need(self, n: int, deadline: float | None) -> bool:
        import os
        import select
        import time

        while len(self.data) < n:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.fd], [], [], wait)
            if not ready:
                return False
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                raise EOFError("the other side closed the connection")
            self.data += chunk
        return True

    def frame(self, deadline: float | None = None) -> bytes | None:
        """One whole message as bytes, or None when ``deadline`` (monotonic) passes first."""
        at = 0
        if not self._need(at + _LEN.size, deadline):
            return None
        (n,) = _LEN.unpack_from(self.data, at)
        if n > self.max_bytes:
            raise ValueError("message too large")
        if not self._need(at + _LEN.size + n, deadline):
            return None
        head = json.loads(bytes(self.data[at + _LEN.size: at + _LEN.size + n]))
        at += _LEN.size + n
        for _ in range(int(head["buffers"])):
            if not self._need(at + _LEN.size, deadline):
                return None
            (m,) = _LEN.unpack_from(self.data, at)
            if m > self.max_bytes:
                raise ValueError("message too large")
            if not self._need(at + _LEN.size + m, deadline):
                return None
            at += _LEN.size + m
        frame = bytes(self.data[:at])
        del self.data[:at]
        return frame


def peek(frame: bytes) -> dict:
    """The plain top-level entries (strings, numbers, lists of strings) of a message that is
    a dict, read from its JSON head alone: no tensor is built."""
    (n,) = _LEN.unpack_from(frame, 0)
    body = json.loads(frame[_LEN.size: _LEN.size + n])["body"]
    plain = (str, int, float, bool, type(None))
    found = {}
    for key, value in body.get("__dict__", []) if isinstance(body, dict) else []:
        if isinstance(key, str) and (isinstance(value, plain) or
                                     (isinstance(value, list) and all(isinstance(v, str) for v in value))):
            found[key] = value
    return found


def decode_frame(frame: bytes) -> Any:
    import io

    return recv(io.BytesIO(frame))
