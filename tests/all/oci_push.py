"""Pushes one file as a one-layer OCI artifact with oras-py (the tests' independent publisher).

usage: oci_push.py <registry host:port> <repository:tag> <file> <layer media type>
                   [<config file> <config media type>]

Plain HTTP (the test registries listen on loopback). Prints the manifest digest the registry
answered with (Docker-Content-Digest).
"""

import sys

import oras.provider


def main() -> None:
    registry, target, path, media_type = sys.argv[1:5]
    config = None
    if len(sys.argv) == 7:
        config = f"{sys.argv[5]}:{sys.argv[6]}"
    client = oras.provider.Registry(hostname=registry, insecure=True)
    response = client.push(
        target=f"{registry}/{target}",
        files=[f"{path}:{media_type}"],
        manifest_config=config,
        disable_path_validation=True,
        quiet=True,
    )
    print(response.headers["Docker-Content-Digest"])


if __name__ == "__main__":
    main()
