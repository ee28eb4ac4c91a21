"""Plain data across the boundary between learner code and the grader.

Values are turned into a JSON-able tree plus a list of raw byte buffers (one per
tensor or array).  The same round trip runs in-process and between processes, so
both modes hand checks identical copies.  Decoding only ever builds tensors,
arrays, numbers, strings, lists, tuples and dicts from bytes and a whitelist of
dtypes: nothing the learner's process wrote is unpickled or ``torch.load``-ed.

What comes from the learner's side is read within the limits of ``bounds``.
"""

from __future__ import annotations

import json
import math
import re
import struct
from typing import Any, BinaryIO

import numpy as np
import torch

from pytest_torchkata.sandbox import bounds
from pytest_torchkata.sandbox.bounds import (MAX_BUFFERS, MAX_DEPTH, MAX_FRAME, MAX_ITEMS, MAX_NAME, MAX_STRING,
                                              Refused, clip)

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


def decode(tree: Any, buffers: list) -> Any:
    """The value ``tree`` and ``buffers`` (from ``encode``) stand for, read within the limits
    of ``bounds``: a deeper tree, more values or buffers, or a buffer that does not match its
    tensor's shape raise ``Refused``; longer strings are cut (``…`` marks the cut)."""
    return _Decoder(buffers).value(tree, 0)


class _Decoder:
    """One message's decoding: counts its values, and lets each buffer back one tensor."""

    def __init__(self, buffers: list) -> None:
        if len(buffers) > MAX_BUFFERS:
            raise Refused("buffers", MAX_BUFFERS)
        self.buffers, self.used, self.items = buffers, set(), 0

    def value(self, tree: Any, depth: int) -> Any:
        self.items += 1
        if self.items > MAX_ITEMS:
            raise Refused("items", MAX_ITEMS)
        if isinstance(tree, str):
            return clip(tree, MAX_STRING)
        if tree is None or isinstance(tree, (bool, int, float)):
            return tree
        if depth > MAX_DEPTH + 1:  # encode ends nesting at MAX_DEPTH (leaves one level below)
            raise Refused("depth", MAX_DEPTH)
        if isinstance(tree, list):
            return [self.value(v, depth + 1) for v in tree]
        if not isinstance(tree, dict):
            raise Refused("malformed")
        if "__tensor__" in tree:
            return self.tensor(tree)
        if "__ndarray__" in tree:
            return self.ndarray(tree)
        if "__tuple__" in tree:
            return tuple(self.value(v, depth + 1) for v in _list(tree["__tuple__"]))
        if "__dict__" in tree:
            out = {}
            for pair in _list(tree["__dict__"]):
                if not (isinstance(pair, list) and len(pair) == 2):
                    raise Refused("malformed")
                key = self.value(pair[0], depth + 1)
                out[key if _hashable(key) else clip(repr(key), MAX_NAME)] = self.value(pair[1], depth + 1)
            return out
        if "__float__" in tree:
            if tree["__float__"] not in ("nan", "inf", "-inf"):
                raise Refused("malformed")
            return float(tree["__float__"])
        if "__dtype__" in tree:
            return _torch_dtype(tree["__dtype__"])
        if "__device__" in tree:
            return _device(tree["__device__"])
        if "__opaque__" in tree:
            return Opaque(clip(str(tree["__opaque__"]), MAX_NAME))
        raise Refused("malformed")

    def buffer(self, index: Any) -> bytearray:
        """Each buffer once: one buffer behind a thousand tensors would be copied a thousand times."""
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(self.buffers) \
                or index in self.used:
            raise Refused("malformed")
        self.used.add(index)
        raw = self.buffers[index]
        return raw if isinstance(raw, bytearray) else bytearray(raw)

    def tensor(self, tree: dict) -> torch.Tensor:
        dtype = _torch_dtype(tree.get("dtype"))
        shape = bounds.shape(tree.get("shape"))
        device = _device(tree.get("device"))
        if tree["__tensor__"] is None:  # a meta tensor: a shape, no data
            try:
                t = torch.empty(shape, dtype=dtype, device="meta")
            except (RuntimeError, ValueError, OverflowError):
                raise Refused("malformed") from None
        else:
            raw = self.buffer(tree["__tensor__"])
            itemsize = torch.empty((), dtype=dtype).element_size()
            if len(raw) != math.prod(shape) * itemsize:
                raise Refused("malformed")
            if not raw:
                t = torch.empty(shape, dtype=dtype)
            else:
                t = torch.frombuffer(raw, dtype=torch.uint8).view(dtype).reshape(shape)
            if device.type == "cuda" and torch.cuda.is_available():
                try:
                    t = t.to(device)
                except RuntimeError:  # no such device here
                    raise Refused("malformed") from None
        if tree.get("requires_grad") is True and (dtype.is_floating_point or dtype.is_complex):
            t.requires_grad_(True)
        return t

    def ndarray(self, tree: dict) -> np.ndarray:
        name = tree.get("dtype")
        if not (isinstance(name, str) and _NUMPY_DTYPE.fullmatch(name)):
            raise Refused("malformed")
        try:
            dt = np.dtype(name)
        except TypeError:
            raise Refused("malformed") from None
        shape = bounds.shape(tree.get("shape"))
        raw = self.buffer(tree["__ndarray__"])
        if dt.kind not in "biufc" or len(raw) != math.prod(shape) * dt.itemsize:
            raise Refused("malformed")
        return np.frombuffer(raw, dtype=dt).reshape(shape)


_NUMPY_DTYPE = re.compile(r"[<>|=][biufc](1|2|4|8|16)")


def _list(tree: Any) -> list:
    if not isinstance(tree, list):
        raise Refused("malformed")
    return tree


def _torch_dtype(name: Any) -> torch.dtype:
    if not isinstance(name, str) or name not in _TORCH_DTYPES:
        raise Refused("malformed")
    return _TORCH_DTYPES[name]


def _device(name: Any) -> torch.device:
    if not (isinstance(name, str) and len(name) <= MAX_NAME):
        raise Refused("malformed")
    try:
        return torch.device(name)
    except (RuntimeError, ValueError):
        raise Refused("malformed") from None


def _hashable(x: Any) -> bool:
    try:
        hash(x)
    except TypeError:
        return False
    return True


def roundtrip(obj: Any) -> Any:
    """An independent copy of ``obj`` made of plain data only."""
    tree, buffers = encode(obj)
    return decode(tree, buffers)


# -- framing over a byte stream ------------------------------------------------
#
# A message is [head length][buffer count][JSON head] then [length][bytes] per buffer, all
# lengths 8 bytes little-endian: a reader checks every length against the limits before
# it reads (or allocates) anything, and relays a message without parsing it.

_LEN = struct.Struct("<Q")
_PREFIX = struct.Struct("<QQ")


def frame_of(message: Any) -> bytes:
    """``message`` as one whole message, in bytes."""
    tree, buffers = encode(message)
    head = json.dumps(tree).encode()
    parts = [_PREFIX.pack(len(head), len(buffers)), head]
    for b in buffers:
        parts += [_LEN.pack(len(b)), b]
    return b"".join(parts)


def send(stream: BinaryIO, message: Any) -> None:
    stream.write(frame_of(message))
    stream.flush()


def _read_exact(stream: BinaryIO, n: int) -> bytearray:
    out = bytearray(n)
    view, got = memoryview(out), 0
    while got < n:
        read = stream.readinto(view[got:])
        if not read:
            raise EOFError("the other side closed the connection")
        got += read
    return out


def _parse(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise Refused("malformed") from None


def recv(stream: BinaryIO, max_bytes: int = MAX_FRAME) -> Any:
    """One message (a dict) from ``stream``; ``Refused`` when it breaks a limit or is not
    what ``send`` writes.  Nothing is read (or allocated) past a length that breaks a limit."""
    n, count = _PREFIX.unpack(_read_exact(stream, _PREFIX.size))
    bounds.check_lengths(n, count, max_bytes)
    total = n + count * _LEN.size
    head = _read_exact(stream, n)
    buffers = []
    for _ in range(count):
        (m,) = _LEN.unpack(_read_exact(stream, _LEN.size))
        total += m
        if total > max_bytes:
            raise Refused("frame", max_bytes >> 20)
        buffers.append(_read_exact(stream, m))
    text = bounds.json_text(head)
    del head  # the bytes or the text, and the values parsed from it: twice a message at most
    body = _parse(text)
    del text
    if not isinstance(body, dict) or "__dict__" not in body:
        raise Refused("malformed")
    try:
        message = decode(body, buffers)
    except RecursionError:
        raise Refused("depth", MAX_DEPTH) from None
    error = message.get("error", {})  # an error answer names its kind (the grader words it)
    if not (isinstance(error, dict) and isinstance(error.get("kind", ""), str)):
        raise Refused("malformed")
    return message


class FrameReader:
    """Reads whole messages, undecoded, from a file descriptor with a deadline: the
    zygote relays learner answers to the grader without looking inside them.  A message
    that breaks the size limits is refused (``Refused``) from its lengths alone."""

    def __init__(self, fd: int, max_bytes: int = MAX_FRAME) -> None:
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
            chunk = os.read(self.fd, min(1 << 20, n - len(self.data)))
            if not chunk:
                raise EOFError("the other side closed the connection")
            self.data += chunk
        return True

    def frame(self, deadline: float | None = None) -> bytes | None:
        """One whole message as bytes, or None when ``deadline`` (monotonic) passes first."""
        if not self._need(_PREFIX.size, deadline):
            return None
        n, count = _PREFIX.unpack_from(self.data, 0)
        bounds.check_lengths(n, count, self.max_bytes)
        at = _PREFIX.size + n
        total = n + count * _LEN.size
        for _ in range(count):
            if not self._need(at + _LEN.size, deadline):
                return None
            (m,) = _LEN.unpack_from(self.data, at)
            total += m
            if total > self.max_bytes:
                raise Refused("frame", self.max_bytes >> 20)
            at += _LEN.size + m
        if not self._need(at, deadline):
            return None
        with memoryview(self.data) as view:
            frame = bytes(view[:at])  # one copy, not two
        del self.data[:at]
        return frame


def peek(frame: bytes) -> dict:
    """The plain top-level entries (strings, numbers, lists of strings) of a message that is
    a dict, read from its JSON head alone: no tensor is built."""
    n, _ = _PREFIX.unpack_from(frame, 0)
    body = _parse(bounds.json_text(frame[_PREFIX.size: _PREFIX.size + n]))
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
