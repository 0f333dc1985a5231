"""A real xDS client (gRPC C-core via Debian's python3-grpcio) for the interop tests.

Calls xds:///<target> in a loop and prints one JSON line per call, {"seq", "backend"}
or {"seq", "error"}. C-core reads its bootstrap from GRPC_XDS_BOOTSTRAP_CONFIG.
"""
import json
import signal
import sys
import time

import grpc


def main() -> None:
    target = sys.argv[1] if len(sys.argv) > 1 else "echo"
    channel = grpc.insecure_channel("xds:///" + target)
    echo = channel.unary_unary("/interop.Echo/Echo")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    seq = 0
    while True:
        try:
            out = {"seq": seq, "backend": echo(b"", timeout=2).decode()}
        except grpc.RpcError as err:
            out = {"seq": seq, "error": "%s: %s" % (err.code(), err.details())}
        sys.stdout.write(json.dumps(out) + "\n")
        sys.stdout.flush()
        seq += 1
        time.sleep(0.01)


if __name__ == "__main__":
    main()
